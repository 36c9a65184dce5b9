"""Staged recommendation (`bot.catalogue.recommend_sql`): the SQL pre-selection gives what
`bot.recommend.recommander` gives over the whole catalogue, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import itertools
import json
import logging
import math
import random
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.actions import services
from bot.actions.recommandations import ActionDetailFormation, ActionRecommander
from bot.catalogue.candidats import Boite, Eligibilite, FiltreCandidats, requete_candidats
from bot.catalogue.models import FormationRow
from bot.catalogue.recommend_sql import LIMITE_PROCHES, recommander_catalogue
from bot.catalogue.repository import _LIST_COLUMNS, Catalogue, _to_record, catalogue_paths
from bot.catalogue.validation import FormationRecord, validate_files, validate_row
from bot.config import Settings
from bot.contract import DIPLOMES, DOMAINES, SITUATIONS
from bot.db import engine_for
from bot.exploration import DEFAULT_DOMAINS
from bot.geo import EARTH_RADIUS_KM, Geo, distance_km
from bot.recommend import (
    Profil,
    Recommandation,
    Resultat,
    eligibilite,
    ids,
    liste_a_montrer,
    page,
    recommander,
)
from tests.support.factories import HOME, formation, profil, south_of_home
from tests.support.rasa import make_tracker
from tools.bench.catalogue import Communes, catalogue_synthetique, premiere_page, profils_aleatoires

KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180


def write_rows(path: Path, records: list[FormationRecord] | list[dict[str, Any]]) -> Path:
    rows = [r.to_dict() if isinstance(r, FormationRecord) else r for r in records]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def key(resultat: Resultat) -> tuple[Any, ...]:
    """Everything shown of a result (the record itself compared apart)."""
    r = resultat
    return (r.formation.id, r.score, r.distance_km, r.eligible, r.raisons, r.blocages)


def assert_same(person: Profil, rows: list[FormationRecord], catalogue: Catalogue) -> None:
    """Same alternative type, same results (all), same first LIMITE_PROCHES alternatives."""
    expected = recommander(person, rows)
    got = recommander_catalogue(person, catalogue)
    assert got.type_alternative == expected.type_alternative, person
    assert [key(r) for r in got.resultats] == [key(r) for r in expected.resultats], person
    assert [key(r) for r in got.alternatives[:LIMITE_PROCHES]] == [
        key(r) for r in expected.alternatives[:LIMITE_PROCHES]
    ], person
    assert premiere_page(got) == premiere_page(expected)
    assert got.a_distance_possibles == expected.a_distance_possibles, person


def ids_kept(catalogue: Catalogue, filtre: FiltreCandidats) -> set[str]:
    """Ids of the rows the filter keeps (the SQL query, reading the ids only)."""
    with catalogue.engine.connect() as conn:
        return set(conn.scalars(requete_candidats(filtre).with_only_columns(FormationRow.id)))


def loaded(engine: Engine, tmp_path: Path, records: list[FormationRecord]) -> Catalogue:
    Catalogue(engine).load([write_rows(tmp_path / "catalogue.jsonl", records)])
    return Catalogue(engine)


@pytest.fixture(scope="module")
def geo() -> Geo:
    return Geo.default()


@pytest.fixture(scope="module")
def real_rows() -> list[FormationRecord]:
    records, errors = validate_files(catalogue_paths(Settings.from_env({}).catalogue_dir))
    assert errors == [] and records
    return records


@pytest.fixture(scope="module")
def synthetic_rows(real_rows: list[FormationRecord], geo: Geo) -> list[FormationRecord]:
    """1,500 rows made from the real ones, spread over France by population."""
    rows = catalogue_synthetique(1500, real_rows, Communes.de(geo), graine=7)
    records = [validate_row(row) for row in rows]
    assert all(isinstance(record, FormationRecord) for record in records)
    return records  # type: ignore[return-value]


def varied_profiles(geo: Geo, count: int, seed: int) -> list[Profil]:
    """Random profiles, including unknown values, no coordinates, exclusions, big radii."""
    rng = random.Random(seed)
    communes = Communes.de(geo)
    profiles = []
    for _ in range(count):
        commune = communes.tirer(rng)
        located = rng.random() < 0.9
        profiles.append(
            Profil(
                situation=rng.choice((None, *SITUATIONS)),
                diplome=rng.choice((None, *DIPLOMES)),
                age=rng.choice((None, 15.0, 17.0, 19.0, 22.5, 26.0, 31.0, 45.0, 60.0)),
                commune=commune.nom,
                lat=commune.lat if located else None,
                lon=commune.lon if located else None,
                interets=tuple(rng.sample(DOMAINES, rng.choice((0, 1, 1, 1, 2, 3)))),
                distanciel=rng.random() < 0.3,
                rayon_km=rng.choice((5.0, 15.0, 30.0, 30.0, 90.0, 270.0, 2000.0)),
                domaines_exclus=tuple(rng.sample(DOMAINES, rng.choice((0, 0, 0, 1, 2)))),
            )
        )
    return profiles


# --------------------------------------------------------------------------- pure parts


@pytest.mark.parametrize("lat", [-21.1, 0.0, 14.6, 43.3, 50.6, 70.0, 89.9])
@pytest.mark.parametrize("rayon", [0.0, 1.0, 30.0, 700.0, 2000.0, 9000.0])
def test_box_holds_the_whole_circle(lat: float, rayon: float) -> None:
    """Every point at `rayon` km (any bearing) or less is inside the box."""
    boite = Boite.autour(lat, 3.0, rayon)
    phi1, lmb1, angle = math.radians(lat), math.radians(3.0), rayon / EARTH_RADIUS_KM
    for step in range(72):
        bearing = math.radians(step * 5)
        for fraction in (1.0, 0.5):
            a = angle * fraction
            phi2 = math.asin(
                math.sin(phi1) * math.cos(a) + math.cos(phi1) * math.sin(a) * math.cos(bearing)
            )
            lmb2 = lmb1 + math.atan2(
                math.sin(bearing) * math.sin(a) * math.cos(phi1),
                math.cos(a) - math.sin(phi1) * math.sin(phi2),
            )
            p_lat, p_lon = math.degrees(phi2), (math.degrees(lmb2) + 540) % 360 - 180
            assert distance_km(lat, 3.0, p_lat, p_lon) == pytest.approx(rayon * fraction, abs=1e-6)
            assert boite.lat_min <= p_lat <= boite.lat_max
            if boite.lon_min is not None:
                assert boite.lon_min <= p_lon <= boite.lon_max


def test_box_across_the_antimeridian_keeps_every_longitude() -> None:
    """A search box crossing the antimeridian drops the longitude bounds, not the places."""
    boite = Boite.autour(-17.5, 179.5, 100)
    assert (boite.lon_min, boite.lon_max) == (None, None)
    assert boite.lat_min < -17.5 - 0.89 and boite.lat_max > -17.5 + 0.89


def test_box_is_tight_for_usual_radii() -> None:
    """30 km around Lille: about ±0.27° of latitude and ±0.42° of longitude."""
    boite = Boite.autour(50.63, 3.06, 30)
    assert boite.lat_max - 50.63 == pytest.approx(30 / KM_PER_DEGREE, abs=1e-5)
    half_width = (boite.lon_max or 0) - 3.06
    assert 30 / KM_PER_DEGREE / math.cos(math.radians(50.63)) < half_width < 0.43


# --------------------------------------------------------------------------- databases


@pytest.fixture
def synthetic_catalogue(
    db_engine: Engine, tmp_path: Path, synthetic_rows: list[FormationRecord]
) -> Catalogue:
    return loaded(db_engine, tmp_path, synthetic_rows)


def test_sql_eligibility_is_python_eligibility(
    synthetic_catalogue: Catalogue, synthetic_rows: list[FormationRecord]
) -> None:
    """For any person, the SQL condition keeps exactly the rows `eligibilite` accepts, and
    its negation exactly the rows it blocks (age, diploma and public)."""
    everyone = {r.id for r in synthetic_rows}
    for age in (None, 15.0, 16.0, 18.0, 25.5, 30.0, 31.0):
        for diplome in (None, *DIPLOMES):
            for situation in (None, *SITUATIONS):
                person = Profil(situation=situation, diplome=diplome, age=age)
                ok = {r.id for r in synthetic_rows if not eligibilite(person, r)[1]}
                who = Eligibilite(age, diplome, situation)
                assert ids_kept(synthetic_catalogue, FiltreCandidats(eligibilite=who)) == ok
                blocked = FiltreCandidats(eligibilite=replace(who, eligible=False))
                assert ids_kept(synthetic_catalogue, blocked) == everyone - ok, who


def test_box_and_domain_filters_keep_every_row_in_the_radius(
    synthetic_catalogue: Catalogue, synthetic_rows: list[FormationRecord], geo: Geo
) -> None:
    """The box keeps every row of the domains within the radius, and few others."""
    for name, rayon in (("Lyon", 30.0), ("Rennes", 90.0), ("Bastia", 120.0)):
        place = geo.by_name(name)[0]
        filtre = FiltreCandidats(
            ("developpement", "data"), boite=Boite.autour(place.lat, place.lon, rayon)
        )
        kept = {r.id for r in synthetic_catalogue.candidats(filtre)}
        inside = {
            r.id
            for r in synthetic_rows
            if r.lat is not None
            and {"developpement", "data"} & set(r.domaines)
            and distance_km(place.lat, place.lon, r.lat, r.lon) <= rayon
        }
        assert inside <= kept
        assert len(kept) <= 2 * len(inside) + 5


def test_same_as_full_scan_on_synthetic_catalogue(
    synthetic_catalogue: Catalogue, synthetic_rows: list[FormationRecord], geo: Geo
) -> None:
    """Many profiles: same results, same alternative type, same first alternatives."""
    profiles = varied_profiles(geo, 100, seed=3) + profils_aleatoires(30, Communes.de(geo), 5)
    for person in profiles:
        assert_same(person, synthetic_rows, synthetic_catalogue)


def test_same_as_full_scan_on_real_catalogue(
    db_engine: Engine, tmp_path: Path, real_rows: list[FormationRecord], geo: Geo
) -> None:
    """The committed catalogue: every kind of answer, same as the full scan."""
    catalogue = loaded(db_engine, tmp_path, real_rows)
    types = set()
    for person in varied_profiles(geo, 250, seed=11):
        assert_same(person, real_rows, catalogue)
        types.add(recommander(person, real_rows).type_alternative)
    assert types == {None, "a_distance", "plus_loin", "domaine_voisin", "non_eligible"}
    (roubaix,) = geo.by_name("Roubaix")
    reco = recommander_catalogue(
        profil(lat=roubaix.lat, lon=roubaix.lon, commune="Roubaix"), catalogue
    )
    by_id = {r.id: r for r in real_rows}
    assert reco.resultats and all(r.formation == by_id[r.formation.id] for r in reco.resultats)


def test_reads_only_a_few_rows(
    synthetic_catalogue: Catalogue, synthetic_rows: list[FormationRecord], geo: Geo
) -> None:
    """A person in Lyon reads her domain's rows around Lyon, not the whole catalogue."""
    read: list[FormationRecord] = []
    candidats = synthetic_catalogue.candidats

    def counting(filtre: FiltreCandidats) -> list[FormationRecord]:
        rows = candidats(filtre)
        read.extend(rows)
        return rows

    synthetic_catalogue.candidats = counting  # type: ignore[method-assign]
    lyon = geo.by_name("Lyon")[0]
    person = profil(lat=lyon.lat, lon=lyon.lon, commune="Lyon", interets=("data",))
    reco = recommander_catalogue(person, synthetic_catalogue)
    assert reco.resultats or reco.alternatives
    assert 0 < len(read) < len(synthetic_rows) / 10


