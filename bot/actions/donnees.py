"""Erasing a person's data on request."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, Restarted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

ERASE_ACTION = "action_supprimer_donnees"


class ActionSupprimerDonnees(Action):
    """Forgets the profile; the tracker store then deletes the stored conversation."""

    def name(self) -> str:
        return ERASE_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_donnees_supprimees")
        return [AllSlotsReset(), Restarted()]
