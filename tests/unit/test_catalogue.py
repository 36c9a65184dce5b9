"""Catalogue: validation rules, atomic loading, queries, cache and `capnum catalogue` CLI.

Loading, search, candidate filters, stats, export and the cache run on SQLite and on
PostgreSQL (`engine` fixture).
"""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.catalogue import cli as catalogue_cli
from bot.catalogue import repository
from bot.catalogue.candidats import Boite, Eligibilite, FiltreCandidats
from bot.catalogue.export import export_jsonl
from bot.catalogue.models import FormationDomaineRow
from bot.catalogue.repository import (
    Catalogue,
    CatalogueCache,
    CatalogueLoadError,
    catalogue_paths,
)
from bot.catalogue.schema import upgrade_schema
from bot.catalogue.validation import (
    FormationRecord,
    RowError,
    validate_files,
    validate_line,
)
from bot.config import REPO_ROOT, Settings
from bot.db import engine_for
from tests.support.factories import DISTANCE_ONLY, MISSING, valid_row, write_jsonl


def ids(records: list[FormationRecord]) -> list[str]:
    return [record.id for record in records]


def domain_pairs(engine: Engine) -> list[tuple[str, str]]:
    """The `formation_domaines` rows, sorted."""
    d = FormationDomaineRow
    with engine.connect() as conn:
        return sorted(tuple(row) for row in conn.execute(select(d.formation_row_id, d.domaine)))


@pytest.fixture
def engine(db_engine: Engine) -> Iterator[Engine]:
    """A catalogue database at the latest schema: SQLite, then PostgreSQL."""
    upgrade_schema(db_engine)
    yield db_engine


@pytest.fixture
def sample_files(tmp_path: Path) -> list[Path]:
    """Two files: Hauts-de-France rows and Île-de-France / distance rows."""
    hdf = write_jsonl(
        tmp_path / "gen_hdf_2016.jsonl",
        [
            valid_row(),
            None,
            valid_row(
                id="gen-hdf-2016-002",
                formation_id="gen-hdf-2016-002",
                intitule="Technicien d'assistance informatique",
                domaines=["support_informatique", "reseaux_systemes"],
                commune="Roubaix",
                code_postal="59100",
                code_insee="59512",
            ),
        ],
    )
    idf = write_jsonl(
        tmp_path / "gen_idf_2019.jsonl",
        [
            valid_row(
                id="gen-idf-2019-001",
                formation_id="gen-idf-2019-001",
                intitule="Analyste en cybersécurité",
                organisme="Cyber École",
                domaines=["cybersecurite"],
                commune="Paris",
                code_insee="75056",
                code_postal="75001",
                departement="75",
                region="Île-de-France",
                lat=48.85,
                lon=2.35,
                source={"nom": "GEN 2019", "reference": "data/gen2019.csv", "confiance": None},
                date_donnees="2019",
            ),
            valid_row(
                id="gen-idf-2019-002",
                formation_id="gen-idf-2019-001",
                intitule="Analyste en cybersécurité",
                organisme="Cyber École",
                domaines=["cybersecurite", "data"],
                **DISTANCE_ONLY,
                source={"nom": "GEN 2019", "reference": "data/gen2019.csv", "confiance": None},
                date_donnees="2019",
            ),
        ],
    )
    return [hdf, idf]


# --------------------------------------------------------------------------- validation


