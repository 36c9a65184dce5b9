"""Custom actions: the events they return and the responses they send."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import services
from bot.actions.donnees import ActionSupprimerDonnees
from bot.actions.profil import (
    ActionAskCommune,
    ActionAskInterets,
    ActionAskSituation,
    ActionAutreDomaine,
    ActionExtraireProfil,
    ActionJeSaisPas,
    ActionRecommencer,
    ActionRepli,
    ValidateProfilForm,
)
from bot.actions.questions import ActionRepondreMetier, ActionRepondreQuestion
from bot.actions.recommandations import (
    ActionAccepterDistance,
    ActionDetailFormation,
    ActionElargirZone,
    ActionPlusDeResultats,
    ActionPlusPres,
    ActionRecommander,
)
from bot.catalogue.repository import Catalogue
from bot.catalogue.validation import validate_files
from bot.config import REPO_ROOT
from bot.db import engine_for
from bot.exploration import DEFAULT_DOMAINS
from tests.support.rasa import asked_twice, make_tracker

TRACKERS = Path(__file__).resolve().parents[1] / "support" / "trackers"
pytestmark = pytest.mark.anyio


def profile(name: str) -> dict[str, Any]:
    return json.loads((TRACKERS / f"{name}.json").read_text(encoding="utf-8"))["slots"]


@pytest.fixture(scope="module")
def catalogue_db() -> Iterator[Catalogue]:
    """The committed catalogue loaded into an in-memory SQLite database."""
    engine = engine_for("sqlite://")
    Catalogue(engine).load(sorted((REPO_ROOT / "knowledge/catalogue").glob("*.jsonl")))
    yield Catalogue(engine)
    engine.dispose()


@pytest.fixture(autouse=True)
def real_catalogue(monkeypatch: pytest.MonkeyPatch, catalogue_db: Catalogue) -> None:
    """Actions read the committed catalogue (recommendations: from a database loaded with it)."""
    records, errors = validate_files(sorted((REPO_ROOT / "knowledge/catalogue").glob("*.jsonl")))
    assert not errors
    monkeypatch.setattr(services, "formations", lambda: records)
    monkeypatch.setattr(services, "catalogue", lambda: catalogue_db)


async def run(action: Any, tracker: Any, domain: dict[str, Any]) -> tuple[list, list]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain)
    return events, dispatcher.messages


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("response") for m in messages if m.get("response")]


def payloads(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m["custom"] for m in messages if m.get("custom")]


async def test_extraction_fills_several_slots_from_one_message(domain):
    """One sentence fills age, situation, town (with département and région) and interests."""
    text = (
        "salut, j'ai 19 ans, j'ai arrêté le lycée en première, j'habite à Roubaix "
        "et j'aimerais bien faire de l'informatique"
    )
    events, _ = await run(ActionExtraireProfil(), make_tracker(domain, text, "saluer"), domain)
    slots = slot_events(events)
    assert slots["age"] == 19
    assert slots["situation"] == "decrocheur"
    assert (slots["commune"], slots["departement"], slots["region"]) == (
        "Roubaix",
        "59",
        "Hauts-de-France",
    )
    assert "developpement" in slots["interets"]
    assert "diplome" not in slots


async def test_extraction_confirms_a_correction(domain):
    """Changing an answer already given is confirmed in plain French."""
    tracker = make_tracker(domain, "non en fait j'ai 22 ans", **profile("profil_roubaix"))
    events, _ = await run(ActionExtraireProfil(), tracker, domain)
    slots = slot_events(events)
    assert slots["age"] == 22
    [pending] = slots["messages_en_attente"]
    assert pending["response"] == "utter_correction_notee"
    assert "22 ans" in pending["changements"]

    # The form sends it (Rasa drops messages sent during slot extraction).
    form_tracker = make_tracker(
        domain, "non en fait j'ai 22 ans", active_loop="profil_form", **{**slots}
    )
    events, messages = await run(ValidateProfilForm(), form_tracker, domain)
    assert responses(messages) == ["utter_correction_notee"]
    assert slot_events(events)["messages_en_attente"] is None


async def test_extraction_ambiguous_town_clears_the_town(domain):
    """A shared name (Saint-Denis) empties the town and lists the candidates."""
    tracker = make_tracker(domain, "j'ai déménagé à Saint-Denis", **profile("profil_roubaix"))
    events, _ = await run(ActionExtraireProfil(), tracker, domain)
    slots = slot_events(events)
    assert slots["commune"] is None
    assert "Saint-Denis (93)" in slots["communes_possibles"]
    assert "Saint-Denis (974)" in slots["communes_possibles"]


async def test_extraction_unknown_postcode_says_so(domain):
    """A postcode that does not exist gets a clear French answer and no town."""
    tracker = make_tracker(domain, "99999", requested_slot="commune")
    events, _ = await run(ActionExtraireProfil(), tracker, domain)
    slots = slot_events(events)
    assert slots["commune"] is None
    assert slots["messages_en_attente"] == [
        {"response": "utter_commune_introuvable", "lieu": "99999"}
    ]


async def test_ask_commune_offers_the_candidates_as_buttons(domain):
    """The town question becomes a choice between the communes of the same name."""
    tracker = make_tracker(domain, communes_possibles=["Saint-Denis (93)", "Saint-Denis (974)"])
    _, messages = await run(ActionAskCommune(), tracker, domain)
    assert responses(messages) == ["utter_commune_ambigue"]
    assert [b["title"] for b in messages[0]["buttons"]] == ["Saint-Denis (93)", "Saint-Denis (974)"]
    assert messages[0]["buttons"][0]["payload"] == '/informer{"commune": "Saint-Denis (93)"}'


@pytest.mark.parametrize(
    ("slot", "value", "expected"),
    [
        ("age", 19.0, 19.0),
        ("age", 150.0, None),
        ("age", 3.0, None),
        ("situation", "decrocheur", "decrocheur"),
        ("situation", "hacker", None),
        ("diplome", "bac_plus_2", "bac_plus_2"),
        ("diplome", "bac+12", None),
        ("interets", ["data", "inconnu"], ["data"]),
        ("interets", ["inconnu"], None),
    ],
)
async def test_form_validation(domain, slot, value, expected):
    """The form accepts only plausible ages and known canonical values."""
    tracker = make_tracker(domain, active_loop="profil_form", **{slot: value})
    dispatcher = CollectingDispatcher()
    validator = getattr(ValidateProfilForm(), f"validate_{slot}")
    result = validator(value, dispatcher, tracker, domain)
    assert result == {slot: expected}


@pytest.mark.parametrize(("age", "reminder"), [(14.0, True), (15.0, False), (19.0, False)])
async def test_under_15_are_reminded_of_parental_consent(domain, age, reminder):
    """Under 15, the accepted age comes with the parental consent reminder."""
    tracker = make_tracker(domain, active_loop="profil_form", age=age)
    dispatcher = CollectingDispatcher()
    assert ValidateProfilForm().validate_age(age, dispatcher, tracker, domain) == {"age": age}
    assert (responses(dispatcher.messages) == ["utter_accord_parental"]) is reminder


async def test_form_validation_refuses_a_town_without_departement(domain):
    """A town is accepted only once it is resolved (département known)."""
    tracker = make_tracker(domain, active_loop="profil_form", commune="Saint-Denis")
    dispatcher = CollectingDispatcher()
    assert ValidateProfilForm().validate_commune("Saint-Denis", dispatcher, tracker, domain) == {
        "commune": None
    }


async def test_je_sais_pas_walks_the_steps_then_sets_defaults(domain):
    """Two rounds of concrete choices, then beginner-friendly domains."""
    seen = []
    step = 0.0
    slots: dict[str, Any] = {}
    for _ in range(3):
        tracker = make_tracker(
            domain, "je sais pas", "je_sais_pas", requested_slot="interets", etape_exploration=step
        )
        events, messages = await run(ActionJeSaisPas(), tracker, domain)
        slots = slot_events(events)
        step = slots["etape_exploration"]
        seen += responses(messages)
    assert seen == [
        "utter_explorer_interets_1",
        "utter_explorer_interets_2",
        "utter_interets_par_defaut",
    ]
    assert slots["interets"] == list(DEFAULT_DOMAINS)
    assert "buttons" in domain["responses"]["utter_explorer_interets_1"][0]


async def test_je_sais_pas_is_silent_when_the_message_answered(domain):
    """ "rien" at the diploma question filled it (no diploma): no "c'est le dernier
    diplôme…" help, the form moves on; a real "je sais pas" still gets the help."""
    answered = make_tracker(
        domain, "rien", "je_sais_pas", requested_slot="diplome", diplome="aucun"
    )
    events, messages = await run(ActionJeSaisPas(), answered, domain)
    assert (events, messages) == ([], [])
    unsure = make_tracker(domain, "je sais pas", "je_sais_pas", requested_slot="diplome")
    _, messages = await run(ActionJeSaisPas(), unsure, domain)
    assert responses(messages) == ["utter_je_sais_pas_diplome"]


