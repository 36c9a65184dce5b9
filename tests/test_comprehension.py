"""Unsure what the person meant: likeliest meanings as buttons, then a person to talk to."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.comprehension import ActionClarifier, choix_probables, echecs_consecutifs

pytestmark = pytest.mark.anyio


def user(intent: str) -> dict[str, Any]:
    return {"event": "user", "text": "...", "parse_data": {"intent": {"name": intent}}}


def bot() -> dict[str, Any]:
    return {"event": "bot", "text": "..."}


def test_consecutive_failures_count_only_the_last_run() -> None:
    events = [user("nlu_fallback"), bot(), user("saluer"), bot(), user("nlu_fallback"), bot()]
    assert echecs_consecutifs(events) == 1
    events += [user("nlu_fallback"), bot()]
    assert echecs_consecutifs(events) == 2
    assert echecs_consecutifs([]) == 0


def test_likeliest_offerable_meanings() -> None:
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
    events = [user("nlu_fallback"), bot(), user("nlu_fallback")]
    dispatcher = CollectingDispatcher()
    await ActionClarifier().run(dispatcher, tracker(events, RANKING), domain)
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_clarifier",
        "utter_contact_humain",
    ]


def test_every_label_names_a_domain_intent(domain) -> None:
    labels = [n for n in domain["responses"] if n.startswith("libelle_intention_")]
    assert len(labels) >= 20
    for name in labels:
        assert name.removeprefix("libelle_intention_") in domain["intents"], name