DENSE_CENTRES = ("Paris", "Lyon")


@pytest.fixture(scope="module")
def dense_rows(real_rows: list[FormationRecord], geo: Geo) -> list[FormationRecord]:
    """1,500 rows made from the real ones, all within 40 km of Paris or Lyon: a person
    there has hundreds of results in her domains (the dense areas of the big catalogue)."""
    centres = [geo.by_name(name)[0] for name in DENSE_CENTRES]
    communes = Communes.de(geo)
    near = [
        c
        for c in communes.liste
        if any(distance_km(c.lat, c.lon, p.lat, p.lon) <= 40 for p in centres)  # type: ignore[arg-type]
    ]
    dense = Communes(tuple(near), tuple(itertools.accumulate(max(c.population, 1) for c in near)))
    rows = catalogue_synthetique(1500, real_rows, dense, graine=13)
    return [validate_row(row) for row in rows]  # type: ignore[misc]


def dense_profiles(geo: Geo, count: int, seed: int) -> list[Profil]:
    """Profiles in or around Paris and Lyon: chosen interests or the "je sais pas" defaults,
    trainings set aside, sessions compared with a date, distance learning or not."""
    rng = random.Random(seed)
    centres = [geo.by_name(name)[0] for name in DENSE_CENTRES]
    profiles = []
    for person in varied_profiles(geo, count, seed):
        centre = rng.choice(centres)
        defaults = rng.random() < 0.2
        profiles.append(
            replace(
                person,
                commune=centre.nom,
                lat=centre.lat + rng.uniform(-0.2, 0.2),
                lon=centre.lon + rng.uniform(-0.2, 0.2),
                interets=tuple(DEFAULT_DOMAINS) if defaults else person.interets,
                interets_par_defaut=defaults,
                rayon_km=rng.choice((5.0, 10.0, 30.0, 30.0, 60.0, 100.0)),
                formations_exclues=tuple(f"synth-{rng.randrange(1500):06d}" for _ in range(5)),
                aujourdhui=rng.choice((None, dt.date(2026, 1, 15), dt.date(2027, 6, 1))),
            )
        )
    return profiles


