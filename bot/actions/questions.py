"""Answers to questions asked along the way."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.profile import parse_interets


class ActionRepondreMetier(Action):
    """What a job is about: one sheet per domain named in the question."""

    def name(self) -> str:
        return "action_repondre_metier"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = (tracker.latest_message or {}).get("text") or ""
        domaines = parse_interets(text)
        if not domaines or len(domaines) > 3:
            dispatcher.utter_message(response="utter_metier_inconnu")
            return []
        for code in domaines:
            dispatcher.utter_message(response=f"utter_metier_{code}")
        dispatcher.utter_message(response="utter_metier_source")
        return []
