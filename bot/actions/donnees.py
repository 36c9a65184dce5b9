"""Erasing a person's data on request, once they have confirmed it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, Restarted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.contract import ERASE_ACTION

CONFIRMATION_QUESTION = "utter_confirmer_suppression"


def confirmation_was_asked(events: Iterable[dict[str, Any]]) -> bool:
    """True when the assistant asked "tout effacer ?" in its answer to the person's
    previous message, i.e. between the last two user messages."""
    users = 0
    for event in reversed(list(events)):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                return False
        elif (
            users == 1
            and event.get("event") == "action"
            and event.get("name") == CONFIRMATION_QUESTION
        ):
            return True
    return False


class ActionSupprimerDonnees(Action):
    """Forgets the profile; the tracker store then deletes the stored conversation (it
    erases when this action ends with `Restarted`). Without a confirmation asked in the
    previous turn, it only asks for one."""

    def name(self) -> str:
        return ERASE_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not confirmation_was_asked(tracker.events):
            dispatcher.utter_message(response=CONFIRMATION_QUESTION)
            return []
        dispatcher.utter_message(
            response="utter_donnees_supprimees", json_message={"type": "effacement", "efface": True}
        )
        return [AllSlotsReset(), Restarted()]
