"""Recommendation logic: eligibility, interest match, distance, score and reasons.

Plain Python, no Rasa and no database: it takes a profile and catalogue rows (any
object with the attributes of `knowledge/SCHEMA.md`, e.g. `FormationRecord`) and
returns ranked results. Reasons are codes with parameters; the action server renders
them with the French texts of `domain.yml`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.contract import DIPLOMES, RAYON_KM_DEFAUT, diplome_rank
from bot.geo import distance_km

# Domains a person interested in the key may also like (used for alternatives).
VOISINS: dict[str, tuple[str, ...]] = {
    "developpement": ("test_logiciel", "design", "data"),
    "test_logiciel": ("developpement", "support_informatique"),
    "reseaux_systemes": ("support_informatique", "cybersecurite"),
    "support_informatique": ("reseaux_systemes", "mediation_numerique"),
    "cybersecurite": ("reseaux_systemes", "developpement"),
    "data": ("developpement", "test_logiciel"),
    "design": ("developpement", "communication_digitale"),
    "communication_digitale": ("design", "mediation_numerique"),
    "mediation_numerique": ("support_informatique", "communication_digitale"),
}

MAX_RESULTATS = 5
RAYON_MAX_KM = 2000


class FormationLike(Protocol):
    id: str
    intitule: str
    organisme: str | None
    commune: str | None
    departement: str | None
    lat: float | None
    lon: float | None
    a_distance: bool
    duree_texte: str | None
    cout: str
    diplome_min: str | None
    diplome_max: str | None
    age_min: int | None
    age_max: int | None
    public_cible: list[str]
    domaines: list[str]


@dataclass(frozen=True)
class Profil:
    """The profile slots that matter for recommending (None = unknown)."""

    situation: str | None = None
    diplome: str | None = None
    age: float | None = None
    commune: str | None = None
    lat: float | None = None
    lon: float | None = None
    interets: tuple[str, ...] = ()
    distanciel: bool = False
    rayon_km: float = RAYON_KM_DEFAUT
    domaines_exclus: tuple[str, ...] = ()


@dataclass(frozen=True)
class Raison:
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Resultat:
    formation: Any
    score: float
    distance_km: float | None
    eligible: bool
    raisons: list[Raison]
    blocages: list[Raison]
    interet_direct: bool
    interet_voisin: bool
    dans_la_zone: bool


@dataclass
class Recommandation:
    """Ranked results; `alternatives` is filled only when `resultats` is empty."""

    resultats: list[Resultat]
    alternatives: list[Resultat]
    type_alternative: str | None  # "plus_loin", "a_distance", "domaine_voisin", "non_eligible"


def eligibilite(profil: Profil, f: FormationLike) -> tuple[list[Raison], list[Raison]]:
    """Reasons that make the training open to this person, and reasons that block it."""
    ok: list[Raison] = []
    bloque: list[Raison] = []
    if profil.age is not None:
        if f.age_min is not None and profil.age < f.age_min:
            bloque.append(Raison("age_min", {"age_min": f.age_min}))
        elif f.age_max is not None and profil.age > f.age_max:
            bloque.append(Raison("age_max", {"age_max": f.age_max}))
        elif f.age_min is not None or f.age_max is not None:
            ok.append(Raison("age_ok", {"age_min": f.age_min, "age_max": f.age_max}))
    if profil.diplome in DIPLOMES:
        rang = diplome_rank(profil.diplome)
        if f.diplome_min in DIPLOMES and rang < diplome_rank(f.diplome_min):
            bloque.append(Raison("diplome_min", {"diplome": f.diplome_min}))
        elif f.diplome_max in DIPLOMES and rang > diplome_rank(f.diplome_max):
            bloque.append(Raison("diplome_max", {"diplome": f.diplome_max}))
        elif f.diplome_min == "aucun":
            ok.append(Raison("sans_diplome"))
        elif f.diplome_min in DIPLOMES:
            ok.append(Raison("niveau_ok", {"diplome": f.diplome_min}))
    elif f.diplome_min == "aucun":
        ok.append(Raison("sans_diplome"))
    if f.public_cible:
        if profil.situation in f.public_cible:
            ok.append(Raison("public", {"situation": profil.situation}))
        elif profil.situation is not None:
            bloque.append(Raison("public_reserve", {"publics": list(f.public_cible)}))
    return ok, bloque


def evaluer(profil: Profil, f: FormationLike) -> Resultat:
    """Score one training for one person, with the reasons behind the score."""
    raisons: list[Raison] = []
    score = 0.0
    domaines = [d for d in f.domaines if d not in profil.domaines_exclus]
    direct = [d for d in profil.interets if d in domaines]
    voisins = [
        d for i in profil.interets for d in VOISINS.get(i, ()) if d in domaines and d not in direct
    ]
    if direct:
        score += 50
        raisons.extend(Raison("interet", {"domaine": d}) for d in direct[:2])
    elif voisins:
        score += 20
        raisons.append(Raison("interet_voisin", {"domaine": voisins[0]}))

    dist: float | None = None
    if None not in (profil.lat, profil.lon, f.lat, f.lon):
        dist = distance_km(profil.lat, profil.lon, f.lat, f.lon)  # type: ignore[arg-type]
    distance_ok = f.a_distance and profil.distanciel
    dans_zone = distance_ok or (dist is not None and dist <= profil.rayon_km)
    if dist is not None and dist <= profil.rayon_km:
        score += 30 * (1 - dist / max(profil.rayon_km, 1))
        # Same rounding as the card's place line (which shows round(distance_km)).
        km = round(round(dist, 1))
        raisons.append(Raison("distance", {"km": km, "commune": profil.commune}))
    if f.a_distance:
        score += 20 if profil.distanciel else 5
        raisons.append(Raison("a_distance"))

    ok, bloque = eligibilite(profil, f)
    raisons.extend(ok)
    if f.cout in ("gratuit", "remunere", "finance"):
        score += {"gratuit": 10, "remunere": 12, "finance": 6}[f.cout]
        raisons.append(Raison(f.cout))
    return Resultat(
        formation=f,
        score=round(score, 1),
        distance_km=None if dist is None else round(dist, 1),
        eligible=not bloque,
        raisons=raisons,
        blocages=bloque,
        interet_direct=bool(direct),
        interet_voisin=bool(voisins),
        dans_la_zone=dans_zone,
    )


def _distance_or_inf(r: Resultat) -> float:
    return r.distance_km if r.distance_km is not None else float("inf")


def _tri(resultats: Iterable[Resultat]) -> list[Resultat]:
    return sorted(resultats, key=lambda r: (-r.score, _distance_or_inf(r), r.formation.id))


def recommander(profil: Profil, formations: Sequence[FormationLike]) -> Recommandation:
    """All fitting trainings, best first; honest alternatives when none fits."""
    evalues = [evaluer(profil, f) for f in formations]
    ok = _tri(r for r in evalues if r.eligible and r.interet_direct and r.dans_la_zone)
    if ok:
        return Recommandation(ok, [], None)

    eligibles_interet = [r for r in evalues if r.eligible and r.interet_direct]
    if not profil.distanciel:
        remote = _tri(r for r in eligibles_interet if r.formation.a_distance)
        if remote:
            return Recommandation([], remote, "a_distance")
    plus_loin = sorted(
        (r for r in eligibles_interet if r.distance_km is not None),
        key=lambda r: (r.distance_km, r.formation.id),
    )
    if plus_loin:
        return Recommandation([], plus_loin, "plus_loin")
    voisins = _tri(r for r in evalues if r.eligible and r.interet_voisin and r.dans_la_zone)
    if voisins:
        return Recommandation([], voisins, "domaine_voisin")
    bloques = sorted(
        (r for r in evalues if r.interet_direct and not r.eligible),
        key=lambda r: (_distance_or_inf(r), r.formation.id),
    )
    if bloques:
        return Recommandation([], bloques, "non_eligible")
    return Recommandation([], [], None)
