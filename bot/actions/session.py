"""Session start: carries the profile over and welcomes a new conversation."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.config import privacy_page_url, retention_days


class ActionSessionStart(Action):
    """Like Rasa's default, plus the welcome message and the privacy notice on the very
    first turn."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        carry_over = (domain.get("session_config") or {}).get("carry_over_slots_to_new_session")
        if carry_over:
            events += [
                SlotSet(name, value)
                for name, value in tracker.current_slot_values().items()
                if value is not None and name != "requested_slot"
            ]
        if not any(e.get("event") == "user" for e in tracker.events):
            dispatcher.utter_message(response="utter_bienvenue")
            dispatcher.utter_message(
                response="utter_notice_confidentialite",
                jours=retention_days(),
                url_confidentialite=privacy_page_url(),
            )
        events.append(ActionExecuted("action_listen"))
        return events
