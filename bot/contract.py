"""The profile contract: canonical slot values shared by every part of the product."""

from __future__ import annotations

SITUATIONS: tuple[str, ...] = ("decrocheur", "demandeur_emploi", "salarie", "etudiant", "autre")

# Ordered from lowest to highest: the order is used to compare levels.
DIPLOMES: tuple[str, ...] = ("aucun", "brevet", "cap_bep", "bac", "bac_plus_2", "bac_plus_3")

DOMAINES: tuple[str, ...] = (
    "developpement",
    "test_logiciel",
    "reseaux_systemes",
    "support_informatique",
    "cybersecurite",
    "data",
    "design",
    "communication_digitale",
    "mediation_numerique",
)

COUTS: tuple[str, ...] = ("gratuit", "payant", "finance", "remunere", "inconnu")

RAYON_KM_DEFAUT = 30

PROFILE_SLOTS: tuple[str, ...] = (
    "situation",
    "diplome",
    "age",
    "commune",
    "departement",
    "region",
    "interets",
    "distanciel",
    "rayon_km",
)


def diplome_rank(code: str) -> int:
    """Position of a diploma code in the ordered scale (aucun = 0)."""
    return DIPLOMES.index(code)

# Actions that the Rasa server side (tracker store, channels) recognises by name.
ERASE_ACTION = "action_supprimer_donnees"
RESTART_ACTION = "action_recommencer"
