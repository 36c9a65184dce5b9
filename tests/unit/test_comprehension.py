"""Unsure what the person meant: likeliest meanings as buttons, then a person to talk to;
"mon profil" and "comment je m'inscris" (issue 17)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import services
from bot.actions.comprehension import ActionClarifier, choix_probables, echecs_consecutifs
from bot.actions.comprehension_inscription import (
    ActionExpliquerInscription,
    reponse_inscription,
)
from bot.actions.comprehension_profil import ActionResumerProfil, resume_profil
from bot.catalogue.validation import validate_files
from bot.config import REPO_ROOT
from bot.presentation import Texts
from tests.support.rasa import asked_twice, make_tracker

pytestmark = pytest.mark.anyio


def user(intent: str) -> dict[str, Any]:
    return {"event": "user", "text": "...", "parse_data": {"intent": {"name": intent}}}


def bot() -> dict[str, Any]:
    return {"event": "bot", "text": "..."}


def test_consecutive_failures_count_only_the_last_run() -> None:
    """Only the latest run of consecutive NLU failures is counted."""
    events = [user("nlu_fallback"), bot(), user("saluer"), bot(), user("nlu_fallback"), bot()]
    assert echecs_consecutifs(events) == 1
    events += [user("nlu_fallback"), bot()]
    assert echecs_consecutifs(events) == 2
    assert echecs_consecutifs([]) == 0


def test_likeliest_offerable_meanings() -> None:
    """The two likeliest offerable intents are proposed, else two defaults."""
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "hors_sujet", "confidence": 0.30},  # not offered as a choice
        {"name": "question_cout", "confidence": 0.25},
        {"name": "question_duree", "confidence": 0.20},
        {"name": "question_gen", "confidence": 0.10},
    ]
    offerable = {"question_cout", "question_duree", "question_gen", "demander_formation"}
    assert choix_probables(ranking, offerable) == ["question_cout", "question_duree"]
    # Nothing offerable in the ranking: the two defaults.
    assert choix_probables(ranking[:2], offerable | {"question_metier"}) == [
        "demander_formation",
        "question_metier",
    ]


def tracker(events: list[dict[str, Any]], ranking: list[dict[str, Any]]) -> Tracker:
    return Tracker(
        sender_id="test-sender-0002",
        slots={},
        latest_message={
            "text": "blablabla",
            "intent": {"name": "nlu_fallback"},
            "intent_ranking": ranking,
            "entities": [],
        },
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


RANKING = [
    {"name": "nlu_fallback", "confidence": 0.45},
    {"name": "question_metier", "confidence": 0.40},
    {"name": "demander_formation", "confidence": 0.35},
]


async def test_first_failure_offers_two_meanings_and_something_else(domain) -> None:
    """A first misunderstanding offers two likely meanings and 'something else'."""
    dispatcher = CollectingDispatcher()
    await ActionClarifier().run(dispatcher, tracker([user("nlu_fallback")], RANKING), domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_clarifier"
    assert message["buttons"] == [
        {"title": "Savoir ce que fait un métier", "payload": "/question_metier"},
        {"title": "Trouver une formation", "payload": "/demander_formation"},
        {"title": "Autre chose", "payload": "/demander_aide"},
    ]


async def test_second_failure_in_a_row_offers_a_person(domain) -> None:
    """A second misunderstanding in a row also offers to contact a person."""
    events = [user("nlu_fallback"), bot(), user("nlu_fallback")]
    dispatcher = CollectingDispatcher()
    await ActionClarifier().run(dispatcher, tracker(events, RANKING), domain)
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_clarifier",
        "utter_contact_humain",
    ]


async def test_unclear_answer_to_a_profile_question_offers_no_other_meanings(domain) -> None:
    """ "rien" to the situation question: only "pas compris" (the form asks again with its
    own buttons), no "Tu veux : ..." choices on top of the question."""
    pending = make_tracker(
        domain, "rien", "nlu_fallback", active_loop="profil_form", requested_slot="situation"
    )
    dispatcher = CollectingDispatcher()
    assert await ActionClarifier().run(dispatcher, pending, domain) == []
    [message] = dispatcher.messages
    assert message["response"] == "utter_reponse_non_comprise"
    assert not message["buttons"]


async def test_unclear_third_answer_is_not_promised_the_question_again(domain) -> None:
    """The situation question was asked twice in a row: the clarifier says nothing (the
    form notes "situation non précisée" and asks the next question)."""
    pending = asked_twice(domain, "rien", "nlu_fallback", "situation")
    dispatcher = CollectingDispatcher()
    assert await ActionClarifier().run(dispatcher, pending, domain) == []
    assert dispatcher.messages == []


async def test_unclear_message_that_answered_the_question_is_not_questioned(domain) -> None:
    """ "rien" to the diploma question fills it (none): the clarifier says nothing."""
    answered = make_tracker(
        domain,
        "rien",
        "nlu_fallback",
        active_loop="profil_form",
        requested_slot="diplome",
        diplome="aucun",
    )
    dispatcher = CollectingDispatcher()
    assert await ActionClarifier().run(dispatcher, answered, domain) == []
    assert dispatcher.messages == []


def test_every_label_names_a_domain_intent(domain) -> None:
    """Every intent label response names an intent of the domain."""
    labels = [n for n in domain["responses"] if n.startswith("libelle_intention_")]
    assert len(labels) >= 20
    for name in labels:
        assert name.removeprefix("libelle_intention_") in domain["intents"], name


# --- issue 17: "mon profil" and "comment je m'inscris" ------------------------------------


@pytest.fixture(scope="module")
def formations():
    records, errors = validate_files(sorted((REPO_ROOT / "knowledge/catalogue").glob("*.jsonl")))
    assert not errors
    return records


def test_summary_lists_every_fact_and_what_is_missing(domain) -> None:
    """The summary says each known fact in words and "pas encore dit" for the others."""
    slots = {
        "situation": "demandeur_emploi",
        "age": 20.0,
        "diplome": "aucun",
        "commune": "Roubaix",
        "departement": "59",
        "interets": None,
        "distanciel": False,
        "rayon_km": 30.0,
    }
    lignes = resume_profil(Texts.from_domain(domain), slots).splitlines()
    assert lignes == [
        "• Ta situation : tu cherches du travail",
        "• Ton âge : 20 ans",
        "• Ton diplôme le plus haut : aucun diplôme",
        "• Ta ville : Roubaix (59)",
        "• Ce qui te plaît : pas encore dit",
        "• Distance : jusqu'à 30 km autour de chez toi ; sur place seulement (dis « à distance »"
        " si ça t'intéresse aussi)",
    ]


def test_summary_with_interests_and_distance_learning(domain) -> None:
    """Interests are named in words; accepted distance learning is said."""
    slots = {"interets": ["data", "design"], "distanciel": True, "rayon_km": 50.0}
    text = resume_profil(Texts.from_domain(domain), slots)
    assert "• Ce qui te plaît : les données (data), le design et le graphisme" in text
    assert "jusqu'à 50 km autour de chez toi ; les formations à distance aussi" in text


async def test_summary_action_offers_a_correction(domain) -> None:
    """The action sends the summary with the way to correct it, or says nothing is known."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(domain, "tu as retenu quoi sur moi ?", "demander_profil", age=19.0)
    assert await ActionResumerProfil().run(dispatcher, tracker, domain) == []
    assert dispatcher.messages[0]["response"] == "utter_resume_profil"
    assert "Ton âge : 19 ans" in dispatcher.messages[0]["lignes"]
    assert "en fait j'ai 20 ans" in domain["responses"]["utter_resume_profil"][0]["text"]
    dispatcher = CollectingDispatcher()
    await ActionResumerProfil().run(dispatcher, make_tracker(domain, "mon profil"), domain)
    assert dispatcher.messages[0]["response"] == "utter_resume_profil_vide"


