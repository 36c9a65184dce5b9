"""Catalogue schema migrations (Alembic): upgrade, legacy stamping, downgrade, model drift, CLI."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.engine import Engine

from bot.catalogue import cli as catalogue_cli
from bot.catalogue.models import CatalogueMetaRow, FormationDomaineRow, FormationRow, metadata
from bot.catalogue.repository import Catalogue
from bot.catalogue.schema import (
    INITIAL_REVISION,
    SchemaStateError,
    current_revision,
    downgrade_schema,
    head_revision,
    schema_status,
    upgrade_schema,
)
from bot.db import engine_for
from tests.support.factories import valid_row, write_jsonl

TABLES = {"formations", "formation_domaines", "catalogue_meta", "alembic_version"}
SECOND_REVISION = "0002_formation_domaines"
THIRD_REVISION = "0003_formation_sessions_rncp"
FOURTH_REVISION = "0004_formation_domaines_lieu"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'capnum.db'}"


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    engine = engine_for(sqlite_url)
    yield engine
    engine.dispose()


def model_drift(engine: Engine) -> list[object]:
    """Differences between the models and the database, as alembic autogenerate sees them."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def formation_values(row: dict[str, Any]) -> dict[str, Any]:
    """Column values of `formations` for a schema row."""
    return {
        **{key: value for key, value in row.items() if key != "source"},
        "source_nom": row["source"]["nom"],
        "source_reference": row["source"]["reference"],
        "source_confiance": row["source"]["confiance"],
    }


def domain_pairs(engine: Engine) -> list[tuple[str, str]]:
    d = FormationDomaineRow
    with engine.connect() as conn:
        return sorted(tuple(row) for row in conn.execute(select(d.formation_row_id, d.domaine)))


def seed_legacy(engine: Engine) -> None:
    """A database as `create_all` made it before the migrations (the schema of the initial
    revision, no `alembic_version`), with one row per table."""
    upgrade_schema(engine, INITIAL_REVISION)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    with engine.begin() as conn:
        conn.execute(insert(FormationRow), formation_values(valid_row()))
        conn.execute(
            insert(CatalogueMetaRow),
            {
                "id": CatalogueMetaRow.SINGLETON_ID,
                "loaded_at": datetime(2024, 5, 1, tzinfo=timezone.utc),
                "digest": "d" * 64,
                "row_count": 1,
                "files": [["gen_hdf_2016.jsonl", 1]],
            },
        )


def assert_legacy_rows_intact(engine: Engine) -> None:
    catalogue = Catalogue(engine)
    records = catalogue.all()
    assert [record.to_dict() for record in records] == [valid_row()]
    assert domain_pairs(engine) == [("gen-hdf-2016-001", "developpement")]
    meta = catalogue.meta()
    assert meta is not None
    assert (meta.digest, meta.row_count, meta.files) == ("d" * 64, 1, (("gen_hdf_2016.jsonl", 1),))


def run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="capnum")
    sub = parser.add_subparsers(dest="command", required=True)
    catalogue_cli.register(sub)
    args = parser.parse_args(argv)
    return args.func(args)


# --------------------------------------------------------------------------- SQLite


def test_upgrade_empty_sqlite_creates_tables_at_head(sqlite_engine: Engine) -> None:
    """An empty database gets both tables and alembic_version at head."""
    assert current_revision(sqlite_engine) is None
    result = upgrade_schema(sqlite_engine)
    assert set(inspect(sqlite_engine).get_table_names()) == TABLES
    assert result.before is None and not result.stamped
    assert result.after == head_revision() == current_revision(sqlite_engine)
    assert schema_status(sqlite_engine).up_to_date
    assert not upgrade_schema(sqlite_engine).changed  # idempotent


def test_upgrade_accepts_a_url(sqlite_url: str) -> None:
    """upgrade_schema builds (and disposes) its own engine from a URL."""
    assert upgrade_schema(sqlite_url).after == head_revision()
    assert current_revision(sqlite_url) == head_revision()