def shown(person: Profil, reco: Recommandation) -> tuple[Any, ...]:
    """What the person is told and shown: the answer type, the count announced, the first
    pages, a later page, and the pages after "voir plus" (the list already shown kept).

    For alternatives (nothing in the zone), only the first `LIMITE_PROCHES` rows are read:
    their pages within them are compared, not their count."""
    liste = liste_a_montrer(person, reco)
    suite = liste_a_montrer(person, reco, ordre=ids(liste))
    pages = [[key(r) for r in page(liste, numero)] for numero in (0, 1, 2, 7)]
    complete = (len(liste), ids(liste)) if reco.resultats else None
    return (
        reco.type_alternative,
        complete,
        pages,
        [key(r) for r in page(suite, 1)],
        reco.a_distance_possibles,
    )


@pytest.fixture(scope="module")
def dense_expected(dense_rows: list[FormationRecord], geo: Geo) -> list[tuple[Profil, Any]]:
    """(person, what the full scan shows her) for 200 people in dense areas."""
    people = dense_profiles(geo, 200, seed=17)
    return [(person, shown(person, recommander(person, dense_rows))) for person in people]


def test_shown_list_same_as_full_scan_in_dense_areas(
    db_engine: Engine,
    tmp_path: Path,
    dense_rows: list[FormationRecord],
    dense_expected: list[tuple[Profil, Any]],
) -> None:
    """Hundreds of people in dense areas: same count announced, same first pages, same
    later pages, in the same order, as the full scan."""
    catalogue = loaded(db_engine, tmp_path, dense_rows)
    for person, expected in dense_expected:
        assert shown(person, recommander_catalogue(person, catalogue)) == expected, person
    counts = [complete[0] for _, (_, complete, *_) in dense_expected if complete]
    assert max(counts) >= 200  # dense indeed: many pages
    assert sum(1 for n in counts if n > 20) >= 50


