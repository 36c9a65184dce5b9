"""No question is asked three times in a row: plainly, then rephrased with an example,
then the assistant goes on without the answer; facts given out of turn are said back."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.profil import (
    ASK_COUNT,
    ASKED_SLOT,
    UNSPECIFIED,
    ActionAskAge,
    ActionAskCommune,
    ActionAskDiplome,
    ActionAskInterets,
    ActionAskSituation,
    ActionExtraireProfil,
    ValidateProfilForm,
)
from bot.exploration import DEFAULT_DOMAINS
from tests.support.rasa import make_tracker

pytestmark = pytest.mark.anyio
ASKS = [ActionAskSituation, ActionAskAge, ActionAskDiplome, ActionAskCommune, ActionAskInterets]


async def ask_three_times(domain: dict[str, Any], action: Any) -> list[tuple[list, list]]:
    """Runs the ask action three times in a row, carrying its slots over like Rasa."""
    slots: dict[str, Any] = {"requested_slot": action.slot}
    turns = []
    for _ in range(3):
        tracker = make_tracker(domain, "ok", "affirmer", active_loop="profil_form", **slots)
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, tracker, domain)
        turns.append((events, [m.get("response") for m in dispatcher.messages]))
        slots.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
    return turns


@pytest.mark.parametrize("action_class", ASKS)
async def test_a_question_is_asked_twice_then_the_form_goes_on(domain, action_class) -> None:
    """First the question, then its rephrasing with an example, then "je note : …
    non précisé" and the form runs again to ask the next question (a dropout persona was
    asked the diploma question 16 times in a row)."""
    action = action_class()
    (first, said_1), (second, said_2), (third, said_3) = await ask_three_times(domain, action)
    assert said_1 == [f"utter_ask_{action.slot}"]
    assert said_2 == [f"utter_relance_{action.slot}"]
    assert said_3 == [f"utter_non_precise_{action.slot}"]
    assert {"event": "slot", "name": ASK_COUNT, "value": 2.0, "timestamp": None} in second
    assert third[-1]["event"] == "followup" and third[-1]["name"] == "profil_form"
    slots = {e["name"]: e["value"] for e in third if e.get("event") == "slot"}
    assert slots[UNSPECIFIED] == [action.slot]
    assert slots[ASKED_SLOT] is None
    for name in (f"utter_relance_{action.slot}", f"utter_non_precise_{action.slot}"):
        assert name in domain["responses"]
    assert "par exemple" in domain["responses"][f"utter_relance_{action.slot}"][0]["text"]


async def test_going_on_without_a_town_or_interests_says_what_it_changes(domain) -> None:
    """Without a town only distance learning is possible; without interests, beginner
    domains: the slots say so, as the note does."""
    *_, (third, _) = await ask_three_times(domain, ActionAskCommune())
    assert {"event": "slot", "name": "distanciel", "value": True, "timestamp": None} in third
    assert "distance" in domain["responses"]["utter_non_precise_commune"][0]["text"]
    *_, (third, _) = await ask_three_times(domain, ActionAskInterets())
    slots = {e["name"]: e["value"] for e in third if e.get("event") == "slot"}
    assert slots["interets"] == list(DEFAULT_DOMAINS)


async def test_another_question_in_between_starts_the_count_again(domain) -> None:
    """Asking the age after the situation is a first ask, not a repeat."""
    tracker = make_tracker(
        domain, "ok", active_loop="profil_form", **{ASKED_SLOT: "situation", ASK_COUNT: 2.0}
    )
    dispatcher = CollectingDispatcher()
    events = await ActionAskAge().run(dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_ask_age"]
    assert {"event": "slot", "name": ASK_COUNT, "value": 1.0, "timestamp": None} in events


async def test_the_form_skips_what_was_not_given(domain) -> None:
    """A slot noted as not given is no longer required, unless it was given since."""
    form = ValidateProfilForm()
    required = ["situation", "age", "diplome", "commune", "interets"]
    tracker = make_tracker(domain, "ok", active_loop="profil_form", non_precises=["diplome"])
    slots = await form.required_slots(required, CollectingDispatcher(), tracker, domain)
    assert slots == ["situation", "age", "commune", "interets"]
    tracker = make_tracker(
        domain, "bac", active_loop="profil_form", non_precises=["diplome"], diplome="bac"
    )
    assert "diplome" in await form.required_slots(required, CollectingDispatcher(), tracker, domain)


async def test_a_fact_given_out_of_turn_is_said_back(domain) -> None:
    """ "bordeaux" at the diploma question fills the town and says so briefly (it was
    taken silently, or not at all, and the diploma question came back)."""
    tracker = make_tracker(
        domain, "bordeaux", "informer", active_loop="profil_form", requested_slot="diplome"
    )
    events = await ActionExtraireProfil().run(CollectingDispatcher(), tracker, domain)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["commune"] == "Bordeaux"
    [note] = [m for m in slots["messages_en_attente"] if m["response"] == "utter_fait_note"]
    assert note["faits"] == "ville : Bordeaux"
    answer = make_tracker(
        domain, "bac pro", "informer", active_loop="profil_form", requested_slot="diplome"
    )
    events = await ActionExtraireProfil().run(CollectingDispatcher(), answer, domain)
    assert not any(e.get("name") == "messages_en_attente" for e in events)
