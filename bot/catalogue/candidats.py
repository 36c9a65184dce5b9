"""SQL pre-selection of catalogue rows: domains, département, région, a bounding box
around a point, distance learning and eligibility, optionally nearest first.

The conditions run in the database (indexes `formation_domaines(domaine, lat, lon)`,
`formation_domaines.domaine` and `formations(lat, lon)`), so that the Python scoring of
`bot.recommend` only sees a few rows. The eligibility condition is the one of
`bot.recommend.eligibilite` (age, diploma, public) written in SQL; Python stays the judge:
it re-checks every row it receives. Portable SQL only (SQLite and PostgreSQL): arithmetic,
`IN`, `EXISTS`, `UNION`, `LIKE`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import String, and_, case, cast, exists, false, not_, or_, select, true
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select

from bot.catalogue.models import FormationDomaineRow, FormationRow
from bot.contract import DIPLOMES, diplome_rank
from bot.geo import EARTH_RADIUS_KM

#: Extra width of a box on each side, in degrees (floating-point rounding).
_EPSILON_DEGRES = 1e-6

Distanciel = Literal["indifferent", "inclus", "seul"]
Tri = Literal["id", "distance", "aucun"]


@dataclass(frozen=True)
class Boite:
    """Latitude/longitude box; `lon_min`/`lon_max` None = every longitude."""

    lat_min: float
    lat_max: float
    lon_min: float | None = None
    lon_max: float | None = None

    @classmethod
    def autour(cls, lat: float, lon: float, rayon_km: float) -> Boite:
        """Smallest box holding every point within `rayon_km` (great circle, the distance
        of `bot.geo.distance_km`) of (lat, lon)."""
        angle = max(rayon_km, 0.0) / EARTH_RADIUS_KM  # radians
        dlat = math.degrees(angle) + _EPSILON_DEGRES
        lat_min, lat_max = max(-90.0, lat - dlat), min(90.0, lat + dlat)
        cos_lat = math.cos(math.radians(lat))
        if angle >= math.pi / 2 or math.sin(angle) >= cos_lat:  # the circle holds a pole
            return cls(lat_min, lat_max)
        dlon = math.degrees(math.asin(math.sin(angle) / cos_lat)) + _EPSILON_DEGRES
        if lon - dlon < -180 or lon + dlon > 180:  # crosses the antimeridian
            return cls(lat_min, lat_max)
        return cls(lat_min, lat_max, lon - dlon, lon + dlon)


@dataclass(frozen=True)
class Eligibilite:
    """Who is asking: rows open to this person (`eligible`) or closed to them (not
    `eligible`), with the rules of `bot.recommend.eligibilite`; None = unknown."""

    age: float | None = None
    diplome: str | None = None
    situation: str | None = None
    eligible: bool = True


@dataclass(frozen=True)
class FiltreCandidats:
    """Conditions on catalogue rows, all of which must hold (None = no condition).

    - `domaines`: rows with at least one of these domains;
    - `departement`, `regions`: exact codes / names;
    - `boite` and `distanciel`: the place. `indifferent`: rows in the box (any row
      without a box); `inclus`: rows in the box or followed at a distance; `seul`: only
      rows followed at a distance (the box is not used);
    - `coordonnees`: only rows with coordinates;
    - `eligibilite`: rows open (or closed) to this person;
    - `tri`: by id; `distance`: nearest to `centre` first (approximate distance, rows
      without coordinates last), then by id; `aucun`: any order (the caller sorts).
      `limite`: at most that many rows.
    """

    domaines: tuple[str, ...] | None = None
    departement: str | None = None
    regions: tuple[str, ...] | None = None
    boite: Boite | None = None
    distanciel: Distanciel = "indifferent"
    coordonnees: bool = False
    eligibilite: Eligibilite | None = None
    centre: tuple[float, float] | None = None
    tri: Tri = "id"
    limite: int | None = None


def condition_boite(boite: Boite, lieu: Any = FormationRow) -> ColumnElement[Any]:
    """Rows whose coordinates (`lieu.lat`, `lieu.lon`) are inside the box."""
    parts = [lieu.lat.between(boite.lat_min, boite.lat_max)]
    if boite.lon_min is not None and boite.lon_max is not None:
        parts.append(lieu.lon.between(boite.lon_min, boite.lon_max))
    else:
        parts.append(lieu.lon.is_not(None))
    return and_(*parts)


def condition_eligible(eligibilite: Eligibilite) -> ColumnElement[Any]:
    """Rows `bot.recommend.eligibilite` accepts for this person (true or false for every
    row, never NULL, so that its negation is exactly the rows it blocks)."""
    f = FormationRow
    parts: list[ColumnElement[Any]] = []
    if eligibilite.age is not None:
        parts.append(or_(f.age_min.is_(None), f.age_min <= eligibilite.age))
        parts.append(or_(f.age_max.is_(None), f.age_max >= eligibilite.age))
    if eligibilite.diplome in DIPLOMES:
        rang = diplome_rank(eligibilite.diplome)
        plus_hauts = [code for code in DIPLOMES if diplome_rank(code) > rang]
        plus_bas = [code for code in DIPLOMES if diplome_rank(code) < rang]
        if plus_hauts:
            parts.append(or_(f.diplome_min.is_(None), f.diplome_min.not_in(plus_hauts)))
        if plus_bas:
            parts.append(or_(f.diplome_max.is_(None), f.diplome_max.not_in(plus_bas)))
    if eligibilite.situation is not None:
        # `public_cible` is a JSON list of codes ([a-z_]); as text: '[]' or '["a", "b"]'.
        publics = cast(f.public_cible, String)
        motif = '%"' + eligibilite.situation.replace("_", "\\_") + '"%'
        parts.append(or_(publics == "[]", publics.like(motif, escape="\\")))
    return and_(true(), *parts)


def distance_approchee(centre: tuple[float, float]) -> ColumnElement[Any]:
    """Squared equirectangular distance (degrees²) to `centre`: orders rows roughly by
    distance with arithmetic only (NULL without coordinates)."""
    lat, lon = centre
    echelle = math.cos(math.radians(lat))
    dlat = FormationRow.lat - lat
    dlon = (FormationRow.lon - lon) * echelle
    return dlat * dlat + dlon * dlon


def _dans_domaines(ligne: Any, domaines: tuple[str, ...]) -> ColumnElement[Any]:
    """Rows (`ligne`: `FormationRow` or an alias) with at least one of these domains."""
    if not domaines:
        return false()
    d = FormationDomaineRow
    return exists().where(d.formation_row_id == ligne.id, d.domaine.in_(domaines))


def requete_candidats(filtre: FiltreCandidats) -> Select:
    """SELECT of the `formations` columns for the rows the filter keeps, in its order."""
    f = FormationRow
    d = FormationDomaineRow
    conditions: list[ColumnElement[Any]] = []
    if filtre.departement is not None:
        conditions.append(f.departement == filtre.departement)
    if filtre.regions is not None:
        conditions.append(f.region.in_(filtre.regions) if filtre.regions else false())
    a_distance = f.a_distance.is_(True)
    if filtre.domaines and filtre.boite is not None and filtre.distanciel != "seul":
        # Domains and box together, on the index (domaine, lat, lon) of `formation_domaines`
        # (the rows' coordinates repeated): only the domains' rows of the box are read.
        lignes = select(d.formation_row_id).where(
            d.domaine.in_(filtre.domaines), condition_boite(filtre.boite, d)
        )
        if filtre.distanciel == "inclus":
            # One list of ids (a union, not an OR of two conditions: with an OR, PostgreSQL
            # reads the whole table).
            distance = aliased(FormationRow)
            lignes = lignes.union(
                select(distance.id).where(
                    distance.a_distance.is_(True), _dans_domaines(distance, filtre.domaines)
                )
            )
        conditions.append(f.id.in_(lignes))
    else:
        if filtre.domaines is not None:
            conditions.append(_dans_domaines(f, filtre.domaines))
        if filtre.distanciel == "seul":
            conditions.append(a_distance)
        elif filtre.boite is not None:
            dans_boite = condition_boite(filtre.boite)
            inclus = filtre.distanciel == "inclus"
            conditions.append(or_(dans_boite, a_distance) if inclus else dans_boite)
    if filtre.coordonnees:
        conditions.append(f.lat.is_not(None))
    if filtre.eligibilite is not None:
        eligible = condition_eligible(filtre.eligibilite)
        conditions.append(eligible if filtre.eligibilite.eligible else not_(eligible))

    stmt = select(f.__table__).where(*conditions)
    if filtre.tri == "distance" and filtre.centre is not None:
        sans_coordonnees = case((f.lat.is_(None), 1), else_=0)
        stmt = stmt.order_by(sans_coordonnees, distance_approchee(filtre.centre), f.id)
    elif filtre.tri != "aucun":
        stmt = stmt.order_by(f.id)
    if filtre.limite is not None:
        stmt = stmt.limit(filtre.limite)
    return stmt