# --------------------------------------------------------------------------- each step


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("results", [formation("a", km=5.0), formation("b", km=12.0, cout="payant")]),
        (
            "a_distance",
            [
                formation("remote", km=None, a_distance=True),
                formation("far", km=300, domaines=["mediation_numerique"]),
            ],
        ),
        (
            "plus_loin_remote_counted",
            [formation("remote", km=None, a_distance=True), formation("far", km=300)],
        ),
        ("plus_loin", [formation(f"f{k}", km=40.0 + 7 * k) for k in range(80)]),
        (
            "domaine_voisin",
            [
                formation("design", km=5.0, domaines=["design"]),
                formation("far-design", km=300.0, domaines=["design"]),
                formation("unrelated", km=2.0, domaines=["mediation_numerique"]),
            ],
        ),
        (
            "non_eligible",
            [formation(f"old-{k}", km=10.0 * k, age_min=26) for k in range(60)]
            + [formation(f"web-{k}", km=None, a_distance=True, age_min=26) for k in range(3)],
        ),
        ("non_eligible_nowhere", [formation(f"x{k}", km=None, age_min=40) for k in range(5)]),
        ("excluded", [formation("m", km=5.0, domaines=["developpement", "design"])]),
    ],
)
def test_each_step_like_recommander(
    db_engine: Engine, tmp_path: Path, name: str, rows: list[FormationRecord]
) -> None:
    """Each answer of `recommander` (named by the case), from the database, for a person
    at HOME, accepting distance learning or not, and for one whose town is unknown."""
    catalogue = loaded(db_engine, tmp_path, rows)
    expected = {
        "excluded": "domaine_voisin",
        "non_eligible_nowhere": "non_eligible",
        "plus_loin_remote_counted": "plus_loin",
    }.get(name, name)
    person = (
        profil(interets=("design",), domaines_exclus=("design",))
        if name == "excluded"
        else profil()
    )
    assert recommander(person, rows).type_alternative == (None if name == "results" else expected)
    for variant in (person, replace(person, distanciel=True), replace(person, lat=None, lon=None)):
        assert_same(variant, rows, catalogue)


