"""Tests of bot.recommend: eligibility, scoring, ranking and alternatives."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from bot.catalogue.validation import FormationRecord, validate_files
from bot.contract import DOMAINES, RAYON_KM_DEFAUT
from bot.geo import EARTH_RADIUS_KM, Geo, distance_km
from bot.recommend import (
    VOISINS,
    Profil,
    Raison,
    eligibilite,
    evaluer,
    recommander,
)
from tests.factories import DISTANCE_ONLY, make_formation

ROOT = Path(__file__).resolve().parents[1]
HOME = (50.0, 3.0)  # the person's home in the synthetic tests (Nord, inside France)
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180


def south_of_home(km: float) -> dict[str, float]:
    """Coordinates exactly `km` kilometres south of HOME (same meridian)."""
    return {"lat": HOME[0] - km / KM_PER_DEGREE, "lon": HOME[1]}


def formation(id: str = "f-1", km: float | None = 5.0, **overrides: Any) -> FormationRecord:
    """An open, free developpement training `km` south of HOME (None = distance only)."""
    fields: dict[str, Any] = {
        "id": id,
        "formation_id": id,
        "age_min": None,
        "public_cible": [],
        "public_texte": None,
    }
    if km is None:
        fields.update(DISTANCE_ONLY)
    else:
        fields.update(south_of_home(km))
    fields.update(overrides)
    return make_formation(**fields)


def profil(**overrides: Any) -> Profil:
    """A 19-year-old dropout without diploma at HOME interested in developpement."""
    values: dict[str, Any] = {
        "situation": "decrocheur",
        "diplome": "aucun",
        "age": 19.0,
        "commune": "Maison",
        "lat": HOME[0],
        "lon": HOME[1],
        "interets": ("developpement",),
    }
    values.update(overrides)
    return Profil(**values)


def codes(raisons: list[Raison]) -> list[str]:
    return [r.code for r in raisons]


def test_helper_places_trainings_at_the_wanted_distance() -> None:
    """The test helper puts a training at the requested distance from HOME."""
    spot = south_of_home(42.0)
    assert distance_km(*HOME, spot["lat"], spot["lon"]) == pytest.approx(42.0, abs=1e-6)


# --- eligibility -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, person, blocking, reasons",
    [
        ({"age_min": 18}, {"age": 17.0}, [Raison("age_min", {"age_min": 18})], []),
        ({"age_max": 25}, {"age": 26.0}, [Raison("age_max", {"age_max": 25})], []),
        (
            {"age_min": 18, "age_max": 25},
            {"age": 18.0},
            [],
            [Raison("age_ok", {"age_min": 18, "age_max": 25})],
        ),
        (
            {"age_min": 18, "age_max": 25},
            {"age": 25.0},
            [],
            [Raison("age_ok", {"age_min": 18, "age_max": 25})],
        ),
        ({"age_min": 18}, {"age": None}, [], []),
        (
            {"diplome_min": "bac"},
            {"diplome": "cap_bep"},
            [Raison("diplome_min", {"diplome": "bac"})],
            [],
        ),
        ({"diplome_min": "bac"}, {"diplome": "bac"}, [], [Raison("niveau_ok", {"diplome": "bac"})]),
        ({"diplome_min": "bac"}, {"diplome": None}, [], []),
        (
            {"diplome_max": "aucun"},
            {"diplome": "brevet"},
            [Raison("diplome_max", {"diplome": "aucun"})],
            [],
        ),
        ({"diplome_max": "cap_bep"}, {"diplome": "cap_bep"}, [], []),
        ({"diplome_min": "aucun"}, {"diplome": "aucun"}, [], [Raison("sans_diplome")]),
        ({"diplome_min": "aucun"}, {"diplome": None}, [], [Raison("sans_diplome")]),
        ({"diplome_min": "aucun"}, {"diplome": "bac_plus_3"}, [], [Raison("sans_diplome")]),
        (
            {"public_cible": ["demandeur_emploi"]},
            {"situation": "etudiant"},
            [Raison("public_reserve", {"publics": ["demandeur_emploi"]})],
            [],
        ),
        (
            {"public_cible": ["demandeur_emploi", "decrocheur"]},
            {"situation": "decrocheur"},
            [],
            [Raison("public", {"situation": "decrocheur"})],
        ),
        ({"public_cible": ["demandeur_emploi"]}, {"situation": None}, [], []),
        ({"public_cible": []}, {"situation": "salarie"}, [], []),
    ],
)
def test_eligibilite(
    overrides: dict[str, Any],
    person: dict[str, Any],
    blocking: list[Raison],
    reasons: list[Raison],
) -> None:
    """eligibilite gives the right blocking codes (age, diploma, public) and positive reasons."""
    ok, bloque = eligibilite(profil(**person), formation(**overrides))
    assert bloque == blocking
    assert ok == reasons
    assert evaluer(profil(**person), formation(**overrides)).eligible is (not blocking)


def test_several_blocking_reasons_are_all_given() -> None:
    """Age, diploma and public blocks are reported together."""
    f = formation(age_min=26, diplome_min="bac", public_cible=["salarie"])
    r = evaluer(profil(age=19.0, diplome="aucun", situation="decrocheur"), f)
    assert not r.eligible
    assert codes(r.blocages) == ["age_min", "diplome_min", "public_reserve"]


# --- interest and place --------------------------------------------------------------------


def test_direct_interest_beats_neighbour() -> None:
    """A training in the person's domain scores above one in a neighbour domain."""
    assert "test_logiciel" in VOISINS["developpement"]
    direct = evaluer(profil(), formation("a", domaines=["developpement"]))
    voisin = evaluer(profil(), formation("b", domaines=["test_logiciel"]))
    other = evaluer(profil(), formation("c", domaines=["mediation_numerique"]))
    assert direct.interet_direct and not direct.interet_voisin
    assert voisin.interet_voisin and not voisin.interet_direct
    assert not other.interet_direct and not other.interet_voisin
    assert direct.score > voisin.score > other.score
    assert Raison("interet", {"domaine": "developpement"}) in direct.raisons
    assert Raison("interet_voisin", {"domaine": "test_logiciel"}) in voisin.raisons
    reco = recommander(profil(), [voisin.formation, direct.formation, other.formation])
    assert [r.formation.id for r in reco.resultats] == ["a"]