async def test_recommander_sends_cards_and_the_payload(domain):
    """A complete Roubaix profile gets explained cards and one `recommandations` payload."""
    tracker = make_tracker(domain, **profile("profil_roubaix"))
    events, messages = await run(ActionRecommander(), tracker, domain)
    [payload] = payloads(messages)
    assert payload["type"] == "recommandations"
    assert payload["profil"]["commune"] == "Roubaix"
    formations = payload["formations"]
    assert 1 <= len(formations) <= 5
    first = formations[0]
    assert first["distance_km"] is not None and first["distance_km"] <= 30
    assert "developpement" in first["domaines"]
    assert any("Roubaix" in r for r in first["raisons"])  # "à 7 km de" or "dans ta ville"
    scores = [f["score"] for f in formations]
    assert scores == sorted(scores, reverse=True)
    assert responses(messages).count("utter_formation_carte") == len(formations)
    assert responses(messages)[0].startswith("utter_intro_resultat")
    assert slot_events(events)["resultats"][: len(formations)] == [f["id"] for f in formations]


async def test_recommander_offers_alternatives_when_nothing_fits(domain):
    """Far from every training, the answer says so and proposes the closest ones."""
    tracker = make_tracker(domain, **profile("profil_gueret"))
    _, messages = await run(ActionRecommander(), tracker, domain)
    [payload] = payloads(messages)
    assert payload["alternative"] in {"a_distance", "plus_loin", "domaine_voisin"}
    assert payload["formations"]
    assert responses(messages)[0].startswith("utter_alternative_")


