"""Versioned catalogue schema: the Alembic migrations of `bot/catalogue/migrations`, run
from code (no alembic.ini).

Databases created before the migrations (`metadata.create_all`, no `alembic_version`
table) are stamped at the initial revision, whose schema is theirs, then upgraded: no
row is lost.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from bot.catalogue.normalisation import fold
from bot.db import engine_for

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
INITIAL_REVISION = "0001_catalogue_initial"
VERSION_TABLE = "alembic_version"
CATALOGUE_TABLES = ("formations", "catalogue_meta")
#: Alembic stores revision ids in a VARCHAR(32).
MAX_REVISION_ID_LENGTH = 32
#: PostgreSQL advisory lock key serialising concurrent migrations of one database.
_PG_LOCK_KEY = 7_164_217_301


class SchemaStateError(Exception):
    """The database holds only part of the catalogue tables and no version table."""


@dataclass(frozen=True)
class UpgradeResult:
    """Revision before and after a migration; `stamped` when an unversioned database
    (created by `create_all`) was first stamped at the initial revision."""

    before: str | None
    after: str | None
    stamped: bool = False

    @property
    def changed(self) -> bool:
        return self.stamped or self.before != self.after


@dataclass(frozen=True)
class SchemaStatus:
    """Revision of a database compared with the migrations' head; `legacy` when the
    catalogue tables exist without a version table."""

    current: str | None
    head: str
    legacy: bool = False

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


# --------------------------------------------------------------------------- config


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """Alembic configuration built in code: script location, URL and/or connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Revision files are named after their id ("0002_ajout_xxx.py").
    config.set_main_option("file_template", "%%(rev)s")
    config.set_main_option("version_table", VERSION_TABLE)
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff:
        # New revision files are made ruff-clean (imports, modern typing) when possible.
        config.set_section_option("post_write_hooks", "hooks", "ruff")
        config.set_section_option("post_write_hooks", "ruff.type", "exec")
        config.set_section_option("post_write_hooks", "ruff.executable", ruff)
        config.set_section_option(
            "post_write_hooks", "ruff.options", "check --fix --quiet REVISION_SCRIPT_FILENAME"
        )
    return config


def script_directory() -> ScriptDirectory:
    """The catalogue's revisions."""
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    """Latest revision of the migrations."""
    head = script_directory().get_current_head()
    assert head is not None, "no catalogue revision"
    return head


# --------------------------------------------------------------------------- helpers


@contextmanager
def _engine(engine_or_url: Engine | str) -> Iterator[Engine]:
    """The given engine, or one built (then disposed) from a URL."""
    if isinstance(engine_or_url, Engine):
        yield engine_or_url
        return
    engine = engine_for(engine_or_url)
    try:
        yield engine
    finally:
        engine.dispose()


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(
        connection, opts={"version_table": VERSION_TABLE}
    ).get_current_revision()


def _legacy_tables(connection: Connection) -> list[str]:
    """Catalogue tables present while the version table is absent."""
    inspector = inspect(connection)
    if inspector.has_table(VERSION_TABLE):
        return []
    return [table for table in CATALOGUE_TABLES if inspector.has_table(table)]


def _lock(connection: Connection) -> None:
    """Serialise concurrent migrations (PostgreSQL; released at commit)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})


# --------------------------------------------------------------------------- API


def current_revision(engine_or_url: Engine | Connection | str) -> str | None:
    """Revision recorded in the database, None when unversioned (empty or legacy)."""
    if isinstance(engine_or_url, Connection):
        return _current(engine_or_url)
    with _engine(engine_or_url) as engine, engine.connect() as connection:
        return _current(connection)


def schema_status(engine_or_url: Engine | str) -> SchemaStatus:
    """Current revision, head, and whether the tables predate the migrations."""
    with _engine(engine_or_url) as engine, engine.connect() as connection:
        current = _current(connection)
        legacy = current is None and bool(_legacy_tables(connection))
    return SchemaStatus(current=current, head=head_revision(), legacy=legacy)


def upgrade_schema(engine_or_url: Engine | str, revision: str = "head") -> UpgradeResult:
    """`alembic upgrade <revision>` in one transaction (PostgreSQL: DDL included).

    An unversioned database holding both catalogue tables is stamped at the initial
    revision first; one holding only some of them raises `SchemaStateError`.
    """
    with _engine(engine_or_url) as engine, engine.begin() as connection:
        _lock(connection)
        before = _current(connection)
        config = alembic_config(connection=connection)
        stamped = False
        if before is None:
            legacy = _legacy_tables(connection)
            if legacy and len(legacy) < len(CATALOGUE_TABLES):
                raise SchemaStateError(
                    f"schéma incomplet : seule(s) la/les table(s) {', '.join(legacy)} "
                    f"existe(nt), sans table {VERSION_TABLE} ; réparation manuelle nécessaire"
                )
            if legacy:
                command.stamp(config, INITIAL_REVISION)
                stamped = True
        command.upgrade(config, revision)
        return UpgradeResult(before=before, after=_current(connection), stamped=stamped)


def downgrade_schema(engine_or_url: Engine | str, revision: str) -> UpgradeResult:
    """`alembic downgrade <revision>` ("base" drops the catalogue tables and their rows)."""
    with _engine(engine_or_url) as engine, engine.begin() as connection:
        _lock(connection)
        before = _current(connection)
        command.downgrade(alembic_config(connection=connection), revision)
        return UpgradeResult(before=before, after=_current(connection))


def next_revision_id(message: str) -> str:
    """Next revision id, e.g. `0002_ajout_colonne_x`: next number, then the message."""
    numbers = [
        int(match.group(1))
        for script in script_directory().walk_revisions()
        if (match := re.match(r"(\d{4})_", script.revision))
    ]
    slug = "_".join(fold(message).split()) or "revision"
    return f"{max(numbers, default=0) + 1:04d}_{slug}"[:MAX_REVISION_ID_LENGTH].rstrip("_")


def make_revision(
    message: str,
    rev_id: str | None = None,
    autogenerate: bool = True,
    database_url: str | None = None,
) -> Path:
    """Write a new revision file; with `autogenerate`, compared against `database_url`
    (which must be at head) or, by default, a temporary SQLite database upgraded to head."""
    rev_id = rev_id or next_revision_id(message)
    if len(rev_id) > MAX_REVISION_ID_LENGTH:
        raise ValueError(f"identifiant de révision trop long (> {MAX_REVISION_ID_LENGTH})")
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'autogenerate.db'}"
        with _engine(url) as engine:
            if database_url is None:
                upgrade_schema(engine)
            with engine.begin() as connection:
                script = command.revision(
                    alembic_config(connection=connection),
                    message=message,
                    autogenerate=autogenerate,
                    rev_id=rev_id,
                )
    assert script is not None and not isinstance(script, list)
    return Path(script.path)
