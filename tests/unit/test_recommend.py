"""Tests of bot.recommend: eligibility, scoring, ranking and alternatives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.catalogue.validation import FormationRecord, validate_files
from bot.contract import DOMAINES, RAYON_KM_DEFAUT
from bot.exploration import DEFAULT_DOMAINS
from bot.geo import Geo, distance_km
from bot.recommend import (
    MAX_RESULTATS,
    VOISINS,
    Profil,
    Raison,
    apres_a_distance,
    apres_plus_loin,
    apres_plus_pres,
    eligibilite,
    evaluer,
    identite,
    interets_par_defaut,
    liste_a_montrer,
    mission_locale,
    page,
    plus_proches_d_abord,
    public_selon_residence,
    recommander,
    sans_doublons,
)
from tests.support.factories import (
    HOME,
    formation,
    profil,
    south_of_home,
)

ROOT = Path(__file__).resolve().parents[2]


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
    """Town unknown (no distance to compare) but a remote training: the remote one is
    proposed (a_distance)."""
    reco = recommander(
        profil(distanciel=False, lat=None, lon=None),
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


def test_far_ones_with_their_distance_and_remote_counted() -> None:
    """Nothing near, a far and a remote training, distance learning not accepted: the
    nearest ones are shown with their real distance and the remote one is counted as a
    next step (not imposed)."""
    reco = recommander(
        profil(), [formation("far", km=60.0), formation("remote", km=None, a_distance=True)]
    )
    assert reco.type_alternative == "plus_loin"
    assert [r.formation.id for r in reco.alternatives] == ["far"]
    assert reco.a_distance_possibles == 1
    accepts = recommander(
        profil(distanciel=True),
        [formation("far", km=60.0), formation("remote", km=None, a_distance=True)],
    )
    assert [r.formation.id for r in accepts.resultats] == ["remote"]


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


# --- what is shown: one training once, in the order asked ----------------------------------


def distinct(id: str, km: float | None = 5.0, **overrides: Any) -> FormationRecord:
    """Like `formation`, with its own title (rows of `formation` are one training)."""
    return formation(id, km=km, **{"intitule": f"Formation {id}", **overrides})


def test_same_training_twice_is_shown_once() -> None:
    """Two rows with the same organisation, title and town are one training in the list;
    the same course in another town stays."""
    rows = [
        formation("b-paris", km=3.0, organisme="Webforce3", intitule="Développeur web"),
        formation("a-paris", km=3.2, organisme="Webforce3", intitule="développeur web "),
        formation(
            "c-lyon", km=4.0, organisme="Webforce3", intitule="Développeur web", commune="Lyon"
        ),
    ]
    reco = recommander(profil(), rows)
    assert len(reco.resultats) == 3
    shown = liste_a_montrer(profil(), reco)
    assert [r.formation.id for r in shown] == ["a-paris", "c-lyon"]
    assert len({identite(r.formation) for r in shown}) == len(shown)


def test_the_row_kept_for_a_training_does_not_depend_on_the_order() -> None:
    """Whatever the ranking, the same row stands for a training (so that the ids already
    shown stay comparable after "plus près" or "plus loin")."""
    rows = [formation("b", km=3.0), formation("a", km=8.0)]
    near, far = evaluer(profil(), rows[0]), evaluer(profil(), rows[1])
    assert [r.formation.id for r in sans_doublons([near, far])] == ["a"]
    assert [r.formation.id for r in sans_doublons([far, near])] == ["a"]


def test_default_interests_are_never_called_the_persons_interest() -> None:
    """With the "je sais pas" defaults, a card says "une piste pour débuter", never "ton
    intérêt pour", and no neighbour domain is offered as "ce qui te plaît"."""
    p = profil(interets=DEFAULT_DOMAINS, interets_par_defaut=True)
    r = evaluer(p, formation(domaines=["developpement"]))
    assert "interet" not in codes(r.raisons)
    assert Raison("piste_debutant", {"domaine": "developpement"}) in r.raisons
    neighbour = evaluer(p, formation(domaines=["test_logiciel"]))
    assert not neighbour.interet_voisin and "interet_voisin" not in codes(neighbour.raisons)
    chosen = evaluer(profil(interets=DEFAULT_DOMAINS), formation(domaines=["developpement"]))
    assert "interet" in codes(chosen.raisons)


def test_default_suggestions_show_each_promised_job() -> None:
    """The defaults promise three jobs: the list takes turns between them instead of
    showing only the best-scored domain."""
    p = profil(interets=DEFAULT_DOMAINS, interets_par_defaut=True)
    rows = [distinct(f"dev-{k}", km=1.0 + k) for k in range(4)]
    rows += [distinct("support", km=20.0, domaines=["support_informatique"], cout="payant")]
    rows += [distinct("mediation", km=25.0, domaines=["mediation_numerique"], cout="payant")]
    shown = liste_a_montrer(p, recommander(p, rows))
    assert [r.formation.id for r in shown[:3]] == ["dev-0", "support", "mediation"]
    chosen = profil(interets=DEFAULT_DOMAINS)
    assert [r.formation.id for r in liste_a_montrer(chosen, recommander(chosen, rows))][:4] == [
        "dev-0",
        "dev-1",
        "dev-2",
        "dev-3",
    ]