async def test_more_results_shows_the_next_page(domain):
    """ "Voir plus" shows results 6 to 10, not the first ones again."""
    slots = {**profile("profil_roubaix"), "rayon_km": 2000.0}
    tracker = make_tracker(domain, "d'autres", "plus_de_resultats", resultats=["x"], **slots)
    events, messages = await run(ActionPlusDeResultats(), tracker, domain)
    cards = [m for m in messages if m.get("response") == "utter_formation_carte"]
    assert cards and cards[0]["rang"] == 6
    assert slot_events(events)["page_resultats"] == 1


async def test_more_results_before_any_search(domain):
    """Asking for more before any search explains what to do."""
    _, messages = await run(ActionPlusDeResultats(), make_tracker(domain, "encore"), domain)
    assert responses(messages) == ["utter_pas_encore_de_resultats"]


@pytest.mark.parametrize(
    ("action", "text", "slot", "value"),
    [
        (ActionPlusPres(), "plus près", "rayon_km", 15.0),
        (ActionPlusPres(), "pas plus de 10 km", "rayon_km", 10.0),
        (ActionElargirZone(), "je peux bouger", "rayon_km", 90.0),
        (ActionAccepterDistance(), "à distance", "distanciel", True),
    ],
)
async def test_changing_a_criterion_recomputes(domain, action, text, slot, value):
    """A changed criterion is saved and new results are shown."""
    tracker = make_tracker(domain, text, **profile("profil_roubaix"))
    events, messages = await run(action, tracker, domain)
    assert slot_events(events)[slot] == value
    assert payloads(messages), "new results are shown"