def test_valid_row_round_trips() -> None:
    """A valid catalogue row parses into a typed record and serialises back unchanged."""
    row = valid_row()
    record = validate_line(json.dumps(row))
    assert isinstance(record, FormationRecord)
    assert record.domaines == ("developpement",)
    assert record.duree_mois == 7.0 and isinstance(record.duree_mois, float)
    assert (record.source_nom, record.source_confiance) == ("GEN 2016", "high")
    assert record.to_dict() == row


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({}, id="plain"),
        pytest.param(
            {"departement": "974", "code_postal": "97400", "lat": -20.88, "lon": 55.45},
            id="reunion",
        ),
        pytest.param({"departement": "976", "lat": -12.78, "lon": 45.23}, id="mayotte"),
        pytest.param({"departement": "972", "lat": 14.6, "lon": -61.07}, id="martinique"),
        pytest.param({"departement": "973", "lat": 4.93, "lon": -52.33}, id="guyane"),
        pytest.param({"departement": "2A", "lat": 41.93, "lon": 8.74}, id="corse"),
        pytest.param({"departement": "01", "lat": 46, "lon": 5}, id="integer-coordinates"),
        pytest.param(
            {"commune": None, "lat": None, "lon": None, "a_distance": True}, id="distance-only"
        ),
        pytest.param({"age_min": 14, "age_max": 99, "duree_mois": 48}, id="bounds"),
        pytest.param({"age_min": None, "duree_mois": None, "public_cible": []}, id="nulls"),
        pytest.param({"date_donnees": "2016-2018", "organisme": None}, id="year-range"),
        pytest.param({"source": {"nom": "X", "reference": None, "confiance": None}}, id="src"),
        pytest.param({"diplome_min": "aucun", "diplome_max": "bac"}, id="diplomas"),
    ],
)
def test_valid_variants(overrides: dict[str, Any]) -> None:
    """Each accepted variant of an otherwise valid row parses into a record."""
    assert isinstance(validate_line(json.dumps(valid_row(**overrides))), FormationRecord)


BAD_ROWS = [
    pytest.param({"intitule": MISSING}, "champ 'intitule' manquant", id="missing-field"),
    pytest.param({"brut": MISSING}, "champ 'brut' manquant", id="missing-brut"),
    pytest.param({"intitule": "  "}, "champ 'intitule' vide", id="empty-title"),
    pytest.param({"lat": "50.6"}, "champ 'lat' : type invalide", id="lat-string"),
    pytest.param({"a_distance": "oui"}, "champ 'a_distance' : type invalide", id="bool-str"),
    pytest.param({"a_distance": None}, "champ 'a_distance' : type invalide", id="bool-null"),
    pytest.param({"age_min": True}, "champ 'age_min' : type invalide", id="age-bool"),
    pytest.param({"age_min": 18.5}, "champ 'age_min' : type invalide", id="age-float"),
    pytest.param({"metiers": "Développeur"}, "champ 'metiers' : type invalide", id="not-list"),
    pytest.param({"rome": ["M1805", 3]}, "champ 'rome' : type invalide", id="list-item"),
    pytest.param({"organisme": 12}, "champ 'organisme' : type invalide", id="str-int"),
    pytest.param({"brut": []}, "champ 'brut' : type invalide", id="brut-list"),
    pytest.param({"source": "GEN"}, "champ 'source' : type invalide", id="source-str"),
    pytest.param({"extra": 1}, "champ inconnu 'extra'", id="unknown-field"),
    pytest.param({"id": "Gen_HDF 1"}, "identifiant invalide", id="bad-id"),
    pytest.param({"rome": ["X1805"]}, "code ROME invalide 'X1805'", id="bad-rome"),
    pytest.param({"domaines": ["cuisine"]}, "domaine inconnu 'cuisine'", id="bad-domain"),
    pytest.param({"domaines": []}, "champ 'domaines' vide", id="no-domain"),
    pytest.param({"public_cible": ["retraite"]}, "public inconnu 'retraite'", id="bad-public"),
    pytest.param({"code_postal": "5900"}, "code postal invalide '5900'", id="postcode-short"),
    pytest.param({"code_postal": "59OOO"}, "code postal invalide", id="postcode-letters"),
    pytest.param({"departement": "20"}, "département inconnu '20'", id="dept-20"),
    pytest.param({"departement": "96"}, "département inconnu '96'", id="dept-96"),
    pytest.param({"departement": "977"}, "département inconnu '977'", id="dept-977"),
    pytest.param({"departement": "9"}, "département inconnu '9'", id="dept-unpadded"),
    pytest.param({"lat": 60.0}, "coordonnées hors de France", id="lat-north"),
    pytest.param({"lon": 12.0}, "coordonnées hors de France", id="lon-east"),
    pytest.param({"lat": -20.9, "lon": 3.0}, "coordonnées hors de France", id="mixed-box"),
    pytest.param({"lat": 3.0, "lon": -60.0}, "coordonnées hors de France", id="between-boxes"),
    pytest.param({"lat": 0.0, "lon": 0.0}, "coordonnées hors de France", id="null-island"),
    pytest.param({"lon": None}, "coordonnées incomplètes", id="half-coordinates"),
    pytest.param({"duree_mois": 0}, "durée hors limites", id="duration-zero"),
    pytest.param({"duree_mois": -2}, "durée hors limites", id="duration-negative"),
    pytest.param({"duree_mois": 48.5}, "durée hors limites", id="duration-long"),
    pytest.param({"age_min": 13}, "âge hors limites : age_min = 13", id="age-min-low"),
    pytest.param({"age_max": 100}, "âge hors limites : age_max = 100", id="age-max-high"),
    pytest.param({"age_min": 30, "age_max": 25}, "âges incohérents", id="age-order"),
    pytest.param(
        {"commune": None, "a_distance": False, "lat": None, "lon": None},
        "ligne sans commune : 'a_distance' doit valoir true",
        id="no-commune-not-distance",
    ),
    pytest.param({"cout": "cher"}, "coût inconnu 'cher'", id="bad-cost"),
    pytest.param({"diplome_min": "master"}, "diplôme inconnu 'master'", id="bad-diploma"),
    pytest.param({"site": "ftp://x.fr"}, "adresse web invalide", id="bad-site"),
    pytest.param({"date_donnees": "récent"}, "date_donnees invalide", id="bad-year"),
    pytest.param(
        {"source": {"nom": "GEN", "reference": "x", "confiance": "low"}},
        "confiance inconnue 'low'",
        id="bad-confidence",
    ),
    pytest.param(
        {"source": {"reference": "x", "confiance": None}},
        "champ 'source.nom' manquant",
        id="source-no-name",
    ),
    pytest.param({"id": "gen-hdf-2016-001"}, "identifiant 'gen-hdf-2016-001' en double", id="dup"),
]


