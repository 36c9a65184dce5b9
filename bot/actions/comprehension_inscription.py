""" "Comment je m'inscris ?", "comment on postule ?": the organisation to contact and its
site for the training looked at or the trainings shown, else the next step (issue 17)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import services
from bot.catalogue.validation import FormationRecord
from bot.presentation import Texts
from bot.recommend import MAX_RESULTATS


def reponse_inscription(
    texts: Texts, slots: Mapping[str, Any], formations: Sequence[FormationRecord]
) -> tuple[str, dict[str, Any]]:
    """The response (and its variables) that tells how to sign up, from the slots: the
    training whose details were shown (`formation_vue`), else the page of results shown
    (`resultats`, `page_resultats`), else no results found or none searched yet."""
    by_id = {f.id: f for f in formations}
    vue = by_id.get(slots.get("formation_vue") or "")
    organisme_inconnu = texts.get("libelle_organisme_inconnu")
    if vue is not None:
        variables = {"intitule": vue.intitule, "organisme": vue.organisme or organisme_inconnu}
        if vue.site:
            return "utter_inscription_formation", {**variables, "site": vue.site}
        return "utter_inscription_formation_sans_site", variables
    ids = slots.get("resultats")
    if ids is None:
        return "utter_inscription_avant_resultats", {}
    debut = int(slots.get("page_resultats") or 0) * MAX_RESULTATS
    montrees = [(rang, by_id.get(i)) for rang, i in enumerate(ids, start=1)]
    montrees = [(rang, f) for rang, f in montrees[debut : debut + MAX_RESULTATS] if f is not None]
    if not montrees:
        return "utter_inscription_sans_resultats", {}
    lignes = [
        texts.get(
            "libelle_inscription_ligne",
            rang=rang,
            intitule=f.intitule,
            organisme=f.organisme or organisme_inconnu,
            site=f.site or texts.get("libelle_site_inconnu"),
        )
        for rang, f in montrees
    ]
    return "utter_inscription_resultats", {"lignes": "\n".join(lignes)}


class ActionExpliquerInscription(Action):
    """How to sign up: whom to contact for the trainings shown, or what comes first."""

    def name(self) -> str:
        return "action_expliquer_inscription"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        slots = tracker.current_slot_values()
        formations = services.formations() if slots.get("resultats") else []
        response, variables = reponse_inscription(Texts.from_domain(domain), slots, formations)
        dispatcher.utter_message(response=response, **variables)
        return []
