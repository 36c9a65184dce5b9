"""Staged recommendation over the catalogue database.

`recommander_catalogue` gives the same first results as `bot.recommend.recommander`
over the whole catalogue while reading only a few rows: it asks the database for the
candidates of each step of `recommander`, in its order, and stops at the first step
that gives something. `recommander` (pure Python) stays the judge of every row.

1. the person's domains, in the radius box (or followed at a distance when accepted),
   eligible: all of them, so the results are exactly those of the full scan;
2. when nothing fits: the nearest eligible rows (`LIMITE_PROCHES`) with every eligible
   distance-learning row (all: counted as a next step, or proposed when no place can be
   compared); neighbour domains in the zone (all); the nearest rows the person is not
   eligible to (`LIMITE_PROCHES`).

For the "nearest" steps, the first `LIMITE_PROCHES` alternatives are exact: after the
nearest rows by approximate distance, every row of the box around the farthest of them
is read too (see `_proches`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace

from bot.catalogue.candidats import Boite, Distanciel, Eligibilite, FiltreCandidats
from bot.catalogue.repository import Catalogue
from bot.catalogue.validation import FormationRecord
from bot.geo import distance_km
from bot.recommend import VOISINS, Profil, Recommandation, recommander

#: Rows read by a "nearest" step; its first alternatives are exact up to this count.
LIMITE_PROCHES = 50
#: Boxes (km around the person) searched for the nearest rows before the whole catalogue.
RAYONS_PROCHES_KM = (50.0, 200.0, 800.0)
#: `recommander` orders nearest rows by distance rounded to 0.1 km, then by id.
_ARRONDI_KM = 0.1

Etape = tuple[str | None, Callable[[], list[FormationRecord]]]


def _zone(profil: Profil) -> tuple[Boite | None, Distanciel] | None:
    """Box and distance-learning mode of the person's zone; None when it is empty."""
    if profil.lat is not None and profil.lon is not None:
        boite = Boite.autour(profil.lat, profil.lon, profil.rayon_km)
        return boite, "inclus" if profil.distanciel else "indifferent"
    return (None, "seul") if profil.distanciel else None


def _proches(catalogue: Catalogue, filtre: FiltreCandidats) -> list[FormationRecord]:
    """The rows that can come first in `recommander`'s nearest-first order (distance
    rounded to 0.1 km, then id; rows without coordinates last, by id).

    The `LIMITE_PROCHES` rows nearest to `filtre.centre` by approximate distance are looked
    for in growing boxes (indexed), then in the whole catalogue; then every row within their
    farthest exact distance (plus the rounding) is read too, so that none is missed."""
    premiers: list[FormationRecord] = []
    if filtre.centre is not None:
        lat, lon = filtre.centre
        for rayon in RAYONS_PROCHES_KM:
            boite = Boite.autour(lat, lon, rayon)
            premiers = catalogue.candidats(
                replace(filtre, boite=boite, tri="distance", limite=LIMITE_PROCHES)
            )
            if len(premiers) == LIMITE_PROCHES:
                break
    if len(premiers) < LIMITE_PROCHES:
        premiers = catalogue.candidats(replace(filtre, tri="distance", limite=LIMITE_PROCHES))
    if filtre.centre is None or len(premiers) < LIMITE_PROCHES or premiers[-1].lat is None:
        return premiers  # every matching row with coordinates is there
    loin = max(distance_km(lat, lon, r.lat, r.lon) for r in premiers)  # type: ignore[arg-type]
    autour = replace(filtre, boite=Boite.autour(lat, lon, loin + _ARRONDI_KM), tri="aucun")
    return premiers + catalogue.candidats(autour)


def _etapes(profil: Profil, catalogue: Catalogue) -> list[Etape]:
    """The steps of `recommander`, in its order: (alternative type, candidate fetcher);
    type None for the results."""
    directs = tuple(d for d in dict.fromkeys(profil.interets) if d not in profil.domaines_exclus)
    proches = {d for i in profil.interets for d in VOISINS.get(i, ())}
    voisins = tuple(sorted(proches - set(profil.interets) - set(profil.domaines_exclus)))
    personne = Eligibilite(profil.age, profil.diplome, profil.situation)
    bloque = replace(personne, eligible=False)
    centre = (profil.lat, profil.lon) if profil.lat is not None and profil.lon is not None else None
    zone = _zone(profil)

    def dans_la_zone(domaines: tuple[str, ...]) -> list[FormationRecord]:
        if not domaines or zone is None:
            return []
        boite, distanciel = zone
        return catalogue.candidats(
            FiltreCandidats(
                domaines, boite=boite, distanciel=distanciel, eligibilite=personne, tri="aucun"
            )
        )

    def a_distance() -> list[FormationRecord]:
        if not directs:
            return []
        return catalogue.candidats(
            FiltreCandidats(directs, distanciel="seul", eligibilite=personne, tri="aucun")
        )

    def plus_loin() -> list[FormationRecord]:
        if not directs or centre is None:
            return []
        filtre = FiltreCandidats(directs, coordonnees=True, eligibilite=personne, centre=centre)
        return _proches(catalogue, filtre)

    def non_eligibles() -> list[FormationRecord]:
        if not directs:
            return []
        return _proches(catalogue, FiltreCandidats(directs, eligibilite=bloque, centre=centre))

    def plus_loin_et_a_distance() -> list[FormationRecord]:
        # Every eligible distance-learning row is read with the nearest ones: `recommander`
        # counts them (the next step offered) and proposes them when no place is known.
        return plus_loin() + ([] if profil.distanciel else a_distance())

    steps: list[Etape] = [
        (None, lambda: dans_la_zone(directs)),
        ("plus_loin", plus_loin_et_a_distance),
    ]
    if not profil.distanciel:
        steps.append(("a_distance", lambda: []))
    steps += [
        ("domaine_voisin", lambda: dans_la_zone(voisins)),
        ("non_eligible", non_eligibles),
    ]
    return steps


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (reference counting still frees).

    A dense area reads and scores thousands of rows: tens of thousands of objects that
    stay alive until the answer is built, so the collector would run full collections
    over them (up to half the time of the call) and free nothing. Collection resumes
    after the block, unless it was already off when the block began (another thread in
    the same block, or a deliberate choice of the process)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def recommander_catalogue(profil: Profil, catalogue: Catalogue) -> Recommandation:
    """`recommander(profil, all rows)` from a few SQL queries: the same results (all of
    them), or the same alternative type, first `LIMITE_PROCHES` alternatives and count
    of distance-learning trainings."""
    with _gc_paused():
        return _recommander_catalogue(profil, catalogue)


def _recommander_catalogue(profil: Profil, catalogue: Catalogue) -> Recommandation:
    candidats: dict[str, FormationRecord] = {}
    reco = Recommandation([], [], None)
    for type_alternative, lire in _etapes(profil, catalogue):
        for record in lire():
            candidats.setdefault(record.id, record)
        reco = recommander(profil, list(candidats.values()))
        # Earlier steps found nothing in the whole catalogue, so recommander's answer is
        # final when it comes from this step (complete candidates); later types are not.
        if reco.resultats or (reco.alternatives and reco.type_alternative == type_alternative):
            return reco
    return reco