async def test_details_by_rank_and_by_organisation(domain):
    """ "la 2e" and "celle de <organisme>" both open the right training."""
    tracker = make_tracker(domain, **profile("profil_roubaix"))
    _, messages = await run(ActionRecommander(), tracker, domain)
    formations = payloads(messages)[0]["formations"]
    ids = [f["id"] for f in formations]

    slots = {**profile("profil_roubaix"), "resultats": ids}
    events, detail = await run(
        ActionDetailFormation(), make_tracker(domain, "la 2e", "demander_details", **slots), domain
    )
    assert detail[0]["response"] == "utter_detail_formation"
    assert detail[0]["intitule"] == formations[1]["intitule"]
    # The training looked at is remembered for the practical questions that follow.
    assert slot_events(events)["formation_vue"] == formations[1]["id"]

    organisme = formations[0]["organisme"]
    text = f"celle de {organisme}"
    _, detail = await run(
        ActionDetailFormation(), make_tracker(domain, text, "demander_details", **slots), domain
    )
    assert detail[0]["organisme"] == organisme


async def test_details_of_an_unknown_item(domain):
    """A rank outside the list gets an explanation, not a crash."""
    slots = {**profile("profil_roubaix"), "resultats": ["a", "b"]}
    tracker = make_tracker(domain, "la 42", "demander_details", **slots)
    _, messages = await run(ActionDetailFormation(), tracker, domain)
    assert responses(messages) == ["utter_detail_introuvable"]


async def test_other_domain_excludes_current_interests(domain):
    """ "Autre domaine" forgets the interests and keeps them aside."""
    tracker = make_tracker(domain, "autre domaine", "autre_domaine", **profile("profil_roubaix"))
    events, _ = await run(ActionAutreDomaine(), tracker, domain)
    slots = slot_events(events)
    assert slots["interets"] is None
    assert slots["domaines_exclus"] == ["developpement"]


async def test_job_sheet_gives_rome_codes_and_nearest_trainings(domain):
    """A job question: the sheet, its official ROME codes, the certifications in force
    that lead to it, the trainings of the catalogue leading to it (nearest to the person
    first) and the sources with the data years."""
    tracker = make_tracker(
        domain, "c'est quoi un développeur ?", "question_metier", **profile("profil_roubaix")
    )
    _, messages = await run(ActionRepondreMetier(), tracker, domain)
    assert responses(messages) == [
        "utter_fiche_developpeur_web_mobile",
        "utter_fiche_rome",
        "utter_fiche_certifications",
        "utter_fiche_formations_pres",
        "utter_fiche_source",
    ]
    rome, certifications, formations, source = messages[1:5]
    assert "M1855 « Développeur / Développeuse web »" in rome["codes"]
    assert certifications["certifications"].startswith("Développeur web et web mobile (RNCP37674")
    assert "Intégrateur / Intégratrice web" in rome["appellations"]
    assert formations["commune"] == "Roubaix"
    nombre = len(
        {r.formation_id for r in services.formations() if {"M1805", "M1855", "M1861"} & set(r.rome)}
    )
    assert formations["formations"] == f"{nombre} formations"
    # Nearest first: the first example is in the Nord (59).
    assert "(59)" in formations["exemples"].split(";")[0]
    assert source["annees"] == "2016-2021"


async def test_job_sheet_without_a_place_quotes_recent_trainings(domain):
    """A job sheet without a known place quotes how many trainings lead to the job."""
    tracker = make_tracker(domain, "ça fait quoi un community manager", "question_metier")
    _, messages = await run(ActionRepondreMetier(), tracker, domain)
    assert responses(messages)[0] == "utter_fiche_community_manager"
    assert messages[2]["response"] == "utter_fiche_formations"
    nombre = len(
        {r.formation_id for r in services.formations() if {"E1101", "E1124"} & set(r.rome)}
    )
    assert messages[2]["formations"] == (f"{nombre} formations" if nombre > 1 else "1 formation")


