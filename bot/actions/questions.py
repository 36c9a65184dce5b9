"""Answers to questions asked along the way: job sheets and practical questions."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import services
from bot.actions.recommandations import ActionAccepterDistance
from bot.catalogue.validation import FormationRecord
from bot.faq import SUJETS, faits
from bot.metiers import Fiche, annees, default_fiches, formations_vers
from bot.presentation import Texts, detail, nombre_formations
from bot.presentation_certifications import certifications_metier
from bot.recommend import evaluer

MAX_COMPARES = 3
MAX_EXEMPLES = 3
MAX_APPELLATIONS = 5


def _fiches_demandees(tracker: Tracker) -> list[Fiche]:
    fiches = default_fiches()
    asked = [
        fiche
        for entity in tracker.latest_message.get("entities") or []
        if entity.get("entity") == "metier" and (fiche := fiches.get(str(entity.get("value"))))
    ]
    return asked or fiches.detecter(tracker.latest_message.get("text") or "")


class ActionRepondreMetier(Action):
    """What a job is about: the sheet, its ROME codes and the trainings leading to it;
    a short comparison when the question names several jobs."""

    def name(self) -> str:
        return "action_repondre_metier"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        demandees = _fiches_demandees(tracker)
        if not demandees:
            dispatcher.utter_message(response="utter_metier_inconnu")
            return []
        rows = services.formations()
        if len(demandees) > 1:
            dispatcher.utter_message(response="utter_comparaison_intro")
            for fiche in demandees[:MAX_COMPARES]:
                dispatcher.utter_message(response=f"utter_fiche_{fiche.id}_bref")
            dispatcher.utter_message(response="utter_comparaison_suite")
        else:
            fiche = demandees[0]
            dispatcher.utter_message(response=f"utter_fiche_{fiche.id}")
            appellations = [
                a for a in fiche.appellations if a not in {c.libelle for c in fiche.rome}
            ]
            dispatcher.utter_message(
                response="utter_fiche_rome",
                codes=", ".join(f"{c.code} « {c.libelle} »" for c in fiche.rome),
                appellations=", ".join(appellations[:MAX_APPELLATIONS]),
            )
            certifications = certifications_metier(
                Texts.from_domain(domain), fiche.codes, services.aujourdhui()
            )
            if certifications:
                dispatcher.utter_message(
                    response="utter_fiche_certifications", certifications=certifications
                )
            self._formations(dispatcher, tracker, domain, fiche, rows)
        dispatcher.utter_message(
            response="utter_fiche_source", annees=annees(r.date_donnees for r in rows)
        )
        return []

    @staticmethod
    def _formations(
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        fiche: Fiche,
        rows: list[FormationRecord],
    ) -> None:
        profil = services.profil_from_tracker(tracker)
        menant = formations_vers(fiche, rows, profil.lat, profil.lon)
        if not menant:
            dispatcher.utter_message(response="utter_fiche_aucune_formation")
            return
        texts = Texts.from_domain(domain)
        exemples = "; ".join(
            texts.get(
                "libelle_formation_exemple",
                intitule=f.intitule,
                organisme=f.organisme or "",
                lieu=(
                    texts.get("libelle_lieu", commune=f.commune, departement=f.departement)
                    if f.commune
                    else texts.get("libelle_a_distance")
                ),
            )
            for f in menant[:MAX_EXEMPLES]
        )
        located = profil.lat is not None and profil.commune
        dispatcher.utter_message(
            response="utter_fiche_formations_pres" if located else "utter_fiche_formations",
            formations=nombre_formations(texts, len({f.formation_id for f in menant})),
            annees=annees(f.date_donnees for f in menant),
            exemples=exemples,
            commune=profil.commune,
        )


# Subject of a practical question -> field of the training's details that answers it.
CHAMP_PAR_SUJET = {
    "cout": "cout",
    "remuneration": "cout",
    "prerequis": "niveau",
    "age": "public",
    "duree": "duree",
    "rythme": "duree",
    "distanciel": "lieu",
    "certification": "certification",
}


def _formation_vue(tracker: Tracker, rows: list[FormationRecord]) -> FormationRecord | None:
    """The training whose details were just shown, if any."""
    formation_id = tracker.get_slot("formation_vue")
    return next((f for f in rows if f.id == formation_id), None) if formation_id else None


class ActionRepondreQuestion(Action):
    """Practical questions: about the training just looked at (if any), then what the
    catalogue says, then its source."""

    def name(self) -> str:
        return "action_repondre_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        sujet = SUJETS.get(intent or "")
        if sujet is None:
            dispatcher.utter_message(response="utter_pas_compris")
            return []
        rows = services.formations()
        vue = _formation_vue(tracker, rows)
        if sujet == "distanciel" and vue is None and tracker.get_slot("resultats"):
            # "y en a à distance ?" after the results: show them, not catalogue figures.
            return await ActionAccepterDistance().run(dispatcher, tracker, domain)
        if vue is not None and sujet in CHAMP_PAR_SUJET:
            texts = Texts.from_domain(domain)
            profil = services.profil_from_tracker(tracker)
            fiche = detail(texts, evaluer(profil, vue), profil)
            dispatcher.utter_message(
                response="utter_reponse_formation_vue",
                intitule=fiche["intitule"],
                organisme=fiche["organisme"],
                sujet=texts.get(f"libelle_sujet_{sujet}"),
                valeur=fiche[CHAMP_PAR_SUJET[sujet]],
                source=fiche["source"],
                date_donnees=fiche["date_donnees"],
            )
        chiffres = faits(rows)
        dispatcher.utter_message(response=f"utter_reponse_{sujet}", **chiffres.variables(sujet))
        dispatcher.utter_message(
            response="utter_source_catalogue",
            formations=chiffres.formations,
            annees=chiffres.annees,
        )
        return []