@pytest.mark.parametrize(
    "interets, events, expected",
    [
        (list(DEFAULT_DOMAINS), [{"event": "action", "name": "action_je_sais_pas"}], True),
        (
            list(reversed(DEFAULT_DOMAINS)),
            [{"event": "action", "name": "action_je_sais_pas"}],
            True,
        ),
        (list(DEFAULT_DOMAINS), [], False),
        (["developpement"], [{"event": "action", "name": "action_je_sais_pas"}], False),
        (
            list(DEFAULT_DOMAINS),
            [{"event": "action", "name": "action_je_sais_pas"}, {"event": "restart"}],
            False,
        ),
    ],
)
def test_default_interests_are_recognised(
    interets: list[str], events: list[dict[str, Any]], expected: bool
) -> None:
    """Interests are the defaults when they equal them and "je sais pas" set them since
    the last restart."""
    assert interets_par_defaut(interets, events) is expected


# --- distance bands ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "km, training, expected",
    [
        (0.4, {}, "meme_ville"),
        (12.0, {}, "proche"),
        (30.0, {}, "proche"),
        (45.0, {"departement": "59"}, "departement"),
        (90.0, {"departement": "62", "region": "Hauts-de-France"}, "region"),
        (70.0, {"departement": "02", "region": "Grand Est"}, "distance"),
        (784.0, {"departement": "13", "region": "Provence-Alpes-Côte d'Azur"}, "loin"),
    ],
)
def test_distance_bands(km: float, training: dict[str, Any], expected: str) -> None:
    """Places are told by honest bands: same town, nearby, département, région, a plain
    distance, far away (never "un peu plus loin" for hundreds of km)."""
    p = profil(departement="59", region="Hauts-de-France")
    r = evaluer(p, formation(km=km, **{"departement": "80", "region": "Normandie", **training}))
    assert r.bande == expected


def test_far_place_within_a_wide_radius_is_no_reason() -> None:
    """A training 784 km away is not proposed "because it is at 784 km" even when the
    radius reaches it; a near one is."""
    p = profil(rayon_km=2000.0, departement="59", region="Hauts-de-France")
    far = evaluer(p, formation(km=784.0, departement="13", region="Sud"))
    assert far.dans_la_zone and "distance" not in codes(far.raisons)
    assert "distance" in codes(evaluer(p, formation(km=12.0)).raisons)


# --- restrictions checked or flagged ---------------------------------------------------------


def test_restrictions_the_answers_cannot_settle_are_flagged() -> None:
    """Unknown age, situation or diploma against a restricted training, and a public
    chosen by residence, are listed to check; known answers are checked instead."""
    f = formation(
        age_min=16,
        age_max=25,
        public_cible=["demandeur_emploi"],
        diplome_min="bac",
        public_texte="Jeunes des quartiers prioritaires",
    )
    unknown = evaluer(profil(age=None, situation=None, diplome=None), f)
    assert codes(unknown.a_verifier) == [
        "verifier_age",
        "verifier_public",
        "verifier_diplome_min",
        "verifier_residence",
    ]
    assert unknown.eligible
    known = evaluer(profil(age=30.0, situation="salarie", diplome="aucun"), f)
    assert codes(known.a_verifier) == ["verifier_residence"]
    assert codes(known.blocages) == ["age_max", "diplome_min", "public_reserve"]


def test_residence_publics_of_the_real_catalogue_are_flagged(
    catalogue: list[FormationRecord],
) -> None:
    """The catalogue rows whose public depends on where people live are all flagged (the
    agglomeration of Lens-Liévin, priority districts, Marie-Galante), the others not."""
    flagged = {r.id for r in catalogue if public_selon_residence(r.public_texte)}
    assert {"gen-reg-005", "gen-reg-015", "gen-reg-016", "gen-reg-037", "gen-reg-066"} <= flagged
    assert "gen-reg-014" not in flagged  # "Surtout personnes en reconversion…"
    for r in catalogue:
        if r.id in flagged:
            assert r.public_texte
        else:
            assert "habitant" not in (r.public_texte or "").lower()


@pytest.mark.parametrize(
    "age, expected",
    [(15.0, None), (16.0, True), (25.0, True), (25.9, True), (26.0, False), (None, None)],
)
def test_mission_locale_is_for_16_to_25(age: float | None, expected: bool | None) -> None:
    """The Mission locale is named for 16-25 year olds only (a 26-year-old is not sent
    there); unknown or under 16: it depends."""
    assert mission_locale(age) is expected


# --- changing a criterion: a new list, or plainly why not ----------------------------------