async def test_job_button_payload_names_the_sheet(domain):
    """A job button's payload entity selects the job sheet shown."""
    entities = [{"entity": "metier", "value": "cybersecurite"}]
    tracker = make_tracker(domain, "/question_metier", "question_metier", entities=entities)
    _, messages = await run(ActionRepondreMetier(), tracker, domain)
    assert responses(messages)[0] == "utter_fiche_cybersecurite"


async def test_two_jobs_are_compared(domain):
    """Asking how two jobs differ gives both short sheets between an intro and a follow-up."""
    tracker = make_tracker(domain, "différence entre développeur et testeur ?", "question_metier")
    _, messages = await run(ActionRepondreMetier(), tracker, domain)
    assert responses(messages) == [
        "utter_comparaison_intro",
        "utter_fiche_developpeur_web_mobile_bref",
        "utter_fiche_testeur_bref",
        "utter_comparaison_suite",
        "utter_fiche_source",
    ]


async def test_unknown_job_offers_the_list(domain):
    """An unrecognised job question offers the list of known jobs."""
    tracker = make_tracker(domain, "c'est quoi ce métier", "question_metier")
    _, messages = await run(ActionRepondreMetier(), tracker, domain)
    assert responses(messages) == ["utter_metier_inconnu"]


@pytest.mark.parametrize(
    ("intent", "response"),
    [
        ("question_cout", "utter_reponse_cout"),
        ("question_prerequis", "utter_reponse_prerequis"),
        ("question_distanciel", "utter_reponse_distanciel"),
        ("question_gen", "utter_reponse_gen"),
    ],
)
async def test_practical_answers_quote_the_catalogue(domain, intent, response):
    """The answer quotes the catalogue's figures, then its source and years."""
    tracker = make_tracker(domain, "?", intent)
    _, messages = await run(ActionRepondreQuestion(), tracker, domain)
    assert responses(messages) == [response, "utter_source_catalogue"]
    rows = services.formations()
    trainings = {r.formation_id: r for r in reversed(rows)}
    assert messages[0]["formations"] == messages[1]["formations"] == len(trainings)
    assert messages[1]["annees"] == "2016-2021"
    if intent == "question_cout":
        free = sum(r.cout == "gratuit" for r in trainings.values())
        assert messages[0]["gratuit"] == free > 0
    if intent == "question_distanciel":
        assert messages[0]["a_distance"] == sum(r.a_distance for r in trainings.values()) > 0


async def test_practical_question_about_the_training_looked_at(domain):
    """After "la 2e", "c'est payant ?" is first answered for that training, with its source
    and date, then for the whole catalogue."""
    vue = next(r for r in services.formations() if r.cout == "payant")
    slots = {**profile("profil_roubaix"), "formation_vue": vue.id}
    tracker = make_tracker(domain, "c'est payant ?", "question_cout", **slots)
    _, messages = await run(ActionRepondreQuestion(), tracker, domain)
    assert responses(messages) == [
        "utter_reponse_formation_vue",
        "utter_reponse_cout",
        "utter_source_catalogue",
    ]
    assert messages[0]["intitule"] == vue.intitule
    assert messages[0]["valeur"] == domain["responses"]["libelle_cout_payant"][0]["text"]
    assert messages[0]["date_donnees"] == vue.date_donnees
    # A question the training's details do not answer gets the general answer only.
    tracker = make_tracker(domain, "et après ?", "question_apres", **slots)
    _, messages = await run(ActionRepondreQuestion(), tracker, domain)
    assert responses(messages) == ["utter_reponse_apres", "utter_source_catalogue"]