@pytest.mark.parametrize(
    "km, inside", [(0.0, True), (12.0, True), (29.0, True), (31.0, False), (150.0, False)]
)
def test_radius(km: float, inside: bool) -> None:
    """Trainings within the radius are in the zone with a distance reason; others are not."""
    r = evaluer(profil(), formation(km=km))
    assert r.distance_km == pytest.approx(km, abs=0.05)
    assert r.dans_la_zone is inside
    distance_reasons = [x for x in r.raisons if x.code == "distance"]
    if inside:
        assert distance_reasons == [Raison("distance", {"km": round(km), "commune": "Maison"})]
    else:
        assert distance_reasons == []


def test_radius_follows_profile() -> None:
    """A wider radius brings a farther training into the zone."""
    f = formation(km=45.0)
    assert not evaluer(profil(), f).dans_la_zone
    assert evaluer(profil(rayon_km=50.0), f).dans_la_zone
    assert profil().rayon_km == RAYON_KM_DEFAUT


def test_closer_scores_higher() -> None:
    """Within the radius, the closer training scores higher."""
    assert evaluer(profil(), formation(km=2.0)).score > evaluer(profil(), formation(km=20.0)).score


@pytest.mark.parametrize("km", [None, 400.0])
def test_remote_counts_only_when_accepted(km: float | None) -> None:
    """A remote training is in the zone only for a person who accepts distance learning."""
    f = formation(km=km, a_distance=True)
    refuses = evaluer(profil(distanciel=False), f)
    accepts = evaluer(profil(distanciel=True), f)
    assert not refuses.dans_la_zone
    assert accepts.dans_la_zone
    assert accepts.score == pytest.approx(refuses.score + 15)
    assert "a_distance" in codes(accepts.raisons)
    assert recommander(profil(distanciel=True), [f]).resultats[0].formation is f
    assert recommander(profil(distanciel=False), [f]).resultats == []


