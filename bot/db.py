"""The one SQLAlchemy engine factory of the project: the catalogue, its migrations and the
retention of conversations (tracker store database) build their engines here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import QueuePool, StaticPool


def engine_for(url: str, **kwargs: Any) -> Engine:
    """2.0-style engine; for SQLite: creates the parent folder, allows cross-thread use,
    shares one connection for in-memory databases and keeps a pool for files."""
    sa_url = make_url(url)
    options: dict[str, Any] = {"future": True, **kwargs}
    if sa_url.get_backend_name() == "sqlite":
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("check_same_thread", False)
        options["connect_args"] = connect_args
        database = sa_url.database or ""
        if database in ("", ":memory:"):
            options.setdefault("poolclass", StaticPool)
        else:
            # A kept pool of connections, as SQLAlchemy 2.0 does by default (1.4 opens a
            # new connection, and reads the schema again, for each session: 0.2 ms more).
            options.setdefault("poolclass", QueuePool)
            if not database.startswith("file:"):
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    else:
        options.setdefault("pool_pre_ping", True)
    return create_engine(sa_url, **options)
