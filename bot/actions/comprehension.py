"""When the assistant is unsure what a message means: offer the likeliest meanings, and
after repeated misunderstandings, a person to talk to."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.profil import abandonnee_ensuite, question_en_attente, repondue_quand_meme
from bot.presentation import Texts

FALLBACK_INTENT = "nlu_fallback"
MAX_CHOIX = 2
ECHECS_AVANT_CONTACT = 2
# Offered when the model's own guesses cannot be shown as a choice.
CHOIX_PAR_DEFAUT = ("demander_formation", "question_metier")


def echecs_consecutifs(events: list[dict[str, Any]]) -> int:
    """How many of the last user messages in a row were not understood."""
    count = 0
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != FALLBACK_INTENT:
            break
        count += 1
    return count


def choix_probables(ranking: list[dict[str, Any]], libelles: set[str]) -> list[str]:
    """The two likeliest intents that can be offered as a choice (defaults otherwise)."""
    choix = [
        r["name"] for r in ranking if r.get("name") != FALLBACK_INTENT and r.get("name") in libelles
    ][:MAX_CHOIX]
    for intent in CHOIX_PAR_DEFAUT:
        if len(choix) < MAX_CHOIX and intent not in choix:
            choix.append(intent)
    return choix


class ActionClarifier(Action):
    """Not sure what the person meant: "Tu veux : A / B / Autre chose ?" (while a profile
    question waits: only "pas compris", the form asks again); after two misunderstandings
    in a row, also the way to reach a person."""

    def name(self) -> str:
        return "action_clarifier"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if question_en_attente(tracker):
            if repondue_quand_meme(tracker):
                return []  # the form goes on with its next question
            # An unclear answer to a profile question: no other meanings offered, the form
            # asks again, rephrased with an example and its buttons (unless it was asked
            # twice already: the form notes it as not given and goes on).
            if not abandonnee_ensuite(tracker):
                dispatcher.utter_message(response="utter_reponse_non_comprise")
        else:
            self.proposer_sens(dispatcher, tracker, domain)
        if echecs_consecutifs(tracker.events) >= ECHECS_AVANT_CONTACT:
            dispatcher.utter_message(response="utter_contact_humain")
        return []

    @staticmethod
    def proposer_sens(
        dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> None:
        """ "Tu veux : A / B / Autre chose ?" with the likeliest meanings."""
        texts = Texts.from_domain(domain)
        responses = domain.get("responses", {})
        libelles = {
            name.removeprefix("libelle_intention_")
            for name in responses
            if name.startswith("libelle_intention_")
        }
        ranking = tracker.latest_message.get("intent_ranking") or []
        buttons = [
            {"title": texts.get(f"libelle_intention_{intent}"), "payload": f"/{intent}"}
            for intent in choix_probables(ranking, libelles)
        ]
        buttons.append({"title": texts.get("libelle_autre_chose"), "payload": "/demander_aide"})
        dispatcher.utter_message(response="utter_clarifier", buttons=buttons)