@pytest.mark.parametrize(("overrides", "expected"), BAD_ROWS)
def test_bad_row_is_rejected_with_file_and_line(
    tmp_path: Path, overrides: dict[str, Any], expected: str
) -> None:
    """A bad catalogue row is rejected with its file and line number; good rows are kept."""
    bad = valid_row(id="gen-hdf-2016-002", formation_id="gen-hdf-2016-002")
    bad.update({key: value for key, value in overrides.items() if value is not MISSING})
    for key in [key for key, value in overrides.items() if value is MISSING]:
        bad.pop(key)
    path = write_jsonl(tmp_path / "bad.jsonl", [valid_row(), None, bad])

    records, errors = validate_files([path])

    assert ids(records) == ["gen-hdf-2016-001"]
    assert errors, "the row should be rejected"
    assert all((error.file, error.line) == ("bad.jsonl", 3) for error in errors)
    assert any(expected in error.message for error in errors), [str(e) for e in errors]
    assert str(errors[0]).startswith("bad.jsonl:3: ")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param('{"id": "x",', "ligne JSON invalide", id="truncated"),
        pytest.param("{'id': 'x'}", "ligne JSON invalide", id="single-quotes"),
        pytest.param('["a", "b"]', "la ligne doit être un objet JSON", id="array"),
        pytest.param('{"lat": NaN}', "champ 'lat' : type invalide", id="nan"),
    ],
)
def test_invalid_json_line(tmp_path: Path, line: str, expected: str) -> None:
    """A line that is not a JSON object is rejected with its line number and reason."""
    path = write_jsonl(tmp_path / "raw.jsonl", [valid_row(), line])
    _records, errors = validate_files([path])
    assert errors and all(error.line == 2 for error in errors)
    assert any(expected in error.message for error in errors)


def test_error_format_matches_file_line_reason(tmp_path: Path) -> None:
    """A row error prints as 'file:line: reason' with the reason in French."""
    rows: list[Any] = [
        valid_row(id=f"gen-idf-2016-{n:03d}", formation_id="f") for n in range(1, 12)
    ]
    rows.append(valid_row(id="gen-idf-2016-012", intitule=MISSING))
    _records, errors = validate_files([write_jsonl(tmp_path / "gen_idf_2016.jsonl", rows)])
    assert [str(error) for error in errors] == ["gen_idf_2016.jsonl:12: champ 'intitule' manquant"]


def test_duplicate_id_across_files_reported_on_second_occurrence(tmp_path: Path) -> None:
    """A duplicate id across files is reported on its second occurrence, naming the first."""
    first = write_jsonl(tmp_path / "a.jsonl", [valid_row(id="same-id")])
    second = write_jsonl(tmp_path / "b.jsonl", [valid_row(id="other"), valid_row(id="same-id")])
    records, errors = validate_files([first, second])
    assert ids(records) == ["same-id", "other"]
    assert errors == [
        RowError("b.jsonl", 2, "identifiant 'same-id' en double (déjà présent en a.jsonl:1)")
    ]