def _turns(*turns: tuple[str, list[str]]) -> list[dict[str, Any]]:
    """Rasa events for user messages, each followed by the actions that answered it."""
    events: list[dict[str, Any]] = []
    for text, actions in turns:
        events.append({"event": "user", "text": text})
        events += [{"event": "action", "name": name} for name in actions]
    return events


async def test_restart_and_erase_reset_everything(domain):
    """Restart resets the slots; erasing, confirmed in the next turn, also restarts the
    conversation and says so in a machine-readable payload."""
    tracker = make_tracker(domain, **profile("profil_roubaix"))
    events, messages = await run(ActionRecommencer(), tracker, domain)
    assert [e["event"] for e in events] == ["reset_slots"]
    assert responses(messages) == ["utter_recommencer"]
    tracker.events = _turns(
        ("supprimer mes données", ["utter_confirmer_suppression", "action_listen"]),
        ("oui", []),
    )
    events, messages = await run(ActionSupprimerDonnees(), tracker, domain)
    assert [e["event"] for e in events] == ["reset_slots", "restart"]
    assert responses(messages) == ["utter_donnees_supprimees"]
    assert messages[0]["custom"] == {"type": "effacement", "efface": True}


@pytest.mark.parametrize(
    "history",
    [
        [("je confirme", [])],
        [("bonjour", ["utter_saluer", "action_listen"]), ("je confirme", [])],
        # Asked two turns ago, then the person talked about something else.
        [
            ("supprimer mes données", ["utter_confirmer_suppression", "action_listen"]),
            ("c'est payant ?", ["utter_reponse_cout", "action_listen"]),
            ("oui efface tout", []),
        ],
    ],
)
async def test_erase_without_confirmation_only_asks(domain, history):
    """Erasing without the question "tout effacer ?" in the previous turn asks it and
    erases nothing (no `Restarted`, so the tracker store keeps the conversation)."""
    slots = profile("profil_roubaix")
    tracker = make_tracker(domain, "je confirme", "confirmer_suppression", **slots)
    tracker.events = _turns(*history)
    events, messages = await run(ActionSupprimerDonnees(), tracker, domain)
    assert events == []
    assert responses(messages) == ["utter_confirmer_suppression"]


def test_every_response_used_by_actions_exists(domain):
    """Responses named in the action code are defined in the domain."""
    import re

    names: set[str] = set()
    for path in (REPO_ROOT / "bot").rglob("*.py"):
        if "devtools" in path.parts:
            continue
        names |= set(re.findall(r'"(utter_[a-z0-9_]+)"', path.read_text(encoding="utf-8")))
    names = {n for n in names if not n.endswith("_")}
    missing = sorted(n for n in names if n not in domain["responses"])
    assert not missing


async def test_fallback_repeats_the_pending_question(domain):
    """An answer nobody understood gets "pas compris", then the form asks its question
    again; outside the profile the turn ends (it looped until Rasa's circuit breaker
    tripped, and the rejected form never resumed)."""
    for slot in ("situation", "diplome", "commune"):
        tracker = make_tracker(
            domain, "ok", "affirmer", active_loop="profil_form", requested_slot=slot
        )
        events, messages = await run(ActionRepli(), tracker, domain)
        assert responses(messages) == ["utter_reponse_non_comprise"]
        assert events == [{"event": "followup", "name": "profil_form", "timestamp": None}]
    events, messages = await run(ActionRepli(), make_tracker(domain, "bof", "informer"), domain)
    assert responses(messages) == ["utter_pas_compris"]
    assert events == [{"event": "followup", "name": "action_listen", "timestamp": None}]


async def test_fallback_after_two_asks_does_not_promise_the_question_again(domain):
    """The question was asked twice in a row: no "je te repose la question" (the form
    notes it as not given and moves on); the form still takes over."""
    tracker = asked_twice(domain, "rien", "nlu_fallback", "situation")
    events, messages = await run(ActionRepli(), tracker, domain)
    assert responses(messages) == []
    assert events == [{"event": "followup", "name": "profil_form", "timestamp": None}]
    events, messages = await run(ActionAskSituation(), tracker, domain)
    assert responses(messages) == ["utter_non_precise_situation"]


