"""Actions that fill the profile: extraction, validation, questions and restarts."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import services
from bot.contract import DIPLOMES, DOMAINES, RESTART_ACTION, SITUATIONS
from bot.exploration import DEFAULT_DOMAINS, next_exploration_step
from bot.extraction import extract, prioritise
from bot.presentation import Texts
from bot.profil.age import age_is_plausible, parse_age

PENDING_MESSAGES = "messages_en_attente"
ACTION_LISTEN = "action_listen"
FORM = "profil_form"
# The question asked last (a slot name) and how many times in a row; the profile slots
# the person could not or would not give (the form goes on without them).
ASKED_SLOT = "question_posee"
ASK_COUNT = "fois_posee"
UNSPECIFIED = "non_precises"
# A question is asked at most twice in a row: plainly, then rephrased with an example.
MAX_ASKS = 2
# Facts said back briefly when given while another question was asked.
_FACT_SLOTS = ("situation", "diplome", "age", "commune", "interets")
# Under 15, consent to share personal data is given with a parent (French data protection
# act, article 45).
PARENTAL_CONSENT_AGE = 15
_PROFILE_SLOT_NAMES = (
    "situation",
    "diplome",
    "age",
    "commune",
    "code_insee",
    "departement",
    "region",
    "interets",
    "distanciel",
    "rayon_km",
    "communes_possibles",
)


def _correction_text(texts: Texts, corrections: dict[str, Any]) -> str:
    """Facts in plain French ("ville : Bordeaux, âge : 19 ans")."""
    parts = []
    for slot, value in corrections.items():
        if slot == "interets":
            value = ", ".join(texts.get(f"libelle_domaine_{d}") for d in value)
        elif slot == "diplome":
            value = texts.get(f"libelle_diplome_{value}")
        elif slot == "situation":
            value = texts.get(f"libelle_situation_{value}")
        elif isinstance(value, float):
            value = int(value)
        parts.append(texts.get(f"correction_{slot}", valeur=value))
    return ", ".join(parts)


class ActionExtraireProfil(Action):
    """Runs after every user message: reads the profile facts it carries."""

    def name(self) -> str:
        return "action_extraire_profil"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        current = {name: tracker.get_slot(name) for name in _PROFILE_SLOT_NAMES}
        result = extract(
            text=message.get("text") or "",
            intent=(message.get("intent") or {}).get("name"),
            entities=message.get("entities") or [],
            requested_slot=tracker.get_slot("requested_slot"),
            current=current,
            geo=services.geo(),
        )
        texts = Texts.from_domain(domain)
        corrections = {
            k: v for k, v in result.corrections.items() if k != "age" or age_is_plausible(v)
        }
        pending: list[dict[str, Any]] = []
        if corrections:
            changes = _correction_text(texts, corrections)
            pending.append({"response": "utter_correction_notee", "changements": changes})
        requested = tracker.get_slot("requested_slot")
        noted = {
            slot: result.slots[slot]
            for slot in _FACT_SLOTS
            if requested
            and slot != requested
            and slot not in corrections
            and result.slots.get(slot) not in (None, [])
            and current.get(slot) in (None, [])
        }
        if noted:
            # Given while another question was asked: taken, and said back briefly.
            faits = _correction_text(texts, noted)
            pending.append({"response": "utter_fait_note", "faits": faits})
        pending += [{"response": name, **variables} for name, variables in result.responses]
        events = [SlotSet(slot, value) for slot, value in result.slots.items()]
        if pending:
            # Rasa drops messages sent while extracting slots: the form sends them.
            events.append(SlotSet(PENDING_MESSAGES, pending))
        return events


class ValidateProfilForm(FormValidationAction):
    """Last check of each profile slot before the form accepts it."""

    def name(self) -> str:
        return "validate_profil_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Sends the messages left by the extraction, then validates as usual."""
        pending = tracker.get_slot(PENDING_MESSAGES) or []
        for message in pending:
            dispatcher.utter_message(**message)
        events = await super().run(dispatcher, tracker, domain)
        return events + [SlotSet(PENDING_MESSAGES, None)] if pending else events

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Asks next what the last message left pending (a town to choose, an age to fix)."""
        text = (tracker.latest_message or {}).get("text") or ""
        unspecified = set(tracker.get_slot(UNSPECIFIED) or [])
        ordered = prioritise(
            domain_slots,
            town_pending=bool(tracker.get_slot("communes_possibles")),
            age_pending=parse_age(text) is not None and tracker.get_slot("age") is None,
        )
        return [s for s in ordered if s not in unspecified or tracker.get_slot(s) is not None]

    def validate_situation(self, value: Any, *_: Any) -> dict[str, Any]:
        return {"situation": value if value in SITUATIONS else None}

    def validate_diplome(self, value: Any, *_: Any) -> dict[str, Any]:
        return {"diplome": value if value in DIPLOMES else None}

    def validate_age(self, value: Any, dispatcher: CollectingDispatcher, *_: Any) -> dict[str, Any]:
        try:
            age = float(value)
        except (TypeError, ValueError):
            return {"age": None}
        if not age_is_plausible(age):
            dispatcher.utter_message(response="utter_age_invalide", age_donne=int(age))
            return {"age": None}
        if age < PARENTAL_CONSENT_AGE:
            dispatcher.utter_message(response="utter_accord_parental")
        return {"age": age}

    def validate_commune(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, _: DomainDict
    ) -> dict[str, Any]:
        if not value or not tracker.get_slot("departement"):
            return {"commune": None}
        return {"commune": value}

    def validate_interets(self, value: Any, *_: Any) -> dict[str, Any]:
        known = [d for d in (value or []) if d in DOMAINES]
        return {"interets": known or None}


class ActionRepli(Action):
    """Core fallback: says the answer was not understood. In the profile, the form then
    runs again and asks its question (it does not re-read the message after another
    action, so it cannot refuse it again). Without that, the form stayed "rejected": the
    policies found nothing confident, ran this action again, ten times in one answer
    until Rasa's circuit breaker stopped the turn, and every later answer ("ok", "👍",
    even "je cherche du travail") came back here."""

    def name(self) -> str:
        return "action_repli"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        form = tracker.active_loop.get("name")
        requested = tracker.get_slot("requested_slot")
        if not (form and requested):
            dispatcher.utter_message(response="utter_pas_compris")
            return [FollowupAction(ACTION_LISTEN)]
        if requested == "interets" and tracker.get_slot("etape_exploration"):
            # "J'hésite", "non plus" to the "je sais pas" choices: other choices (the
            # form's question stays silent while they are shown), then the defaults.
            dispatcher.utter_message(response="utter_exploration_autrement")
            return [*explorer(dispatcher, tracker), FollowupAction(form)]
        if not abandonnee_ensuite(tracker):
            dispatcher.utter_message(response="utter_reponse_non_comprise")
        return [FollowupAction(form)]


class BoundedAsk(Action):
    """Asks for one profile slot: plainly the first time, rephrased with an example (and
    buttons) the second time in a row; a third time, it moves on instead: the slot is
    noted as not given ("je note : diplôme non précisé", saying what that changes), and
    the form asks the next question. A question of the person's own in between counts too:
    never the same question three times in a row (simulation invariant inv2)."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        again = tracker.get_slot(ASKED_SLOT) == self.slot
        count = int(tracker.get_slot(ASK_COUNT) or 0) + 1 if again else 1
        if count > MAX_ASKS:
            dispatcher.utter_message(response=f"utter_non_precise_{self.slot}")
            unspecified = [*(tracker.get_slot(UNSPECIFIED) or []), self.slot]
            return [
                *self.defaults(tracker),
                SlotSet(UNSPECIFIED, list(dict.fromkeys(unspecified))),
                SlotSet(ASKED_SLOT, None),
                SlotSet(ASK_COUNT, 0.0),
                FollowupAction(FORM),
            ]
        events = self.ask(dispatcher, tracker, first=count == 1)
        return [*events, SlotSet(ASKED_SLOT, self.slot), SlotSet(ASK_COUNT, float(count))]

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker, first: bool) -> list[Any]:
        """Sends the question (rephrased when not `first`); returns extra events."""
        dispatcher.utter_message(
            response=f"utter_ask_{self.slot}" if first else f"utter_relance_{self.slot}"
        )
        return []

    def defaults(self, tracker: Tracker) -> list[EventType]:
        """What the assistant goes on with when the slot is not given."""
        return []


