"""`python -m tools bench catalogue`: synthetic catalogues and a tiny run (no timing asserted)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.catalogue.repository import catalogue_paths
from bot.catalogue.validation import FormationRecord, validate_files, validate_row
from bot.config import Settings
from bot.geo import Geo
from tools import cli
from tools.bench.catalogue import (
    PG_URL_DEFAUT,
    Communes,
    catalogue_synthetique,
    percentile,
    profils_aleatoires,
    run_bench,
)


@pytest.fixture(scope="module")
def modeles() -> list[FormationRecord]:
    records, errors = validate_files(catalogue_paths(Settings.from_env({}).catalogue_dir))
    assert not errors
    return records


@pytest.fixture(scope="module")
def communes() -> Communes:
    return Communes.de(Geo.default())


def test_synthetic_catalogue_is_valid_varied_and_seeded(modeles, communes) -> None:
    """Every synthetic row passes the loader's rules; ids are unique; the same seed gives
    the same rows; communes, domains and eligibility vary."""
    rows = catalogue_synthetique(400, modeles, communes, graine=1)
    assert len(rows) == 400 == len({row["id"] for row in rows})
    problems = [(row["id"], r) for row in rows if isinstance(r := validate_row(row), list)]
    assert problems == []
    assert rows == catalogue_synthetique(400, modeles, communes, graine=1)
    assert rows != catalogue_synthetique(400, modeles, communes, graine=2)
    assert len({row["departement"] for row in rows}) > 30
    assert len({tuple(row["domaines"]) for row in rows}) > 10
    assert len({(row["age_min"], row["age_max"]) for row in rows}) > 3
    assert Counter(row["a_distance"] for row in rows)[True] > 0
    assert any(row["commune"] is None for row in rows)


def test_profiles_are_seeded_and_located(communes) -> None:
    """Random benchmark profiles are reproducible from their seed and all located."""
    profils = profils_aleatoires(20, communes, graine=4)
    assert profils == profils_aleatoires(20, communes, graine=4)
    assert all(p.lat is not None and p.interets for p in profils)


def test_percentile_nearest_rank() -> None:
    """The catalogue benchmark's percentile uses the nearest rank."""
    values = [float(n) for n in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 95)) == (50.0, 95.0)
    assert percentile([3.0], 95) == 3.0


def test_tiny_run_on_sqlite() -> None:
    """200 rows, 5 queries: one SQLite measure whose first pages match the full scan."""
    result = run_bench([200], requetes=5, scans=5, pg_url=None)
    (mesure,) = result["mesures"]
    assert (mesure["base"], mesure["lignes"], mesure["requetes"]) == ("sqlite", 200, 5)
    assert (mesure["scans"], mesure["identiques"]) == (5, 5)
    assert 0 < mesure["etagee_mediane_ms"] <= mesure["etagee_p95_ms"]
    assert result["machine"]["sqlite"] and result["machine"]["cpus"]


def test_cli_json(capsys) -> None:
    """'bench catalogue' prints JSON or a French summary, SQLite only when asked."""
    argv = ["bench", "catalogue", "--tailles", "200", "--requetes", "3", "--scans", "2"]
    assert cli.main([*argv, "--sans-postgresql", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [m["base"] for m in data["mesures"]] == ["sqlite"]
    assert data["machine"]["postgresql"] is None
    assert cli.main([*argv, "--sans-postgresql"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Machine : ") and "étagée médiane" in out and "sqlite" in out


def test_unreachable_postgresql_is_reported(capsys) -> None:
    """An unreachable PostgreSQL is reported and the SQLite measures are still given."""
    url = "postgresql://personne@127.0.0.1:1/absente"
    result = run_bench([200], requetes=2, scans=0, pg_url=url)
    assert [m["base"] for m in result["mesures"]] == ["sqlite"]
    assert result["postgresql_indisponible"]


@pytest.mark.postgres
def test_tiny_run_on_postgresql_leaves_nothing(pg_engine: Engine) -> None:
    """The PostgreSQL measure uses a schema of its own, dropped afterwards."""

    def bench_schemas() -> set[str]:
        with pg_engine.connect() as conn:
            query = "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'capnum_bench_%'"
            return set(conn.scalars(text(query)))

    before = bench_schemas()
    result = run_bench([200], requetes=3, scans=3, pg_url=PG_URL_DEFAUT)
    assert [m["base"] for m in result["mesures"]] == ["sqlite", "postgresql"]
    assert result["mesures"][1]["identiques"] == 3
    assert result["machine"]["postgresql"]
    assert bench_schemas() == before
