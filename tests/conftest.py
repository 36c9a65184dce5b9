"""Shared fixtures: the real domain responses, tracker builders, catalogue databases
(in-memory SQLite and the real PostgreSQL)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.actions.services import installer_statistiques
from bot.config import REPO_ROOT
from bot.console.service import installer
from bot.db import engine_for
from tests.support.console import console_service


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (Rasa's loop)."""
    return "asyncio"


@pytest.fixture(autouse=True)
def console_in_memory() -> Iterator[Any]:
    """Every test gets its own in-memory console database (never var/): the channels
    reach the console's services, and the actions record their searches there."""
    service = console_service()
    installer(service)
    installer_statistiques(service.statistiques)
    yield service
    installer(None)
    installer_statistiques(None)


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The domain (domain.yml) as the action server receives it."""
    return yaml.safe_load((REPO_ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    """Engine whose search_path is a new schema, dropped afterwards; `public` is untouched."""
    pytest.importorskip("psycopg2")
    url = os.environ.get("CAPNUM_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
    schema = f"capnum_test_{uuid.uuid4().hex[:12]}"
    admin = engine_for(url)
    try:
        public_before = set(inspect(admin).get_table_names(schema="public"))
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except SQLAlchemyError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL indisponible : {exc}")
    engine = engine_for(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
        assert set(inspect(admin).get_table_names(schema="public")) == public_before
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An empty database, once on in-memory SQLite and once on the real PostgreSQL server
    (a schema of its own, see `pg_engine`; skipped when the server does not answer)."""
    if request.param == "postgresql":
        yield request.getfixturevalue("pg_engine")
        return
    engine = engine_for("sqlite://")
    yield engine
    engine.dispose()
