"""Actions that show recommendations, their details, and change a criterion.

Thin: what to show and what to say comes from `bot.recommend` (the list, the answer to a
change of criterion) and `bot.presentation` (the messages); the actions read the slots,
query the catalogue and send.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from bot.actions import services
from bot.catalogue.recommend_sql import recommander_catalogue
from bot.contract import RAYON_KM_DEFAUT
from bot.presentation import (
    Message,
    Texts,
    aide,
    annonce,
    annonce_alternative,
    carte,
    detail,
    payload,
    reponse_critere,
    suite,
)
from bot.profil.distance import parse_rayon_km
from bot.recommend import (
    MAX_RESULTATS,
    RAYON_MAX_KM,
    Profil,
    Recommandation,
    Reponse,
    Resultat,
    apres_a_distance,
    apres_plus_loin,
    apres_plus_pres,
    ids,
    interets_par_defaut,
    liste_a_montrer,
    page,
)
from bot.selection import find_mentioned, parse_rang

logger = logging.getLogger(__name__)


def _profil(tracker: Tracker, **overrides: Any) -> Profil:
    """The recommendation profile, with the département, région and whether the
    interests are the "je sais pas" defaults."""
    slots = {**tracker.current_slot_values(), **overrides}
    return replace(
        services.profil_from_tracker(tracker, **overrides),
        departement=slots.get("departement"),
        region=slots.get("region"),
        interets_par_defaut=interets_par_defaut(slots.get("interets"), tracker.events or []),
    )


def _recommend(
    dispatcher: CollectingDispatcher, domain: DomainDict, profil: Profil
) -> Recommandation | None:
    """The recommendation for the profile; None (and the person told, with who can help
    at their age) when the catalogue database fails."""
    try:
        return recommander_catalogue(profil, services.catalogue())
    except SQLAlchemyError as exc:
        # Only the error class: the message may quote the query's parameters (the profile).
        logger.error("catalogue database unavailable (%s)", type(exc).__name__)
        dispatcher.utter_message(
            response="utter_catalogue_indisponible",
            aide=aide(Texts.from_domain(domain), profil.age),
        )
        return None


def _deja_vus(tracker: Tracker) -> tuple[list[str], list[str]]:
    """(every id of the list already proposed, ids of the page shown last)."""
    tous = list(tracker.get_slot("resultats") or [])
    numero = int(tracker.get_slot("page_resultats") or 0)
    return tous, tous[numero * MAX_RESULTATS : (numero + 1) * MAX_RESULTATS]


def _send(dispatcher: CollectingDispatcher, messages: list[Message]) -> None:
    for message in messages:
        dispatcher.utter_message(**message)


def show_list(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: DomainDict,
    profil: Profil,
    reco: Recommandation,
    liste: list[Resultat],
    numero: int,
    entete: list[Message],
    **overrides: Any,
) -> list[EventType]:
    """Send page `numero` of `liste` (messages before, text cards, the `recommandations`
    payload, messages after) and remember the list in its order."""
    t = Texts.from_domain(domain)
    affiches = page(liste, numero)
    premier = numero * MAX_RESULTATS + 1
    _send(dispatcher, entete)
    for rang, resultat in enumerate(affiches, start=premier):
        dispatcher.utter_message(
            response="utter_formation_carte", **carte(t, resultat, rang, profil)
        )
    slots = {**tracker.current_slot_values(), **overrides}
    dispatcher.utter_message(
        json_message=payload(
            t, slots, affiches, reco.type_alternative, premier_rang=premier, profil=profil
        )
    )
    _send(dispatcher, suite(t, profil, reco, numero, affiches))
    return [
        SlotSet("resultats", ids(liste)),
        SlotSet("page_resultats", float(numero)),
        SlotSet("formation_vue", None),
    ]


def show_recommendations(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> list[EventType]:
    """Send the first page of results for the tracker's profile."""
    profil = _profil(tracker)
    reco = _recommend(dispatcher, domain, profil)
    if reco is None:
        return []
    services.compter_recherche(tracker, profil, reco)
    liste = liste_a_montrer(profil, reco)
    t = Texts.from_domain(domain)
    if not liste:
        dispatcher.utter_message(response="utter_aucun_resultat", aide=aide(t, profil.age))
        return [SlotSet("resultats", []), SlotSet("page_resultats", 0.0)]
    entete = annonce(t, profil, reco, liste, 0)
    return show_list(dispatcher, tracker, domain, profil, reco, liste, 0, entete)


class ActionRecommander(Action):
    def name(self) -> str:
        return "action_recommander"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return show_recommendations(dispatcher, tracker, domain)


class ActionPlusDeResultats(Action):
    """ "Voir plus": the next page of the list already shown, in its order."""

    def name(self) -> str:
        return "action_plus_de_resultats"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot("resultats") is None:
            dispatcher.utter_message(response="utter_pas_encore_de_resultats")
            return []
        profil = _profil(tracker)
        reco = _recommend(dispatcher, domain, profil)
        if reco is None:
            return []
        tous, _ = _deja_vus(tracker)
        liste = liste_a_montrer(profil, reco, ordre=tous)
        numero = int(tracker.get_slot("page_resultats") or 0) + 1
        if numero * MAX_RESULTATS >= len(liste):
            dispatcher.utter_message(response="utter_pas_plus_de_resultats")
            return []
        entete = annonce(Texts.from_domain(domain), profil, reco, liste, numero)
        return show_list(dispatcher, tracker, domain, profil, reco, liste, numero, entete)


