"""The statistics of a structure and the map of a région, from the anonymous records.

Small counts are never given: a count from 1 to 4 comes out as None ("moins de 5"), and
when a distribution shown with its total has exactly one such cell, its smallest other
non-zero cell is hidden too, so that no cell can be worked out by subtraction (the map
shows no total: its cells are masked one by one). A share is
hidden when its numerator, the rest or its denominator is a small count.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine

from bot.contract import DOMAINES
from bot.geo import Geo
from bot.statistiques.enregistrement import domaines_du_masque
from bot.statistiques.modele import RecordRow

SEUIL = 5
EPOCH = dt.date(1970, 1, 1)
MAX_JOURS = 731  # the longest period one may ask for: two years
TOP = 10


@dataclass(frozen=True)
class Periode:
    """From `debut` to `fin`, both days included (days since 1970-01-01)."""

    debut: int
    fin: int

    @classmethod
    def de_dates(cls, debut: dt.date, fin: dt.date) -> Periode:
        return cls((debut - EPOCH).days, (fin - EPOCH).days)

    def date(self, jour: int) -> dt.date:
        return EPOCH + dt.timedelta(days=jour)

    def contient(self, colonne: Any) -> Any:
        return colonne.between(self.debut, self.fin)


def masquer(n: int) -> int | None:
    """None for a count from 1 to `SEUIL - 1`."""
    return None if 0 < n < SEUIL else n


def masquer_distribution(counts: Mapping[str, int]) -> dict[str, int | None]:
    """Each count masked; with exactly one masked, the smallest other non-zero one too."""
    out = {k: masquer(v) for k, v in counts.items()}
    if sum(v is None for v in out.values()) == 1:
        shown = sorted((v, k) for k, v in out.items() if v)
        if shown:
            out[shown[0][1]] = None
    return out


def part(numerateur: int, denominateur: int) -> float | None:
    """numerateur / denominateur, or None when it would reveal a small count."""
    reste = denominateur - numerateur
    if denominateur < SEUIL or 0 < numerateur < SEUIL or 0 < reste < SEUIL:
        return None
    return round(numerateur / denominateur, 4)


def debut_de_semaine(jour: int) -> int:
    """The Monday of the day's week (1970-01-01 was a Thursday)."""
    return jour - (jour + 3) % 7


def statistiques_structure(engine: Engine, structure_id: int, periode: Periode) -> dict[str, Any]:
    """What the statistics page of a structure shows, small counts masked."""
    r = RecordRow
    dans = (r.structure_id == structure_id) & periode.contient(r.jour)
    with engine.connect() as conn:
        par_jour = conn.execute(
            select(r.jour, r.type, func.count())
            .where(dans, r.type.in_(("seance", "partage")))
            .group_by(r.jour, r.type)
        ).all()
        colonnes = (
            r.tranche_age,
            r.diplome,
            r.situation,
            r.domaines,
            case((r.nb_proposees > 0, 1), else_=0),
            case((r.nb_dans_rayon == 0, 1), else_=0),
        )
        profils = conn.execute(
            select(*colonnes, func.count()).where(dans, r.type == "seance").group_by(*colonnes)
        ).all()
        autres = conn.execute(
            select(r.type, r.formation_id, r.statut, func.count())
            .where(dans, r.type.in_(("recommandee", "orientation", "sans_solution")))
            .group_by(r.type, r.formation_id, r.statut)
        ).all()
    semaines: dict[int, Counter[str]] = {}
    for jour, type_, n in par_jour:
        semaines.setdefault(debut_de_semaine(jour), Counter())[type_] += n
    tranches: Counter[str] = Counter()
    diplomes: Counter[str] = Counter()
    situations: Counter[str] = Counter()
    domaines: Counter[str] = Counter()
    seances = avec_propositions = avec_domaines = sans_rayon = 0
    for tranche, diplome, situation, masque, proposees, sans, n in profils:
        seances += n
        tranches[tranche or "inconnu"] += n
        diplomes[diplome or "inconnu"] += n
        situations[situation or "inconnu"] += n
        avec_propositions += proposees * n
        if masque:
            avec_domaines += n
            sans_rayon += sans * n
        for code in domaines_du_masque(masque) or ["inconnu"]:
            domaines[code] += n
    recommandees: Counter[str] = Counter()
    choisies: Counter[str] = Counter()
    orientations: Counter[str] = Counter()
    motifs: Counter[str] = Counter()
    for type_, formation_id, statut, n in autres:
        if type_ == "recommandee":
            recommandees[formation_id] += n
        elif type_ == "orientation":
            orientations[statut] += n
            if formation_id:
                choisies[formation_id] += n
        else:
            motifs[statut] += n
    conversations = sum(c["partage"] for c in semaines.values())
    return {
        "periode": _periode_json(periode),
        "seuil": SEUIL,
        "semaines": _semaines(periode, semaines),
        "totaux": {
            "seances": masquer(seances),
            "conversations": masquer(conversations),
        },
        "part_recommandations": part(avec_propositions, seances),
        "part_sans_formation_rayon": part(sans_rayon, avec_domaines),
        "domaines": masquer_distribution(_tous(domaines, DOMAINES)),
        "diplomes": masquer_distribution(diplomes),
        "situations": masquer_distribution(situations),
        "tranches_age": masquer_distribution(tranches),
        "plus_recommandees": _top(recommandees),
        "plus_choisies": _top(choisies),
        "orientations": masquer_distribution(orientations),
        "sans_solution": masquer_distribution(motifs),
    }