class ActionAskSituation(BoundedAsk):
    slot = "situation"


class ActionAskAge(BoundedAsk):
    slot = "age"


class ActionAskDiplome(BoundedAsk):
    slot = "diplome"


class ActionAskCommune(BoundedAsk):
    """Asks for the town, or which one when the name is shared by several communes;
    without a town, only distance learning can be proposed."""

    slot = "commune"

    def ask(self, dispatcher: CollectingDispatcher, tracker: Tracker, first: bool) -> list[Any]:
        possibles = tracker.get_slot("communes_possibles") or []
        if possibles:
            name = possibles[0].split(" (")[0]
            buttons = [
                {"title": label, "payload": f'/informer{{"commune": "{label}"}}'}
                for label in possibles
            ]
            dispatcher.utter_message(
                response="utter_commune_ambigue", commune_cherchee=name, buttons=buttons
            )
            return []
        return super().ask(dispatcher, tracker, first)

    def defaults(self, tracker: Tracker) -> list[EventType]:
        return [SlotSet("distanciel", True), SlotSet("communes_possibles", None)]


class ActionAskInterets(BoundedAsk):
    """Asks what the person likes, unless the "je sais pas" choices were just shown;
    without an answer, beginner-friendly domains."""

    slot = "interets"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("etape_exploration"):
            # The "je sais pas" choices were just shown: other questions, not a repeat.
            return [SlotSet(ASKED_SLOT, self.slot), SlotSet(ASK_COUNT, 0.0)]
        return await super().run(dispatcher, tracker, domain)

    def defaults(self, tracker: Tracker) -> list[EventType]:
        return [SlotSet("interets", list(DEFAULT_DOMAINS))]