def test_init_schema_uses_migrations(tmp_path: Path) -> None:
    """init_schema (hence every load) leaves the database versioned at head."""
    engine = engine_for("sqlite://")
    upgrade_schema(engine)
    assert set(inspect(engine).get_table_names()) == TABLES
    Catalogue(engine).load([write_jsonl(tmp_path / "a.jsonl", [valid_row()])])
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_models_match_migrations_on_sqlite(sqlite_engine: Engine) -> None:
    """Autogenerate finds no difference between the models and a migrated SQLite database."""
    upgrade_schema(sqlite_engine)
    assert model_drift(sqlite_engine) == []


def test_legacy_sqlite_database_is_stamped_and_keeps_rows(sqlite_engine: Engine) -> None:
    """Tables made by create_all (no alembic_version) are stamped, upgraded, rows intact."""
    seed_legacy(sqlite_engine)
    status = schema_status(sqlite_engine)
    assert status.legacy and status.current is None

    result = upgrade_schema(sqlite_engine)

    assert result.stamped and result.before is None and result.after == head_revision()
    assert set(inspect(sqlite_engine).get_table_names()) == TABLES
    assert_legacy_rows_intact(sqlite_engine)
    assert model_drift(sqlite_engine) == []


def test_partial_legacy_schema_is_refused(sqlite_engine: Engine) -> None:
    """Only one catalogue table and no version table: nothing is stamped or created."""
    metadata.tables["formations"].create(sqlite_engine)
    with pytest.raises(SchemaStateError, match="schéma incomplet"):
        upgrade_schema(sqlite_engine)
    assert set(inspect(sqlite_engine).get_table_names()) == {"formations"}


def test_downgrade_to_base_drops_tables(sqlite_engine: Engine) -> None:
    """Downgrading to base removes both catalogue tables; upgrading again recreates them."""
    upgrade_schema(sqlite_engine)
    result = downgrade_schema(sqlite_engine, "base")
    assert (result.before, result.after) == (head_revision(), None)
    assert set(inspect(sqlite_engine).get_table_names()) <= {"alembic_version"}
    assert upgrade_schema(sqlite_engine).after == head_revision()


def check_domain_backfill(engine: Engine) -> None:
    """A catalogue at revision 0001 keeps its rows and gets its domain rows at 0002;
    downgrading drops them, upgrading again rebuilds them."""
    upgrade_schema(engine, INITIAL_REVISION)
    rows = [
        valid_row(),
        valid_row(id="b", domaines=["data", "cybersecurite", "data"]),
        valid_row(id="c", domaines=["design"], lat=None, lon=None, commune=None, a_distance=True),
    ]
    with engine.begin() as conn:
        conn.execute(insert(FormationRow), [formation_values(row) for row in rows])
    expected = [
        ("b", "cybersecurite"),
        ("b", "data"),
        ("c", "design"),
        ("gen-hdf-2016-001", "developpement"),
    ]

    result = upgrade_schema(engine, SECOND_REVISION)

    assert (result.before, result.after) == (INITIAL_REVISION, SECOND_REVISION)
    assert domain_pairs(engine) == expected
    upgrade_schema(engine)
    catalogue = Catalogue(engine)
    assert [record.to_dict() for record in catalogue.all()] == sorted(
        rows, key=lambda row: row["id"]
    )
    assert model_drift(engine) == []
    indexes = {index["name"] for index in inspect(engine).get_indexes("formations")}
    assert {"ix_formations_lat_lon", "ix_formations_a_distance"} <= indexes

    downgrade_schema(engine, INITIAL_REVISION)
    assert not inspect(engine).has_table("formation_domaines")
    indexes = {index["name"] for index in inspect(engine).get_indexes("formations")}
    assert not {"ix_formations_lat_lon", "ix_formations_a_distance"} & indexes
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM formations")) == 3
    upgrade_schema(engine)
    assert domain_pairs(engine) == expected


def test_upgrade_0001_to_0002_backfills_domains_on_sqlite(sqlite_engine: Engine) -> None:
    """On SQLite, migrating 0001 to 0002 backfills domain rows; downgrade and redo agree."""
    check_domain_backfill(sqlite_engine)