@pytest.mark.parametrize(
    "cout, bonus",
    [("gratuit", 10), ("remunere", 12), ("finance", 6), ("payant", 0), ("inconnu", 0)],
)
def test_cost_reason_and_bonus(cout: str, bonus: int) -> None:
    """Free, paid-learner and funded trainings get a bonus and a reason; others none."""
    base = evaluer(profil(), formation(cout="payant"))
    r = evaluer(profil(), formation(cout=cout))
    assert r.score == pytest.approx(base.score + bonus)
    assert (cout in codes(r.raisons)) is (bonus > 0)


# --- ranking -------------------------------------------------------------------------------


def test_ordering_best_score_then_distance() -> None:
    """Results come best score first; equal scores are ordered by distance then id."""
    formations = [
        formation("far-free", km=25.0),
        formation("near-paid", km=3.0, cout="payant"),
        formation("near-free", km=3.0),
        formation("mid-free", km=10.0),
        formation("z-remote", km=None, a_distance=True),
    ]
    reco = recommander(profil(distanciel=True), formations)
    scores = [r.score for r in reco.resultats]
    assert scores == sorted(scores, reverse=True)
    assert [r.formation.id for r in reco.resultats][:2] == ["near-free", "mid-free"]
    assert reco.alternatives == [] and reco.type_alternative is None


def test_equal_scores_ordered_by_distance_then_id() -> None:
    """With equal scores, the nearer training comes first, no-distance last, then by id."""
    formations = [
        formation("c-online", km=None, a_distance=True),
        formation("b-far", km=300.0, a_distance=True),
        formation("a-online", km=None, a_distance=True),
        formation("d-farther", km=500.0, a_distance=True),
    ]
    reco = recommander(profil(distanciel=True), formations)
    assert len({r.score for r in reco.resultats}) == 1
    assert [r.formation.id for r in reco.resultats] == [
        "b-far",
        "d-farther",
        "a-online",
        "c-online",
    ]


def test_only_eligible_direct_in_zone_are_results() -> None:
    """Results hold only eligible, in-zone, direct-interest trainings."""
    formations = [
        formation("ok", km=5.0),
        formation("blocked", km=5.0, age_min=25),
        formation("far", km=200.0),
        formation("neighbour", km=5.0, domaines=["design"]),
    ]
    reco = recommander(profil(), formations)
    assert [r.formation.id for r in reco.resultats] == ["ok"]
    assert reco.alternatives == []


# --- alternatives when nothing fits ----------------------------------------------------------


def test_alternative_a_distance() -> None:
    """Nothing nearby but a remote training: the remote one is proposed (a_distance)."""
    reco = recommander(
        profil(distanciel=False),
        [formation("remote", km=None, a_distance=True), formation("far", km=300.0)],
    )
    assert reco.resultats == []
    assert reco.type_alternative == "a_distance"
    assert [r.formation.id for r in reco.alternatives] == ["remote"]


def test_alternative_plus_loin_nearest_first() -> None:
    """Only far trainings in the domain: they are proposed nearest first (plus_loin)."""
    reco = recommander(
        profil(),
        [
            formation("f300", km=300.0),
            formation("f60", km=60.0),
            formation("f120", km=120.0),
            formation("blocked", km=40.0, age_min=30),
        ],
    )
    assert reco.resultats == []
    assert reco.type_alternative == "plus_loin"
    assert [r.formation.id for r in reco.alternatives] == ["f60", "f120", "f300"]
    assert all(r.eligible for r in reco.alternatives)


def test_alternative_domaine_voisin() -> None:
    """No training in the domain at all: neighbour-domain trainings nearby are proposed."""
    reco = recommander(
        profil(),
        [
            formation("design", km=5.0, domaines=["design"]),
            formation("data", km=10.0, domaines=["data"]),
            formation("far-design", km=300.0, domaines=["design"]),
            formation("unrelated", km=2.0, domaines=["mediation_numerique"]),
        ],
    )
    assert reco.resultats == []
    assert reco.type_alternative == "domaine_voisin"
    assert [r.formation.id for r in reco.alternatives] == ["design", "data"]


def test_alternative_non_eligible_shows_blocks() -> None:
    """Only blocked trainings in the domain: they are shown with their blocking reasons."""
    reco = recommander(
        profil(age=19.0),
        [
            formation("b-old", km=20.0, age_min=26),
            formation("a-de", km=5.0, public_cible=["salarie"]),
        ],
    )
    assert reco.resultats == []
    assert reco.type_alternative == "non_eligible"
    assert [r.formation.id for r in reco.alternatives] == ["a-de", "b-old"]
    assert codes(reco.alternatives[0].blocages) == ["public_reserve"]
    assert codes(reco.alternatives[1].blocages) == ["age_min"]


