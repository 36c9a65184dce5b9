"""Rasa-side test doubles: trackers as the action server receives them."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker


def initial_slots(domain: dict[str, Any]) -> dict[str, Any]:
    """Every slot at its initial value."""
    return {name: spec.get("initial_value") for name, spec in domain["slots"].items()}


def make_tracker(
    domain: dict[str, Any],
    text: str = "",
    intent: str = "informer",
    entities: list[dict[str, Any]] | None = None,
    active_loop: str | None = None,
    **slots: Any,
) -> Tracker:
    """A tracker whose latest user message is `text` with `intent`, and these slots."""
    values = {**initial_slots(domain), "requested_slot": None, **slots}
    return Tracker(
        sender_id="test-sender-0001",
        slots=values,
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 0.99},
            "entities": entities or [],
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def asked_twice(domain: dict[str, Any], text: str, intent: str, slot: str) -> Tracker:
    """A tracker whose profile question `slot` was asked twice in a row and is pending,
    with `text` and `intent` as the latest message."""
    return make_tracker(
        domain,
        text,
        intent,
        active_loop="profil_form",
        requested_slot=slot,
        question_posee=slot,
        fois_posee=2.0,
    )