def question_en_attente(tracker: Tracker) -> str | None:
    """The profile question the form is waiting on, if any."""
    requested = tracker.get_slot("requested_slot")
    if tracker.active_loop_name == FORM and requested in _PROFILE_SLOT_NAMES:
        return requested
    return None


def abandonnee_ensuite(tracker: Tracker) -> bool:
    """Whether the form, having asked the pending question twice in a row, will note it as
    not given instead of asking it a third time (`BoundedAsk`): then "je te repose la
    question" would be untrue."""
    requested = tracker.get_slot("requested_slot")
    if requested == "interets" and tracker.get_slot("etape_exploration"):
        return False  # the "je sais pas" choices go on (`ActionAskInterets`)
    asked = int(tracker.get_slot(ASK_COUNT) or 0)
    return tracker.get_slot(ASKED_SLOT) == requested and asked >= MAX_ASKS


def repondue_quand_meme(tracker: Tracker) -> bool:
    """The last message answered the pending question after all ("rien" to the diploma
    question: none), whatever the intent the model gave it."""
    requested = tracker.get_slot("requested_slot")
    return requested in _PROFILE_SLOT_NAMES and tracker.get_slot(requested) is not None


class ActionJeSaisPas(Action):
    """Helps a person who does not know: a few concrete choices, then a default."""

    def name(self) -> str:
        return "action_je_sais_pas"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        requested = tracker.get_slot("requested_slot")
        if repondue_quand_meme(tracker):
            return []
        if requested == "diplome":
            dispatcher.utter_message(response="utter_je_sais_pas_diplome")
            return []
        if requested not in (None, "interets"):
            dispatcher.utter_message(response="utter_je_sais_pas_general")
            return []
        return explorer(dispatcher, tracker)


def explorer(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The next step of the "je sais pas" help: concrete choices, then the defaults."""
    step = int(tracker.get_slot("etape_exploration") or 0)
    response, next_step = next_exploration_step(step)
    dispatcher.utter_message(response=response)
    events: list[EventType] = [SlotSet("etape_exploration", float(next_step))]
    if next_step == 0:
        events.append(SlotSet("interets", list(DEFAULT_DOMAINS)))
    return events


class ActionAutreDomaine(Action):
    """Sets aside the current interests and asks again."""

    def name(self) -> str:
        return "action_autre_domaine"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        exclus = list(tracker.get_slot("domaines_exclus") or [])
        exclus += [d for d in tracker.get_slot("interets") or [] if d not in exclus]
        if set(exclus) >= set(DOMAINES):
            exclus = []
        dispatcher.utter_message(response="utter_autre_domaine")
        return [
            SlotSet("domaines_exclus", exclus),
            SlotSet("interets", None),
            SlotSet("etape_exploration", 0.0),
            SlotSet("page_resultats", 0.0),
        ]


class ActionRecommencer(Action):
    """Forgets every answer and starts the questions again."""

    def name(self) -> str:
        return RESTART_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_recommencer")
        return [AllSlotsReset()]