def check_sessions_columns(engine: Engine, tmp_path: Path) -> None:
    """A catalogue at revision 0002 keeps its rows at 0003, each with no session and no
    RNCP number; rows loaded afterwards keep theirs; downgrading drops both columns only."""
    upgrade_schema(engine, SECOND_REVISION)
    with engine.begin() as conn:
        conn.execute(insert(FormationRow), formation_values(valid_row()))

    result = upgrade_schema(engine, THIRD_REVISION)

    assert (result.before, result.after) == (SECOND_REVISION, THIRD_REVISION)
    upgrade_schema(engine)
    assert model_drift(engine) == []
    record = Catalogue(engine).get("gen-hdf-2016-001")
    assert record is not None and (record.sessions, record.rncp) == ((), ())
    assert record.to_dict() == valid_row()

    sessions = [{"debut": "2025-09-01", "fin": "2026-03-31"}, {"debut": "2026-01-05", "fin": None}]
    row = valid_row(id="lheo-a1", sessions=sessions, rncp=["RNCP37674"])
    Catalogue(engine).load([write_jsonl(tmp_path / "a.jsonl", [row])])
    loaded = Catalogue(engine).get("lheo-a1")
    assert loaded is not None and loaded.to_dict() == row

    downgrade_schema(engine, SECOND_REVISION)
    columns = {column["name"] for column in inspect(engine).get_columns("formations")}
    assert not {"sessions", "rncp"} & columns and "brut" in columns
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM formations")) == 1
    assert upgrade_schema(engine, THIRD_REVISION).after == THIRD_REVISION


def test_upgrade_0002_to_0003_adds_sessions_and_rncp_on_sqlite(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """On SQLite, migrating 0002 to 0003 keeps the rows (empty sessions and RNCP numbers)."""
    check_sessions_columns(sqlite_engine, tmp_path)


def domain_places(engine: Engine) -> list[tuple[str, str, float | None, float | None]]:
    d = FormationDomaineRow
    stmt = select(d.formation_row_id, d.domaine, d.lat, d.lon).order_by(
        d.formation_row_id, d.domaine
    )
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(stmt)]  # type: ignore[misc]


def check_domain_places(engine: Engine, tmp_path: Path) -> None:
    """At revision 0004 the domain rows get their row's coordinates (backfilled, indexed);
    rows loaded afterwards too; downgrading drops the two columns only."""
    upgrade_schema(engine, THIRD_REVISION)
    rows = [
        valid_row(),
        valid_row(id="b", domaines=["data", "cybersecurite"], lat=45.75, lon=4.85),
        valid_row(id="c", domaines=["design"], lat=None, lon=None, commune=None, a_distance=True),
    ]
    with engine.begin() as conn:
        conn.execute(insert(FormationRow), [formation_values(row) for row in rows])
        conn.execute(
            insert(FormationDomaineRow),
            [
                {"formation_row_id": row["id"], "domaine": domaine}
                for row in rows
                for domaine in row["domaines"]
            ],
        )
    first = (valid_row()["lat"], valid_row()["lon"])
    expected = [
        ("b", "cybersecurite", 45.75, 4.85),
        ("b", "data", 45.75, 4.85),
        ("c", "design", None, None),
        ("gen-hdf-2016-001", "developpement", *first),
    ]

    result = upgrade_schema(engine)

    assert (result.before, result.after) == (THIRD_REVISION, FOURTH_REVISION)
    assert domain_places(engine) == expected
    assert model_drift(engine) == []
    indexes = {index["name"] for index in inspect(engine).get_indexes("formation_domaines")}
    assert "ix_formation_domaines_lieu" in indexes
    Catalogue(engine).load([write_jsonl(tmp_path / "a.jsonl", rows[1:])])
    assert domain_places(engine) == expected[:3]

    downgrade_schema(engine, THIRD_REVISION)
    columns = {column["name"] for column in inspect(engine).get_columns("formation_domaines")}
    assert columns == {"formation_row_id", "domaine"}
    assert domain_pairs(engine) == [("b", "cybersecurite"), ("b", "data"), ("c", "design")]
    assert upgrade_schema(engine).after == FOURTH_REVISION
    assert domain_places(engine) == expected[:3]