def test_missing_file_and_bad_encoding(tmp_path: Path) -> None:
    """A missing file and a non-UTF-8 file are each reported instead of raising."""
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes(json.dumps(valid_row(), ensure_ascii=False).encode("latin-1") + b"\n")
    _records, errors = validate_files([tmp_path / "absent.jsonl", latin1])
    assert [str(error) for error in errors] == [
        "absent.jsonl: fichier introuvable",
        "latin1.jsonl:1: encodage invalide (UTF-8 attendu)",
    ]


def test_utf8_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    """A UTF-8 byte-order mark and CRLF line endings are accepted."""
    path = tmp_path / "bom.jsonl"
    content = "\r\n".join(json.dumps(valid_row(id=f"r-{n}")) for n in range(2)) + "\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + content.encode("utf-8"))
    records, errors = validate_files([path])
    assert errors == [] and ids(records) == ["r-0", "r-1"]


# --------------------------------------------------------------------------- loading


def test_valid_load(engine, sample_files: list[Path]) -> None:
    """Loading valid files stores every row, its domains and the catalogue metadata."""
    catalogue = Catalogue(engine)
    report = catalogue.load(sample_files)

    assert report.loaded and not report.skipped
    assert report.files == (("gen_hdf_2016.jsonl", 2), ("gen_idf_2019.jsonl", 2))
    assert (report.rows, report.formations) == (4, 3)
    records = catalogue.all()
    assert ids(records) == [
        "gen-hdf-2016-001",
        "gen-hdf-2016-002",
        "gen-idf-2019-001",
        "gen-idf-2019-002",
    ]
    assert records[0].to_dict() == valid_row()
    assert records[1].domaines == ("support_informatique", "reseaux_systemes")
    assert catalogue.get("gen-idf-2019-002").a_distance is True
    assert catalogue.get("absent") is None
    meta = catalogue.meta()
    assert meta is not None
    assert (meta.digest, meta.row_count, meta.files) == (report.digest, 4, report.files)
    assert meta.loaded_at.tzinfo is not None
    assert domain_pairs(engine) == [
        ("gen-hdf-2016-001", "developpement"),
        ("gen-hdf-2016-002", "reseaux_systemes"),
        ("gen-hdf-2016-002", "support_informatique"),
        ("gen-idf-2019-001", "cybersecurite"),
        ("gen-idf-2019-002", "cybersecurite"),
        ("gen-idf-2019-002", "data"),
    ]


def test_load_replaces_previous_catalogue(engine, tmp_path: Path, sample_files) -> None:
    """A new load replaces the previous catalogue entirely, domains and metadata included."""
    catalogue = Catalogue(engine)
    catalogue.load(sample_files)
    other = write_jsonl(tmp_path / "other.jsonl", [valid_row(id="seul")])
    catalogue.load([other])
    assert ids(catalogue.all()) == ["seul"]
    assert catalogue.meta().row_count == 1
    assert domain_pairs(engine) == [("seul", "developpement")]


def test_repeated_domain_is_indexed_once(engine, tmp_path: Path) -> None:
    """A domain listed twice in a row gives one `formation_domaines` row."""
    row = valid_row(domaines=["data", "developpement", "data"])
    catalogue = Catalogue(engine)
    catalogue.load([write_jsonl(tmp_path / "a.jsonl", [row])])
    assert domain_pairs(engine) == [
        ("gen-hdf-2016-001", "data"),
        ("gen-hdf-2016-001", "developpement"),
    ]
    assert catalogue.all()[0].domaines == ("data", "developpement", "data")


def test_failed_validation_writes_nothing(engine, tmp_path: Path, sample_files) -> None:
    """When any row is invalid the load raises and the previous catalogue stays intact."""
    catalogue = Catalogue(engine)
    catalogue.load(sample_files)
    meta_before = catalogue.meta()
    good = write_jsonl(tmp_path / "good.jsonl", [valid_row(id="nouveau")])
    bad = write_jsonl(tmp_path / "bad.jsonl", [valid_row(id="x"), valid_row(id="y", cout="?")])

    with pytest.raises(CatalogueLoadError) as caught:
        catalogue.load([good, bad])

    assert [str(error) for error in caught.value.errors] == [
        "bad.jsonl:2: coût inconnu '?' (attendu gratuit, payant, finance, remunere, inconnu)"
    ]
    assert len(catalogue.all()) == 4
    assert catalogue.meta() == meta_before


