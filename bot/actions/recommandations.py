"""Actions that show recommendations, their details, and change a criterion."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from bot.actions import services
from bot.catalogue.recommend_sql import recommander_catalogue
from bot.presentation import Texts, carte, detail, payload
from bot.profile import parse_rang, parse_rayon_km
from bot.recommend import MAX_RESULTATS, RAYON_MAX_KM, Recommandation
from bot.selection import find_mentioned

logger = logging.getLogger(__name__)

_ALTERNATIVE_RESPONSES = {
    "plus_loin": "utter_alternative_plus_loin",
    "a_distance": "utter_alternative_a_distance",
    "domaine_voisin": "utter_alternative_domaine_voisin",
    "non_eligible": "utter_alternative_non_eligible",
}


def _recommend(
    dispatcher: CollectingDispatcher, tracker: Tracker, **overrides: Any
) -> Recommandation | None:
    """The recommendation for the tracker's profile; None (and the person told) when the
    catalogue database fails."""
    profil = services.profil_from_tracker(tracker, **overrides)
    try:
        return recommander_catalogue(profil, services.catalogue())
    except SQLAlchemyError as exc:
        # Only the error class: the message may quote the query's parameters (the profile).
        logger.error("catalogue database unavailable (%s)", type(exc).__name__)
        dispatcher.utter_message(response="utter_catalogue_indisponible")
        return None


def show_recommendations(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: DomainDict,
    page: int = 0,
    **overrides: Any,
) -> list[EventType]:
    """Send one page of results (text cards and the `recommandations` payload)."""
    reco = _recommend(dispatcher, tracker, **overrides)
    if reco is None:
        return []
    resultats = reco.resultats or reco.alternatives
    debut = page * MAX_RESULTATS
    if not resultats:
        dispatcher.utter_message(response="utter_aucun_resultat")
        return [SlotSet("resultats", []), SlotSet("page_resultats", 0.0)]
    if debut >= len(resultats):
        dispatcher.utter_message(response="utter_pas_plus_de_resultats")
        return []
    texts = Texts.from_domain(domain)
    affiches = resultats[debut : debut + MAX_RESULTATS]
    slots = {**tracker.current_slot_values(), **overrides}
    if reco.resultats:
        dispatcher.utter_message(response="utter_intro_resultats", nombre=len(resultats))
    else:
        dispatcher.utter_message(
            response=_ALTERNATIVE_RESPONSES[reco.type_alternative or "plus_loin"],
            rayon_km=int(slots.get("rayon_km") or 30),
            commune=slots.get("commune"),
        )
    for rang, resultat in enumerate(affiches, start=debut + 1):
        dispatcher.utter_message(response="utter_formation_carte", **carte(texts, resultat, rang))
    dispatcher.utter_message(
        json_message=payload(texts, slots, affiches, reco.type_alternative, premier_rang=debut + 1)
    )
    if page == 0:
        dispatcher.utter_message(response="utter_avertissement_donnees")
    dispatcher.utter_message(response="utter_apres_resultats")
    return [
        SlotSet("resultats", [r.formation.id for r in resultats]),
        SlotSet("page_resultats", float(page)),
        SlotSet("formation_vue", None),
    ]


class ActionRecommander(Action):
    def name(self) -> str:
        return "action_recommander"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return show_recommendations(dispatcher, tracker, domain)


class ActionPlusDeResultats(Action):
    def name(self) -> str:
        return "action_plus_de_resultats"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("resultats") is None:
            dispatcher.utter_message(response="utter_pas_encore_de_resultats")
            return []
        page = int(tracker.get_slot("page_resultats") or 0) + 1
        return show_recommendations(dispatcher, tracker, domain, page=page)


class _ChangeCriterion(Action, ABC):
    """Changes one criterion, says so, and shows the new results (abstract: not registered)."""

    @abstractmethod
    def new_values(self, tracker: Tracker) -> dict[str, Any]:
        """The slots to change."""

    @abstractmethod
    def confirmation(self) -> str:
        """The response that confirms the change."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        values = self.new_values(tracker)
        dispatcher.utter_message(response=self.confirmation(), **values)
        events: list[EventType] = [SlotSet(k, v) for k, v in values.items()]
        if tracker.get_slot("interets") and tracker.get_slot("commune"):
            events += show_recommendations(dispatcher, tracker, domain, **values)
        return events


def _rayon(tracker: Tracker) -> float:
    return float(tracker.get_slot("rayon_km") or 30)


class ActionPlusPres(_ChangeCriterion):
    def name(self) -> str:
        return "action_plus_pres"

    def new_values(self, tracker: Tracker) -> dict[str, Any]:
        asked = parse_rayon_km((tracker.latest_message or {}).get("text") or "")
        return {"rayon_km": float(asked or max(5, round(_rayon(tracker) / 2)))}

    def confirmation(self) -> str:
        return "utter_rayon_change"


class ActionElargirZone(_ChangeCriterion):
    def name(self) -> str:
        return "action_elargir_zone"

    def new_values(self, tracker: Tracker) -> dict[str, Any]:
        return {"rayon_km": float(min(RAYON_MAX_KM, _rayon(tracker) * 3))}

    def confirmation(self) -> str:
        return "utter_rayon_change"


class ActionAccepterDistance(_ChangeCriterion):
    def name(self) -> str:
        return "action_accepter_distance"

    def new_values(self, tracker: Tracker) -> dict[str, Any]:
        return {"distanciel": True}

    def confirmation(self) -> str:
        return "utter_distanciel_accepte"


class ActionDetailFormation(Action):
    """Details of one shown training: "la 2e", "celle de Simplon", "celle à Lille"."""

    def name(self) -> str:
        return "action_detail_formation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        ids = tracker.get_slot("resultats")
        if not ids:
            dispatcher.utter_message(response="utter_pas_encore_de_resultats")
            return []
        reco = _recommend(dispatcher, tracker)
        if reco is None:
            return []
        resultats = reco.resultats or reco.alternatives
        message = tracker.latest_message or {}
        rang_entity = next(
            (e.get("value") for e in message.get("entities") or [] if e.get("entity") == "rang"),
            None,
        )
        text = message.get("text") or ""
        rang = int(rang_entity) if str(rang_entity or "").isdigit() else parse_rang(text)
        page = int(tracker.get_slot("page_resultats") or 0)
        choisi = find_mentioned(resultats, text, rang, page * MAX_RESULTATS, MAX_RESULTATS)
        if choisi is None:
            dispatcher.utter_message(response="utter_detail_introuvable")
            return []
        dispatcher.utter_message(
            response="utter_detail_formation", **detail(Texts.from_domain(domain), choisi)
        )
        return [SlotSet("formation_vue", choisi.formation.id)]