async def test_unclear_answers_to_the_je_sais_pas_choices_move_on(domain):
    """ "J'hésite" to the "je sais pas" choices: other choices, then the defaults; never
    "je te repose la question" followed by nothing (the form's question stays silent
    while the choices are shown), so at most two unclear answers before the results."""
    slots = {"requested_slot": "interets", "etape_exploration": 1.0}
    tracker = make_tracker(domain, "j'hésite", "nlu_fallback", active_loop="profil_form", **slots)
    events, messages = await run(ActionRepli(), tracker, domain)
    assert responses(messages) == ["utter_exploration_autrement", "utter_explorer_interets_2"]
    assert events[0] == {
        "event": "slot",
        "name": "etape_exploration",
        "value": 2.0,
        "timestamp": None,
    }
    assert events[-1]["name"] == "profil_form"
    slots["etape_exploration"] = 2.0
    tracker = make_tracker(domain, "non plus", "nier", active_loop="profil_form", **slots)
    events, messages = await run(ActionRepli(), tracker, domain)
    assert responses(messages) == ["utter_exploration_autrement", "utter_interets_par_defaut"]
    assert {
        "event": "slot",
        "name": "interets",
        "value": list(DEFAULT_DOMAINS),
        "timestamp": None,
    } in events


async def test_form_asks_the_ambiguous_town_first(domain):
    """With towns to choose from, the form asks the town before anything else."""
    tracker = make_tracker(
        domain,
        "Saint-Denis",
        active_loop="profil_form",
        requested_slot="situation",
        communes_possibles=["Saint-Denis (93)", "Saint-Denis (974)"],
    )
    event = await ValidateProfilForm().next_requested_slot(CollectingDispatcher(), tracker, domain)
    assert (event["name"], event["value"]) == ("requested_slot", "commune")


async def test_form_asks_the_age_again_after_an_implausible_one(domain):
    """After "j'ai 150 ans" the next question is the age, not the one asked before."""
    tracker = make_tracker(
        domain, "j'ai 150 ans", active_loop="profil_form", requested_slot="situation"
    )
    event = await ValidateProfilForm().next_requested_slot(CollectingDispatcher(), tracker, domain)
    assert event["value"] == "age"


async def test_interest_question_is_not_repeated_during_exploration(domain):
    """While the "je sais pas" choices are on screen, the form does not ask again."""
    exploring = make_tracker(domain, etape_exploration=1.0)
    _, messages = await run(ActionAskInterets(), exploring, domain)
    assert messages == []
    _, messages = await run(ActionAskInterets(), make_tracker(domain), domain)
    assert responses(messages) == ["utter_ask_interets"]


async def test_session_start_welcomes_only_new_conversations(domain):
    """The welcome is sent on the first turn, not when a later session starts."""
    from bot.actions.session import ActionSessionStart

    new = make_tracker(domain)
    events, messages = await run(ActionSessionStart(), new, domain)
    assert responses(messages) == ["utter_bienvenue", "utter_notice_confidentialite"]
    notice = messages[1]
    assert notice["jours"] == 30
    assert notice["url_confidentialite"].endswith("/webhooks/webchat/confidentialite")
    template = domain["responses"]["utter_notice_confidentialite"][0]["text"]
    text = template.format(**{k: notice[k] for k in ("jours", "url_confidentialite")})
    for promise in ("30 jours", "supprimer mes données", "moins de 15 ans", "/confidentialite"):
        assert promise in text
    assert events[0]["event"] == "session_started"
    assert (events[-1]["event"], events[-1]["name"]) == ("action", "action_listen")

    returning = make_tracker(domain, **profile("profil_roubaix"))
    returning.events.append({"event": "user", "text": "salut"})
    carry_over = {**domain, "session_config": {"carry_over_slots_to_new_session": True}}
    events, messages = await run(ActionSessionStart(), returning, carry_over)
    assert messages == []
    assert slot_events(events)["commune"] == "Roubaix"