def test_failed_validation_on_empty_database_creates_nothing(tmp_path: Path) -> None:
    """An invalid load on an empty database does not even create the tables."""
    engine = engine_for("sqlite://")
    bad = write_jsonl(tmp_path / "bad.jsonl", [valid_row(domaines=[])])
    with pytest.raises(CatalogueLoadError):
        Catalogue(engine).load([bad])
    assert not inspect(engine).has_table("formations")
    engine.dispose()


def test_empty_catalogue_is_refused(engine, tmp_path: Path, sample_files) -> None:
    """Loading no rows at all is refused and keeps the previous catalogue."""
    catalogue = Catalogue(engine)
    catalogue.load(sample_files)
    empty = write_jsonl(tmp_path / "empty.jsonl", [None])
    with pytest.raises(CatalogueLoadError, match="erreur"):
        catalogue.load([empty])
    with pytest.raises(CatalogueLoadError):
        catalogue.load([])
    assert len(catalogue.all()) == 4


def test_failure_mid_insert_rolls_back(engine, tmp_path: Path, monkeypatch) -> None:
    """A failure in the middle of the inserts rolls the whole load back."""
    first = write_jsonl(tmp_path / "a.jsonl", [valid_row(id=f"a-{n}") for n in range(3)])
    catalogue = Catalogue(engine)
    catalogue.load([first])
    meta_before = catalogue.meta()
    second = write_jsonl(tmp_path / "b.jsonl", [valid_row(id=f"b-{n}") for n in range(5)])
    monkeypatch.setattr(repository, "INSERT_BATCH_SIZE", 1)
    attempts: list[object] = []

    def fail_on_third_insert(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO FORMATIONS"):
            attempts.append(parameters)
            if len(attempts) == 3:
                raise RuntimeError("panne simulée au milieu de l'insertion")

    event.listen(engine, "before_cursor_execute", fail_on_third_insert)
    try:
        with pytest.raises((RuntimeError, SQLAlchemyError), match="panne simulée"):
            catalogue.load([second])
    finally:
        event.remove(engine, "before_cursor_execute", fail_on_third_insert)

    assert len(attempts) == 3  # the delete and two inserts had run inside the transaction
    assert ids(catalogue.all()) == ["a-0", "a-1", "a-2"]
    assert catalogue.meta() == meta_before
    assert domain_pairs(engine) == [(f"a-{n}", "developpement") for n in range(3)]


def test_failure_while_indexing_domains_rolls_back(engine, tmp_path: Path) -> None:
    """The domain rows are written in the loader's transaction: a failure there keeps the
    previous catalogue, its rows and its domains."""
    catalogue = Catalogue(engine)
    catalogue.load([write_jsonl(tmp_path / "a.jsonl", [valid_row(id="ancien")])])
    second = write_jsonl(tmp_path / "b.jsonl", [valid_row(id="nouveau", domaines=["data"])])

    def fail_on_domains(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO FORMATION_DOMAINES"):
            raise RuntimeError("panne simulée pendant l'indexation des domaines")

    event.listen(engine, "before_cursor_execute", fail_on_domains)
    try:
        with pytest.raises((RuntimeError, SQLAlchemyError), match="panne simulée"):
            catalogue.load([second])
    finally:
        event.remove(engine, "before_cursor_execute", fail_on_domains)

    assert ids(catalogue.all()) == ["ancien"]
    assert domain_pairs(engine) == [("ancien", "developpement")]


def test_load_if_changed_skips_unchanged_files(engine, tmp_path: Path, sample_files) -> None:
    """load_if_changed skips files whose digest is unchanged, in any order, and reloads edits."""
    catalogue = Catalogue(engine)
    first = catalogue.load_if_changed(sample_files)
    assert first.loaded and not first.skipped

    second = catalogue.load_if_changed(list(reversed(sample_files)))
    assert second.skipped and not second.loaded
    assert (second.rows, second.formations, second.digest) == (4, 3, first.digest)
    assert catalogue.meta().loaded_at == first.loaded_at

    write_jsonl(sample_files[0], [valid_row(id="change")])
    third = catalogue.load_if_changed(sample_files)
    assert third.loaded and third.digest != first.digest
    assert "change" in ids(catalogue.all())


def test_load_if_changed_on_fresh_database(tmp_path: Path, sample_files) -> None:
    """load_if_changed creates a fresh SQLite database and its parent folders."""
    db = tmp_path / "sub" / "dir" / "capnum.db"
    engine = engine_for(f"sqlite:///{db}")
    assert Catalogue(engine).load_if_changed(sample_files).loaded
    assert db.exists()
    engine.dispose()


# --------------------------------------------------------------------------- queries


def test_search_filters(engine, sample_files) -> None:
    """Search filters by department, region, domain and accent-insensitive text."""
    catalogue = Catalogue(engine)
    catalogue.load(sample_files)

    assert ids(catalogue.search()) == ids(catalogue.all())
    assert ids(catalogue.search(departement="59")) == ["gen-hdf-2016-001", "gen-hdf-2016-002"]
    assert ids(catalogue.search(region="ile de france")) == ["gen-idf-2019-001"]
    assert ids(catalogue.search(region="HAUTS-DE-FRANCE", domaine="support_informatique")) == [
        "gen-hdf-2016-002"
    ]
    assert ids(catalogue.search(domaine="cybersecurite")) == [
        "gen-idf-2019-001",
        "gen-idf-2019-002",
    ]
    assert ids(catalogue.search(domaine="data")) == ["gen-idf-2019-002"]
    assert ids(catalogue.search(text="CYBERSECURITE analyste")) == [
        "gen-idf-2019-001",
        "gen-idf-2019-002",
    ]
    assert ids(catalogue.search(text="roubaix")) == ["gen-hdf-2016-002"]
    assert ids(catalogue.search(text="simplon", departement="75")) == []
    assert catalogue.search(domaine="design") == []


def test_stats_counts(engine, sample_files) -> None:
    """stats() counts rows, formations and distance courses by region, domain, source and year."""
    catalogue = Catalogue(engine)
    catalogue.load(sample_files)
    data = catalogue.stats()
    assert (data["rows"], data["formations"], data["a_distance"]) == (4, 3, 1)
    assert data["by_region"] == {"Hauts-de-France": 2, "(aucune)": 1, "Île-de-France": 1}
    assert data["by_domain"] == {
        "cybersecurite": 2,
        "data": 1,
        "developpement": 1,
        "reseaux_systemes": 1,
        "support_informatique": 1,
    }
    assert data["by_source"] == {"GEN 2016": 2, "GEN 2019": 2}
    assert data["by_year"] == {"2016": 2, "2019": 2}
    assert data["digest"] == catalogue.meta().digest
    json.dumps(data)  # JSON-ready


def test_search_filters_domain_and_place_in_sql(engine, sample_files) -> None:
    """Domain, département and région become SQL conditions: only matching rows are read."""
    catalogue = Catalogue(engine)
    catalogue.load(sample_files)
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        found = catalogue.search(domaine="cybersecurite", region="ÎLE-DE-france", departement="75")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert ids(found) == ["gen-idf-2019-001"]
    (rows_query,) = [sql for sql in statements if "formation_domaines" in sql]
    assert "formations.departement =" in rows_query and "formations.region IN" in rows_query
    assert ids(catalogue.search(departement="1")) == []
    assert catalogue.search(region="Bretagne") == []


def test_candidate_filters(engine, sample_files) -> None:
    """Box, distance learning, coordinates, eligibility, order and limit of `candidats`."""
    Catalogue(engine).load(sample_files)
    catalogue = Catalogue(engine)

    def found(**conditions: Any) -> list[str]:
        return ids(catalogue.candidats(FiltreCandidats(**conditions)))

    hdf = ["gen-hdf-2016-001", "gen-hdf-2016-002"]
    lille = Boite.autour(50.63, 3.06, 10)
    assert found(boite=lille) == hdf
    assert found(boite=lille, distanciel="inclus") == [*hdf, "gen-idf-2019-002"]
    assert found(boite=lille, distanciel="seul") == ["gen-idf-2019-002"]
    assert found(boite=Boite.autour(50.63, 3.06, 210)) == [*hdf, "gen-idf-2019-001"]
    assert found(coordonnees=True) == [*hdf, "gen-idf-2019-001"]
    assert found(domaines=("data", "developpement")) == ["gen-hdf-2016-001", "gen-idf-2019-002"]
    assert found(domaines=()) == [] and found(regions=()) == []
    assert found(regions=("Île-de-France",), departement="75") == ["gen-idf-2019-001"]
    # Every sample row is for job seekers aged 18 or more.
    everyone = ids(Catalogue(engine).all())
    assert found(eligibilite=Eligibilite(age=17.0)) == []
    assert found(eligibilite=Eligibilite(age=17.0, eligible=False)) == everyone
    assert found(eligibilite=Eligibilite(age=30.0, situation="demandeur_emploi")) == everyone
    assert found(eligibilite=Eligibilite(situation="salarie")) == []
    paris = (48.85, 2.35)
    nearest = ["gen-idf-2019-001", *hdf, "gen-idf-2019-002"]  # no coordinates: last
    assert found(centre=paris, tri="distance") == nearest
    assert found(centre=paris, tri="distance", limite=2) == nearest[:2]
    assert sorted(found(tri="aucun")) == everyone


def test_export_of_loaded_catalogue_gives_the_source_rows(engine, sample_files) -> None:
    """What is loaded comes back unchanged through the JSONL export."""
    catalogue = Catalogue(engine)
    catalogue.load(sample_files)
    out = io.StringIO()
    assert export_jsonl(catalogue.all(), out) == 4
    exported = [json.loads(line) for line in out.getvalue().splitlines()]
    source = [
        json.loads(line)
        for path in sample_files
        for line in path.read_text(encoding="utf-8").splitlines()
        if line
    ]
    assert exported == sorted(source, key=lambda row: row["id"])


def test_cache_reloads_only_when_meta_changes(engine, tmp_path: Path, sample_files) -> None:
    """The cache checks the metadata at most once per interval and rereads rows only on change."""
    now = [0.0]
    cache = CatalogueCache(engine, check_interval=30, clock=lambda: now[0])
    assert cache.formations() == []  # nothing loaded yet

    catalogue = Catalogue(engine)
    catalogue.load(sample_files)
    assert cache.formations() == []  # checked less than 30 s ago
    now[0] = 30.0
    assert len(cache.formations()) == 4

    queries: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: queries.append(a[2]))
    now[0] = 61.0
    assert len(cache.formations()) == 4
    assert len(queries) == 1 and "catalogue_meta" in queries[0]  # meta checked, rows not read

    catalogue.load([write_jsonl(tmp_path / "c.jsonl", [valid_row(id="seul")])])
    cache.invalidate()
    assert ids(cache.formations()) == ["seul"]


def test_cache_keeps_last_catalogue_when_database_fails(engine, sample_files) -> None:
    """The cache keeps serving the last catalogue when the database fails."""
    now = [0.0]
    cache = CatalogueCache(engine, check_interval=1, clock=lambda: now[0])
    Catalogue(engine).load(sample_files)
    assert len(cache.formations()) == 4
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE catalogue_meta"))
    now[0] = 5.0
    assert len(cache.formations()) == 4


# --------------------------------------------------------------------------- settings


def test_settings_defaults_and_environment(tmp_path: Path) -> None:
    """Settings default to the repository paths, follow the environment and list sorted .jsonl."""
    defaults = Settings.from_env({})
    assert REPO_ROOT == Path(__file__).resolve().parents[2]
    assert defaults.database_url == f"sqlite:///{REPO_ROOT / 'var' / 'capnum.db'}"
    assert defaults.knowledge_dir == REPO_ROOT / "knowledge"
    custom = Settings.from_env(
        {"CAPNUM_DATABASE_URL": "postgresql://u@h/db", "CAPNUM_KNOWLEDGE_DIR": str(tmp_path)}
    )
    assert custom.database_url == "postgresql://u@h/db"
    assert custom.catalogue_dir == tmp_path / "catalogue"
    (tmp_path / "catalogue").mkdir()
    for name in ("b.jsonl", "a.jsonl", "notes.txt"):
        (tmp_path / "catalogue" / name).write_text("")
    assert [p.name for p in catalogue_paths(custom.catalogue_dir)] == ["a.jsonl", "b.jsonl"]


# --------------------------------------------------------------------------- CLI


def run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="capnum")
    sub = parser.add_subparsers(dest="command", required=True)
    catalogue_cli.register(sub)
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_load_dry_run_writes_nothing(tmp_path: Path, sample_files, capsys) -> None:
    """'catalogue load --dry-run' reports per-file counts and creates no database."""
    db = tmp_path / "db" / "capnum.db"
    argv = ["catalogue", "load", "--dry-run", "--database-url", f"sqlite:///{db}", "--file"]
    assert run_cli(argv + [str(path) for path in sample_files]) == 0
    out = capsys.readouterr().out
    assert "gen_hdf_2016.jsonl : 2 ligne(s)" in out
    assert "gen_idf_2019.jsonl : 2 ligne(s)" in out
    assert "Total : 4 ligne(s), 3 formation(s) distincte(s)." in out
    assert "rien n'a été écrit" in out
    assert not db.exists()