def _shown(reco_profil: Profil, rows: list[FormationRecord]) -> list[str]:
    p = reco_profil
    return [r.formation.id for r in liste_a_montrer(p, recommander(p, rows))[:MAX_RESULTATS]]


def test_closer_never_shows_farther_trainings() -> None:
    """ "Plus près" with nothing in the smaller radius shows nothing and says how far the
    nearest is; with something, only trainings inside it, nearest first."""
    rows = [distinct("f200", km=200.0), distinct("f250", km=250.0)]
    before = profil()
    after = profil(rayon_km=15.0)
    reponse = apres_plus_pres(after, recommander(after, rows), _shown(before, rows))
    assert reponse.code == "rien_plus_pres" and reponse.liste == []
    assert reponse.plus_proche is not None and reponse.plus_proche.formation.id == "f200"

    rows = [distinct(f"near{k}", km=k, cout="payant") for k in (2, 9, 12)]
    rows += [distinct(f"far{k}", km=k) for k in (20, 22, 25, 28)]
    assert any(r.distance_km > 15 for r in liste_a_montrer(before, recommander(before, rows))[:5])
    reponse = apres_plus_pres(after, recommander(after, rows), _shown(before, rows))
    assert reponse.code == "montrer"
    distances = [r.distance_km for r in reponse.liste]
    assert distances == sorted(distances) and max(distances) <= 15


def test_closer_with_only_distance_learning_says_nothing_is_closer() -> None:
    """ "Plus près" when only distance learning was found: nothing on site is closer (it
    said "already the nearest" about trainings followed from home)."""
    rows = [distinct("remote", km=None, a_distance=True), distinct("f200", km=200.0)]
    before = profil(distanciel=True)
    after = profil(distanciel=True, rayon_km=15.0)
    reponse = apres_plus_pres(after, recommander(after, rows), _shown(before, rows))
    assert reponse.code == "rien_plus_pres" and reponse.liste == []


def test_closer_says_when_the_list_would_not_change() -> None:
    """ "Plus près" when the trainings shown are already the nearest: said, not repeated."""
    rows = [distinct("a", km=2.0), distinct("b", km=4.0)]
    after = profil(rayon_km=15.0)
    reponse = apres_plus_pres(after, recommander(after, rows), _shown(profil(), rows))
    assert reponse.code == "deja_plus_proches"
    assert reponse.plus_proche is not None and reponse.plus_proche.formation.id == "a"


def test_farther_shows_the_added_trainings_first_or_says_nothing_more() -> None:
    """ "Plus loin" puts the trainings the wider radius adds first; when it adds none, it
    says so instead of repeating the list."""
    rows = [distinct("near", km=5.0), distinct("mid", km=60.0)]
    before = _shown(profil(), rows)
    after = profil(rayon_km=90.0)
    reponse = apres_plus_loin(after, recommander(after, rows), before)
    assert reponse.code == "montrer" and reponse.nouvelles == 1
    assert [r.formation.id for r in reponse.liste] == ["mid", "near"]
    again = apres_plus_loin(
        profil(rayon_km=270.0), recommander(profil(rayon_km=270.0), rows), ["near", "mid"]
    )
    assert again.code == "rien_de_plus_loin" and again.liste == []


def test_distance_learning_first_or_none_said() -> None:
    """ "À distance" shows the distance-learning trainings first; with none in the
    domain it says so; when they were already all shown, it says so too."""
    rows = [distinct("near", km=5.0), distinct("remote", km=None, a_distance=True)]
    before = _shown(profil(), rows)
    after = profil(distanciel=True)
    reponse = apres_a_distance(after, recommander(after, rows), before)
    assert reponse.code == "montrer"
    assert [r.formation.id for r in reponse.liste] == ["remote", "near"]
    assert apres_a_distance(after, recommander(after, rows), ["remote", "near"]).code == (
        "distanciel_deja_montre"
    )
    only_near = [distinct("near", km=5.0)]
    none = apres_a_distance(after, recommander(after, only_near), _shown(profil(), only_near))
    assert none.code == "pas_de_distanciel" and none.liste == []


def test_more_results_follow_the_order_already_shown() -> None:
    """ "Voir plus" and "la 2e" follow the order of the list shown (e.g. nearest first
    after "plus près"), not the default ranking."""
    rows = [
        distinct(f"f{k:02d}", km=float(k), cout="payant" if k % 2 else "gratuit")
        for k in range(1, 12)
    ]
    p = profil()
    reco = recommander(p, rows)
    nearest_first = [r.formation.id for r in plus_proches_d_abord(liste_a_montrer(p, reco))]
    assert nearest_first != [r.formation.id for r in reco.resultats]
    again = liste_a_montrer(p, reco, ordre=nearest_first)
    assert [r.formation.id for r in again] == nearest_first
    assert [r.formation.id for r in page(again, 1)] == nearest_first[5:10]