def test_nearest_rows_with_equal_rounded_distances(db_engine: Engine, tmp_path: Path) -> None:
    """60 rows at 100.0 km and 10 at 100.04 km (same rounded distance, smaller ids): the
    first alternatives are ordered by id as in `recommander`, although the database finds
    the 100.0 km rows nearer."""
    east = {"lat": HOME[0], "lon": HOME[1] + 100.04 / (KM_PER_DEGREE * math.cos(math.radians(50)))}
    rows = [formation(f"b-{k:02d}", **south_of_home(100.0)) for k in range(60)]
    rows += [formation(f"a-{k:02d}", **east) for k in range(10)]
    catalogue = loaded(db_engine, tmp_path, rows)
    got = recommander_catalogue(profil(), catalogue)
    assert got.type_alternative == "plus_loin"
    assert [r.formation.id for r in got.alternatives[:12]] == [
        *(f"a-{k:02d}" for k in range(10)),
        "b-00",
        "b-01",
    ]
    assert_same(profil(), rows, catalogue)


def test_nearest_rows_far_away_are_found(db_engine: Engine, tmp_path: Path) -> None:
    """Only trainings in Réunion for a person in the Nord: the nearest are still found."""
    rows = [
        formation(f"run-{k}", lat=-20.9 - k / 100, lon=55.45, departement="974") for k in range(3)
    ]
    catalogue = loaded(db_engine, tmp_path, rows)
    got = recommander_catalogue(profil(), catalogue)
    assert got.type_alternative == "plus_loin"
    assert [r.formation.id for r in got.alternatives] == ["run-0", "run-1", "run-2"]


# --------------------------------------------------------------------------- actions


@pytest.fixture
def action_catalogue(
    monkeypatch: pytest.MonkeyPatch, db_engine: Engine, tmp_path: Path, real_rows
) -> Iterator[Catalogue]:
    catalogue = loaded(db_engine, tmp_path, real_rows)
    monkeypatch.setattr(services, "catalogue", lambda: catalogue)
    yield catalogue