def test_cli_bad_file_exits_1_and_keeps_catalogue(tmp_path: Path, sample_files, capsys) -> None:
    """The CLI exits 1 listing every rejected row in French and keeps the old catalogue."""
    url = f"sqlite:///{tmp_path / 'capnum.db'}"
    load_argv = ["catalogue", "load", "--database-url", url, "--file", *map(str, sample_files)]
    assert run_cli(load_argv) == 0
    assert capsys.readouterr().out.count("Catalogue chargé") == 1
    bad = write_jsonl(
        tmp_path / "bad.jsonl",
        [valid_row(id="z", intitule=MISSING), valid_row(id="y", departement="20")],
    )

    code = run_cli(["catalogue", "load", "--database-url", url, "--file", str(bad)])

    captured = capsys.readouterr()
    assert code == 1
    assert "Lignes rejetées (2) :" in captured.err
    assert "bad.jsonl:1: champ 'intitule' manquant" in captured.err
    assert "bad.jsonl:2: département inconnu '20'" in captured.err
    assert captured.err.rstrip().endswith("Rien n'a été écrit : le catalogue précédent est intact.")
    engine = engine_for(url)
    assert len(Catalogue(engine).all()) == 4
    engine.dispose()


def test_cli_load_uses_settings_and_queries(tmp_path: Path, sample_files, capsys, monkeypatch):
    """The CLI loads from the configured paths and its search, show and stats commands answer."""
    knowledge = tmp_path / "knowledge"
    (knowledge / "catalogue").mkdir(parents=True)
    for path in sample_files:
        path.rename(knowledge / "catalogue" / path.name)
    monkeypatch.setenv("CAPNUM_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("CAPNUM_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'capnum.db'}")

    assert run_cli(["catalogue", "stats"]) == 1
    assert "lancez d'abord" in capsys.readouterr().err
    assert not (tmp_path / "var").exists()  # reading does not create the database
    assert run_cli(["catalogue", "load"]) == 0
    assert "Catalogue chargé" in capsys.readouterr().out
    assert run_cli(["catalogue", "load", "--if-changed"]) == 0
    assert "Catalogue inchangé" in capsys.readouterr().out

    assert run_cli(["catalogue", "search", "--departement", "59", "--texte", "informatique"]) == 0
    out = capsys.readouterr().out
    assert "gen-hdf-2016-002" in out and "gen-hdf-2016-001" not in out
    assert out.splitlines()[0].split() == [
        "id",
        "intitulé",
        "organisme",
        "commune",
        "domaines",
        "données",
    ]
    assert run_cli(["catalogue", "search", "--domaine", "design"]) == 0
    assert "Aucune formation" in capsys.readouterr().out

    assert run_cli(["catalogue", "show", "gen-idf-2019-002"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["a_distance"] is True and shown["source"]["nom"] == "GEN 2019"
    assert run_cli(["catalogue", "show", "absent"]) == 1
    assert "Formation introuvable" in capsys.readouterr().err

    assert run_cli(["catalogue", "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == 4
    assert run_cli(["catalogue", "stats"]) == 0
    assert "Par domaine :" in capsys.readouterr().out


def test_repository_catalogue_files_are_valid() -> None:
    """The shipped catalogue (when present) passes every rule."""
    paths = catalogue_paths(Settings.from_env({}).catalogue_dir)
    if not paths:
        pytest.skip("knowledge/catalogue/*.jsonl absent")
    records, errors = validate_files(paths)
    assert [str(error) for error in errors] == []
    assert records