def carte_region(
    engine: Engine, geo: Geo, region: str, periode: Periode, domaine: str | None = None
) -> dict[str, Any]:
    """Per département of the région: searches, and searches that found no training
    within the person's radius (all channels), small counts masked."""
    r = RecordRow
    query = (
        select(r.departement, func.count(), func.sum(case((r.nb_dans_rayon == 0, 1), else_=0)))
        .where(r.region == region, periode.contient(r.jour), r.type == "recherche")
        .group_by(r.departement)
    )
    if domaine is not None:
        query = query.where(r.domaines.op("&")(1 << DOMAINES.index(domaine)) != 0)
    with engine.connect() as conn:
        found = {dep: (int(total), int(sans or 0)) for dep, total, sans in conn.execute(query)}
    departements = geo.departements_de_region(region)
    # No total is shown with the map: each cell is masked on its own.
    recherches = {c: masquer(found.get(c, (0, 0))[0]) for c, _ in departements}
    sans = {c: masquer(found.get(c, (0, 0))[1]) for c, _ in departements}
    return {
        "periode": _periode_json(periode),
        "seuil": SEUIL,
        "region": {"code": region, "nom": geo.regions.get(region, region)},
        "domaine": domaine,
        "departements": [
            {"code": c, "nom": nom, "recherches": recherches[c], "sans_formation": sans[c]}
            for c, nom in departements
        ],
    }


def _periode_json(periode: Periode) -> dict[str, str]:
    return {
        "debut": periode.date(periode.debut).isoformat(),
        "fin": periode.date(periode.fin).isoformat(),
    }


def _semaines(periode: Periode, semaines: Mapping[int, Counter[str]]) -> list[dict[str, Any]]:
    """Every week of the period (empty ones included), small counts masked."""
    lundis = range(debut_de_semaine(periode.debut), periode.fin + 1, 7)
    seances = masquer_distribution({str(j): semaines.get(j, Counter())["seance"] for j in lundis})
    partages = masquer_distribution({str(j): semaines.get(j, Counter())["partage"] for j in lundis})
    return [
        {
            "semaine": periode.date(j).isoformat(),
            "seances": seances[str(j)],
            "conversations": partages[str(j)],
        }
        for j in lundis
    ]


def _tous(counts: Counter[str], codes: tuple[str, ...]) -> dict[str, int]:
    """Every code (0 when absent), then the others met (e.g. "inconnu")."""
    return {**{c: counts.get(c, 0) for c in codes}, **counts}


def _top(counts: Counter[str]) -> list[dict[str, Any]]:
    """The most frequent trainings, only those counted at least `SEUIL` times."""
    return [{"formation_id": k, "nombre": n} for k, n in counts.most_common(TOP) if n >= SEUIL]