def test_sign_up_for_the_training_looked_at(domain, formations) -> None:
    """After the details of a training: its organisation and site."""
    vue = next(f for f in formations if f.site)
    texts = Texts.from_domain(domain)
    response, variables = reponse_inscription(
        texts, {"formation_vue": vue.id, "resultats": [vue.id]}, formations
    )
    assert response == "utter_inscription_formation"
    assert variables == {"intitule": vue.intitule, "organisme": vue.organisme, "site": vue.site}
    sans_site = next(f for f in formations if not f.site)
    response, _ = reponse_inscription(texts, {"formation_vue": sans_site.id}, formations)
    assert response == "utter_inscription_formation_sans_site"


def test_sign_up_after_the_results_lists_the_page_shown(domain, formations) -> None:
    """After the results: the contact of each training of the page shown, with its rank."""
    ids = [f.id for f in formations[:7]]
    texts = Texts.from_domain(domain)
    response, variables = reponse_inscription(
        texts, {"resultats": ids, "page_resultats": 1.0}, formations
    )
    assert response == "utter_inscription_resultats"
    lignes = variables["lignes"].splitlines()
    assert [ligne.split(".")[0] for ligne in lignes] == ["6", "7"]
    assert lignes[0].startswith(f"6. {formations[5].intitule} – ")


@pytest.mark.parametrize(
    ("slots", "expected"),
    [
        ({}, "utter_inscription_avant_resultats"),
        ({"resultats": []}, "utter_inscription_sans_resultats"),
    ],
)
def test_sign_up_before_or_without_results(domain, formations, slots, expected) -> None:
    """Before any search: the next step; nothing found: whom to ask."""
    assert reponse_inscription(Texts.from_domain(domain), slots, formations)[0] == expected


async def test_sign_up_action(domain, formations, monkeypatch) -> None:
    """The action reads the catalogue only when results were shown."""
    monkeypatch.setattr(services, "formations", lambda: formations)
    vue = formations[0]
    tracker = make_tracker(
        domain,
        "comment je m'inscris",
        "demander_inscription",
        formation_vue=vue.id,
        resultats=[vue.id],
    )
    dispatcher = CollectingDispatcher()
    await ActionExpliquerInscription().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["response"].startswith("utter_inscription_formation")
    assert dispatcher.messages[0]["intitule"] == vue.intitule