def test_nothing_at_all() -> None:
    """Nothing related at all: no result, no alternative."""
    reco = recommander(profil(), [formation(km=5.0, domaines=["mediation_numerique"])])
    assert (reco.resultats, reco.alternatives, reco.type_alternative) == ([], [], None)
    assert recommander(profil(), []).type_alternative is None


def test_remote_alternative_comes_before_far_ones() -> None:
    """When both a remote and a far training exist, remote is the alternative offered."""
    reco = recommander(
        profil(), [formation("far", km=60.0), formation("remote", km=None, a_distance=True)]
    )
    assert reco.type_alternative == "a_distance"


# --- excluded domains ----------------------------------------------------------------------


def test_domaines_exclus() -> None:
    """Excluded domains never count as a match, directly or as neighbours."""
    mixed = formation("mixed", km=5.0, domaines=["developpement", "design"])
    only_design = formation("design", km=5.0, domaines=["design"])
    p = profil(interets=("design",), domaines_exclus=("design",))
    r = evaluer(p, mixed)
    assert not r.interet_direct
    assert r.interet_voisin  # developpement is a neighbour of design
    assert Raison("interet_voisin", {"domaine": "developpement"}) in r.raisons
    s = evaluer(p, only_design)
    assert not s.interet_direct and not s.interet_voisin
    reco = recommander(p, [mixed, only_design])
    assert reco.resultats == []
    assert [x.formation.id for x in reco.alternatives] == ["mixed"]


def test_voisins_are_known_domains() -> None:
    """Every neighbour table entry uses known domain codes and never lists itself."""
    assert set(VOISINS) == set(DOMAINES)
    for domaine, voisins in VOISINS.items():
        assert domaine not in voisins
        assert set(voisins) <= set(DOMAINES)


# --- the real catalogue ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue() -> list[FormationRecord]:
    records, errors = validate_files(sorted((ROOT / "knowledge" / "catalogue").glob("*.jsonl")))
    assert errors == []
    assert records
    return records


@pytest.fixture(scope="module")
def geo() -> Geo:
    return Geo.default()


def test_real_catalogue_roubaix_dropout(catalogue: list[FormationRecord], geo: Geo) -> None:
    """A 19-year-old dropout in Roubaix into coding gets nearby Hauts-de-France trainings."""
    (roubaix,) = geo.by_name("Roubaix")
    p = Profil(
        situation="decrocheur",
        diplome="aucun",
        age=19.0,
        commune="Roubaix",
        lat=roubaix.lat,
        lon=roubaix.lon,
        interets=("developpement",),
    )
    reco = recommander(p, catalogue)
    assert reco.type_alternative is None
    assert len(reco.resultats) >= 1
    for r in reco.resultats:
        assert r.eligible and r.interet_direct
        assert "developpement" in r.formation.domaines
        if not (r.formation.a_distance and p.distanciel):
            assert r.formation.region == "Hauts-de-France"
            assert r.distance_km is not None and r.distance_km <= 30
            (dist,) = [x for x in r.raisons if x.code == "distance"]
            assert dist.params["commune"] == "Roubaix"
            assert dist.params["km"] < 30
    scores = [r.score for r in reco.resultats]
    assert scores == sorted(scores, reverse=True)


def test_real_catalogue_paris(catalogue: list[FormationRecord], geo: Geo) -> None:
    """A person in Paris into coding gets at least five results, ordered by score."""
    paris = geo.by_name("Paris")[0]
    p = Profil(
        situation="demandeur_emploi",
        diplome="bac",
        age=25.0,
        commune="Paris",
        lat=paris.lat,
        lon=paris.lon,
        interets=("developpement",),
    )
    reco = recommander(p, catalogue)
    assert reco.type_alternative is None
    assert len(reco.resultats) >= 5
    keys = [(-r.score, r.distance_km) for r in reco.resultats]
    assert keys == sorted(keys)
    assert all(r.distance_km is not None and r.distance_km <= 30 for r in reco.resultats)
    assert {r.formation.region for r in reco.resultats} == {"Île-de-France"}