class _ChangeCriterion(Action, ABC):
    """Changes one criterion and shows the new list, or says plainly why nothing changes
    (abstract: not registered)."""

    critere: str = ""
    # The slots are changed even when the list does not change (the person's choice).
    toujours_garder = False

    @abstractmethod
    def new_values(self, tracker: Tracker) -> dict[str, Any]:
        """The slots to change."""

    @abstractmethod
    def noted(self) -> str:
        """The response that notes the change before any search."""

    @abstractmethod
    def decide(self, profil: Profil, reco: Recommandation, tracker: Tracker) -> Reponse:
        """What to show or say once the criterion is changed."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        values = self.new_values(tracker)
        events: list[EventType] = [SlotSet(k, v) for k, v in values.items()]
        shown = {k: int(v) if isinstance(v, float) else v for k, v in values.items()}
        if not tracker.get_slot("interets"):
            dispatcher.utter_message(response=self.noted(), **shown)
            return events
        if not tracker.get_slot("commune") and self.critere != "a_distance":
            # Results without a town (distance learning only): no radius to change.
            dispatcher.utter_message(response="utter_critere_sans_ville")
            return []
        profil = _profil(tracker, **values)
        reco = _recommend(dispatcher, domain, profil)
        if reco is None:
            return []
        services.compter_recherche(tracker, profil, reco)
        t = Texts.from_domain(domain)
        reponse = self.decide(profil, reco, tracker)
        message = reponse_critere(t, self.critere, reponse, profil)
        if reponse.code != "montrer":
            dispatcher.utter_message(**message)
            dispatcher.utter_message(response="utter_apres_resultats")
            return events if self.toujours_garder else []
        entete = [message]
        if not reco.resultats:
            entete.append(annonce_alternative(t, profil, reco))
        return events + show_list(
            dispatcher, tracker, domain, profil, reco, reponse.liste, 0, entete, **values
        )


def _rayon(tracker: Tracker) -> float:
    return float(tracker.get_slot("rayon_km") or RAYON_KM_DEFAUT)


class ActionPlusPres(_ChangeCriterion):
    """ "Plus près": never farther trainings; nearest first, or "nothing closer"."""

    critere = "plus_pres"

    def name(self) -> str:
        return "action_plus_pres"

    def new_values(self, tracker: Tracker) -> dict[str, Any]:
        asked = parse_rayon_km((tracker.latest_message or {}).get("text") or "")
        return {"rayon_km": float(asked or max(5, round(_rayon(tracker) / 2)))}

    def noted(self) -> str:
        return "utter_rayon_change"

    def decide(self, profil: Profil, reco: Recommandation, tracker: Tracker) -> Reponse:
        return apres_plus_pres(profil, reco, _deja_vus(tracker)[1])


class ActionElargirZone(_ChangeCriterion):
    """ "Plus loin": a wider radius; the trainings it adds come first, or "nothing more"."""

    critere = "plus_loin"
    toujours_garder = True

    def name(self) -> str:
        return "action_elargir_zone"

    def new_values(self, tracker: Tracker) -> dict[str, Any]:
        return {"rayon_km": float(min(RAYON_MAX_KM, _rayon(tracker) * 3))}

    def noted(self) -> str:
        return "utter_rayon_change"

    def decide(self, profil: Profil, reco: Recommandation, tracker: Tracker) -> Reponse:
        return apres_plus_loin(profil, reco, _deja_vus(tracker)[0])


class ActionAccepterDistance(_ChangeCriterion):
    """ "À distance": distance learning first, or "none in this domain"."""

    critere = "a_distance"
    toujours_garder = True

    def name(self) -> str:
        return "action_accepter_distance"

    def new_values(self, tracker: Tracker) -> dict[str, Any]:
        return {"distanciel": True}

    def noted(self) -> str:
        return "utter_distanciel_note"

    def decide(self, profil: Profil, reco: Recommandation, tracker: Tracker) -> Reponse:
        return apres_a_distance(profil, reco, _deja_vus(tracker)[1])


class ActionDetailFormation(Action):
    """Details of one shown training: "la 2e", "celle de Simplon", "celle à Lille"."""

    def name(self) -> str:
        return "action_detail_formation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        tous = tracker.get_slot("resultats")
        if not tous:
            dispatcher.utter_message(response="utter_pas_encore_de_resultats")
            return []
        profil = _profil(tracker)
        reco = _recommend(dispatcher, domain, profil)
        if reco is None:
            return []
        liste = liste_a_montrer(profil, reco, ordre=tous)
        message = tracker.latest_message or {}
        rang_entity = next(
            (e.get("value") for e in message.get("entities") or [] if e.get("entity") == "rang"),
            None,
        )
        text = message.get("text") or ""
        rang = int(rang_entity) if str(rang_entity or "").isdigit() else parse_rang(text)
        numero = int(tracker.get_slot("page_resultats") or 0)
        choisi = find_mentioned(liste, text, rang, numero * MAX_RESULTATS, MAX_RESULTATS)
        if choisi is None:
            dispatcher.utter_message(response="utter_detail_introuvable")
            return []
        t = Texts.from_domain(domain)
        dispatcher.utter_message(
            response="utter_detail_formation", **detail(t, choisi, profil), aide=aide(t, profil.age)
        )
        return [SlotSet("formation_vue", choisi.formation.id)]
