"""Practical questions (cost, pay, level, age, duration, rhythm, distance learning,
certification, what comes after, the GEN label): what the catalogue says about them.

Plain Python: `faits()` counts, over the catalogue's distinct trainings, the figures that
the answers of the domain (`utter_reponse_<sujet>`) quote, so that every answer states
what the data says, what it does not say, and the data's years.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.catalogue.validation import FormationRecord
from bot.contract import diplome_rank
from bot.metiers import annees
from bot.orthographe import strip_accents

# Intent -> subject of the answer (response `utter_reponse_<subject>`).
SUJETS: dict[str, str] = {
    "question_cout": "cout",
    "question_remuneration": "remuneration",
    "question_prerequis": "prerequis",
    "question_age": "age",
    "question_duree": "duree",
    "question_rythme": "rythme",
    "question_distanciel": "distanciel",
    "question_certification": "certification",
    "question_apres": "apres",
    "question_gen": "gen",
}

_STAGE = re.compile(r"\bstages?\b", re.IGNORECASE)
_ALTERNANCE = re.compile(r"altern|apprentissage|contrat de professionnalisation", re.IGNORECASE)


@dataclass(frozen=True)
class Faits:
    """Figures over distinct trainings (one per `formation_id`)."""

    formations: int
    annees: str
    couts: dict[str, int]
    sans_diplome: int
    bac_ou_plus: int
    niveau_non_precise: int
    sans_limite_age: int
    avec_age_min: int
    avec_age_max: int
    duree_connue: int
    duree_min: float | None
    duree_max: float | None
    duree_mediane: float | None
    avec_stage: int
    en_alternance: int
    a_distance: int
    certifications: dict[str, int]

    def variables(self, sujet: str) -> dict[str, Any]:
        """The variables of `utter_reponse_<sujet>`."""
        common = {"formations": self.formations, "annees": self.annees}
        if sujet in ("cout", "remuneration"):
            return {**common, **{k: self.couts.get(k, 0) for k in _COUTS}}
        if sujet == "prerequis":
            return {
                **common,
                "sans_diplome": self.sans_diplome,
                "bac": self.bac_ou_plus,
                "non_precise": self.niveau_non_precise,
            }
        if sujet == "age":
            return {
                **common,
                "sans_limite": self.sans_limite_age,
                "age_min": self.avec_age_min,
                "age_max": self.avec_age_max,
            }
        if sujet == "duree":
            return {
                **common,
                "duree_connue": self.duree_connue,
                "duree_min": nombre_fr(self.duree_min),
                "duree_max": nombre_fr(self.duree_max),
                "duree_mediane": nombre_fr(self.duree_mediane),
            }
        if sujet == "rythme":
            return {**common, "stage": self.avec_stage, "alternance": self.en_alternance}
        if sujet == "distanciel":
            return {**common, "a_distance": self.a_distance}
        if sujet == "certification":
            return {**common, **{k: self.certifications.get(k, 0) for k in _CERTIFICATIONS}}
        return common


_COUTS = ("gratuit", "remunere", "finance", "payant", "inconnu")
_CERTIFICATIONS = ("certifiante", "diplomante", "qualifiante", "inconnu")


def nombre_fr(value: float | None) -> str:
    """3.5 -> "3,5", 6.0 -> "6", None -> "?"."""
    if value is None:
        return "?"
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _certification(text: str | None) -> str:
    folded = strip_accents((text or "").lower())
    for kind in ("certifiante", "diplomante", "qualifiante"):
        if kind in folded:
            return kind
    if "titre" in folded or "rncp" in folded:
        return "certifiante"
    return "inconnu"


def _texte(f: FormationRecord) -> str:
    return " ".join(filter(None, (f.intitule, f.duree_texte, f.cout_texte)))


def faits(rows: Iterable[FormationRecord]) -> Faits:
    """What the catalogue says, counted once per training (its first row by id)."""
    firsts: dict[str, FormationRecord] = {}
    dates: list[str] = []
    for row in rows:
        firsts.setdefault(row.formation_id, row)
        dates.append(row.date_donnees)
    formations = list(firsts.values())
    durees = [f.duree_mois for f in formations if f.duree_mois is not None]
    bac = diplome_rank("bac")
    return Faits(
        formations=len(formations),
        annees=annees(dates),
        couts=dict(Counter(f.cout for f in formations)),
        sans_diplome=sum(f.diplome_min == "aucun" for f in formations),
        bac_ou_plus=sum(
            f.diplome_min not in (None, "aucun") and diplome_rank(f.diplome_min) >= bac
            for f in formations
        ),
        niveau_non_precise=sum(f.diplome_min is None for f in formations),
        sans_limite_age=sum(f.age_min is None and f.age_max is None for f in formations),
        avec_age_min=sum(f.age_min is not None for f in formations),
        avec_age_max=sum(f.age_max is not None for f in formations),
        duree_connue=len(durees),
        duree_min=min(durees) if durees else None,
        duree_max=max(durees) if durees else None,
        duree_mediane=statistics.median(durees) if durees else None,
        avec_stage=sum(bool(_STAGE.search(f.duree_texte or "")) for f in formations),
        en_alternance=sum(bool(_ALTERNANCE.search(_texte(f))) for f in formations),
        a_distance=sum(f.a_distance for f in formations),
        certifications=dict(Counter(_certification(f.certification) for f in formations)),
    )