ROUBAIX_SLOTS = {
    "situation": "decrocheur",
    "diplome": "aucun",
    "age": 19.0,
    "commune": "Roubaix",
    "code_insee": "59512",
    "interets": ["developpement"],
}


@pytest.mark.anyio
async def test_action_recommends_from_the_database(action_catalogue, domain) -> None:
    """action_recommander shows the staged results (the full scan's first page)."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(domain, **ROUBAIX_SLOTS)
    events = await ActionRecommander().run(dispatcher, tracker, domain)
    (payload,) = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    person = services.profil_from_tracker(tracker)
    expected = recommander(person, action_catalogue.all())
    assert [f["id"] for f in payload["formations"]] == [
        r.formation.id for r in expected.resultats[:5]
    ]
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["resultats"] == [r.formation.id for r in expected.resultats]


@pytest.mark.anyio
async def test_database_failure_is_told_without_personal_data(
    monkeypatch: pytest.MonkeyPatch, domain, caplog: pytest.LogCaptureFixture
) -> None:
    """When the database fails, the person is told (utter_catalogue_indisponible), nothing
    crashes and the log names the error class only."""
    broken = engine_for("sqlite://")  # no tables: every query fails
    monkeypatch.setattr(services, "catalogue", lambda: Catalogue(broken))
    caplog.set_level(logging.INFO, logger="bot.actions.recommandations")
    for action, slots in (
        (ActionRecommander(), ROUBAIX_SLOTS),
        (ActionDetailFormation(), {**ROUBAIX_SLOTS, "resultats": ["gen-hdf-2016-001"]}),
    ):
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(domain, "la 2e", **slots)
        events = await action.run(dispatcher, tracker, domain)
        assert events == []
        assert [m.get("response") for m in dispatcher.messages] == ["utter_catalogue_indisponible"]
    assert "utter_catalogue_indisponible" in domain["responses"]
    logged = [r.getMessage() for r in caplog.records if r.name == "bot.actions.recommandations"]
    assert logged == ["catalogue database unavailable (OperationalError)"] * 2
    broken.dispose()


def test_garbage_collection_resumes_after_a_recommendation(
    synthetic_catalogue: Catalogue, geo: Geo
) -> None:
    """The cyclic collector is paused during a recommendation only: on again afterwards,
    even when the database fails, and left off when it was off before."""
    lyon = geo.by_name("Lyon")[0]
    person = profil(lat=lyon.lat, lon=lyon.lon, commune="Lyon", interets=("data",))
    assert gc.isenabled()
    recommander_catalogue(person, synthetic_catalogue)
    assert gc.isenabled()
    with pytest.raises(SQLAlchemyError):
        recommander_catalogue(person, Catalogue(engine_for("sqlite://")))
    assert gc.isenabled()
    gc.disable()
    try:
        recommander_catalogue(person, synthetic_catalogue)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_rows_read_are_the_records_loaded(
    synthetic_catalogue: Catalogue, synthetic_rows: list[FormationRecord]
) -> None:
    """Rows are converted without the dataclass's __init__: the same records (equal,
    frozen); a row with other columns goes through the __init__, which refuses it."""
    by_id = {r.id: r for r in synthetic_rows}
    read = synthetic_catalogue.candidats(FiltreCandidats(("data",)))
    assert read and all(r == by_id[r.id] for r in read)
    with pytest.raises(dataclasses.FrozenInstanceError):
        read[0].intitule = "autre"  # type: ignore[misc]
    row = {
        **vars(read[0]),
        **{key: json.dumps(list(getattr(read[0], key))) for key in _LIST_COLUMNS},
        "sessions": json.dumps([s.to_dict() for s in read[0].sessions]),
        "brut": json.dumps(read[0].brut),
    }
    assert _to_record(row) == read[0]
    with pytest.raises(TypeError):
        _to_record({**row, "inconnue": 1})
