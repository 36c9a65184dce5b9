""" "Mon profil", "tu as retenu quoi sur moi ?": a short summary of what the assistant knows,
with the way to correct it (issue 17)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.contract import DIPLOMES, DOMAINES, RAYON_KM_DEFAUT, SITUATIONS
from bot.presentation import Texts

# The facts the person gives; distance (radius and distance learning) always has a value.
FAITS = ("situation", "age", "diplome", "commune", "interets")


def _valeur(texts: Texts, slot: str, slots: Mapping[str, Any]) -> str | None:
    value = slots.get(slot)
    if slot == "situation" and value in SITUATIONS:
        return texts.get(f"resume_situation_{value}")
    if slot == "age" and isinstance(value, (int, float)):
        return texts.get("resume_age_valeur", age=int(value))
    if slot == "diplome" and value in DIPLOMES:
        return texts.get(f"libelle_diplome_{value}")
    if slot == "commune" and value:
        if slots.get("departement"):
            departement = slots["departement"]
            return texts.get("resume_commune_valeur", commune=value, departement=departement)
        return str(value)
    if slot == "interets":
        known = [d for d in value or [] if d in DOMAINES]
        return ", ".join(texts.get(f"libelle_domaine_{d}") for d in known) or None
    return None


def resume_profil(texts: Texts, slots: Mapping[str, Any]) -> str | None:
    """The lines of the summary (one per fact, "pas encore dit" when missing, then the
    distance accepted); None when the person has said nothing yet."""
    valeurs = {slot: _valeur(texts, slot, slots) for slot in FAITS}
    if all(v is None for v in valeurs.values()):
        return None
    inconnu = texts.get("resume_inconnu")
    lignes = [texts.get(f"resume_{slot}", valeur=v or inconnu) for slot, v in valeurs.items()]
    a_distance = "resume_a_distance_oui" if slots.get("distanciel") else "resume_a_distance_non"
    lignes.append(
        texts.get(
            "resume_distance",
            rayon_km=int(slots.get("rayon_km") or RAYON_KM_DEFAUT),
            a_distance=texts.get(a_distance),
        )
    )
    return "\n".join(lignes)


class ActionResumerProfil(Action):
    """What the assistant knows about the person, and how to correct it."""

    def name(self) -> str:
        return "action_resumer_profil"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lignes = resume_profil(Texts.from_domain(domain), tracker.current_slot_values())
        if lignes is None:
            dispatcher.utter_message(response="utter_resume_profil_vide")
        else:
            dispatcher.utter_message(response="utter_resume_profil", lignes=lignes)
        return []