def test_upgrade_0003_to_0004_adds_domain_places_on_sqlite(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """On SQLite, migrating 0003 to 0004 gives each domain row its row's coordinates."""
    check_domain_places(sqlite_engine, tmp_path)


# --------------------------------------------------------------------------- CLI


def test_cli_migrate_and_status(sqlite_url: str, capsys) -> None:
    """`migrate --status` prints the revision; `migrate` prints it before and after."""
    assert run_cli(["catalogue", "migrate", "--status", "--database-url", sqlite_url]) == 0
    assert "Révision actuelle : aucune (base absente)" in capsys.readouterr().out

    assert run_cli(["catalogue", "migrate", "--database-url", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert "Révision avant : aucune" in out
    assert f"Révision après : {head_revision()}" in out

    assert run_cli(["catalogue", "migrate", "--status", "--database-url", sqlite_url]) == 0
    out = capsys.readouterr().out
    assert f"Révision actuelle : {head_revision()}" in out and "Schéma à jour." in out


def test_cli_migrate_legacy_and_unknown_revision(sqlite_url: str, sqlite_engine, capsys) -> None:
    """The CLI stamps a legacy database and refuses an unknown target revision."""
    seed_legacy(sqlite_engine)
    assert run_cli(["catalogue", "migrate", "--status", "--database-url", sqlite_url]) == 0
    assert "Tables créées avant les migrations" in capsys.readouterr().out
    assert run_cli(["catalogue", "migrate", "--database-url", sqlite_url]) == 0
    assert "données conservées" in capsys.readouterr().out
    assert_legacy_rows_intact(sqlite_engine)

    argv = ["catalogue", "migrate", "--revision", "9999_inconnue", "--database-url", sqlite_url]
    assert run_cli(argv) == 1
    assert "Migration impossible" in capsys.readouterr().err


# --------------------------------------------------------------------------- PostgreSQL


@pytest.mark.postgres
def test_models_match_migrations_on_postgres(pg_engine: Engine) -> None:
    """Autogenerate finds no difference on PostgreSQL (JSONB columns) after upgrade."""
    upgrade_schema(pg_engine)
    assert set(inspect(pg_engine).get_table_names()) == TABLES
    assert current_revision(pg_engine) == head_revision()
    assert model_drift(pg_engine) == []
    columns = {c["name"]: c["type"] for c in inspect(pg_engine).get_columns("formations")}
    assert type(columns["brut"]).__name__ == "JSONB"


@pytest.mark.postgres
def test_legacy_postgres_database_is_upgraded_without_loss(pg_engine: Engine) -> None:
    """A deployed PostgreSQL catalogue made by create_all is stamped and keeps its rows."""
    seed_legacy(pg_engine)
    result = upgrade_schema(pg_engine)
    assert result.stamped and result.after == head_revision()
    assert_legacy_rows_intact(pg_engine)
    assert model_drift(pg_engine) == []
    with pg_engine.connect() as conn:
        assert conn.scalar(select(text("count(*)")).select_from(text("formations"))) == 1
    downgrade_schema(pg_engine, "base")
    assert set(inspect(pg_engine).get_table_names()) <= {"alembic_version"}


@pytest.mark.postgres
def test_upgrade_0001_to_0002_backfills_domains_on_postgres(pg_engine: Engine) -> None:
    """A deployed PostgreSQL catalogue at 0001 is upgraded without loss (see SQLite)."""
    check_domain_backfill(pg_engine)


@pytest.mark.postgres
def test_upgrade_0002_to_0003_adds_sessions_and_rncp_on_postgres(
    pg_engine: Engine, tmp_path: Path
) -> None:
    """A deployed PostgreSQL catalogue at 0002 gets the two JSONB columns without loss."""
    check_sessions_columns(pg_engine, tmp_path)


@pytest.mark.postgres
def test_upgrade_0003_to_0004_adds_domain_places_on_postgres(
    pg_engine: Engine, tmp_path: Path
) -> None:
    """On PostgreSQL, migrating 0003 to 0004 gives each domain row its row's coordinates."""
    check_domain_places(pg_engine, tmp_path)
