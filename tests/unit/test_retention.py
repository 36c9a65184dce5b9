"""Retention and erasure in the tracker store's real schema (SQLite and PostgreSQL)."""

from __future__ import annotations

import time

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from bot.cli import main
from bot.retention import DAY_SECONDS, EVENTS, erase, purge

NOW = 1_800_000_000.0
RASA_EVENTS = SQLTrackerStore.SQLEvent.__table__


def add_conversation(engine: Engine, sender: str, last_days_ago: float, turns: int = 3) -> None:
    """A conversation in Rasa's own `events` table whose last event is that old."""
    last = NOW - last_days_ago * DAY_SECONDS
    rows = [
        {
            "sender_id": sender,
            "type_name": "user",
            "timestamp": last - (turns - 1 - i) * 60,
            "intent_name": "informer",
            "action_name": None,
            "data": '{"event": "user", "text": "j\'ai 19 ans et j\'habite à Roubaix"}',
        }
        for i in range(turns)
    ]
    with engine.begin() as conn:
        RASA_EVENTS.create(conn, checkfirst=True)
        conn.execute(RASA_EVENTS.insert(), rows)


def senders(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        query = select(EVENTS.c.sender_id, func.count()).group_by(EVENTS.c.sender_id)
        return dict(conn.execute(query).all())


def test_purge_deletes_only_inactive_conversations(db_engine: Engine) -> None:
    """A conversation is judged by its last event: an old one whose last message is recent
    is kept."""
    add_conversation(db_engine, "ancienne", last_days_ago=45)
    add_conversation(db_engine, "limite", last_days_ago=29.9)
    add_conversation(db_engine, "recente", last_days_ago=0.1, turns=2)
    dry = purge(db_engine, 30, now=NOW, dry_run=True)
    assert (dry.conversations, dry.events, dry.dry_run) == (1, 3, True)
    assert set(senders(db_engine)) == {"ancienne", "limite", "recente"}
    report = purge(db_engine, 30, now=NOW)
    assert (report.conversations, report.events) == (1, 3)
    assert senders(db_engine) == {"limite": 3, "recente": 2}
    assert purge(db_engine, 30, now=NOW).conversations == 0


def test_purge_on_a_database_without_conversations(db_engine: Engine) -> None:
    """Before the first conversation the table does not exist: nothing to do, no error."""
    assert purge(db_engine, 30, now=NOW).conversations == 0
    assert erase(db_engine, "personne") == 0


def test_purge_refuses_a_period_under_one_day(db_engine: Engine) -> None:
    """A retention period under one day is refused."""
    with pytest.raises(ValueError):
        purge(db_engine, 0, now=NOW)


def test_erase_one_conversation(db_engine: Engine) -> None:
    """Erasing a conversation deletes all its events and leaves the others."""
    add_conversation(db_engine, "a-effacer", last_days_ago=1)
    add_conversation(db_engine, "autre", last_days_ago=1)
    assert erase(db_engine, "a-effacer") == 3
    assert set(senders(db_engine)) == {"autre"}


def test_cli_dry_run_then_purge(tmp_path, capsys) -> None:
    """`capnum donnees purger --dry-run` reports and keeps; without it, deletes."""
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    from bot.db import engine_for

    engine = engine_for(url)
    add_conversation(engine, "vieille", last_days_ago=(NOW - time.time()) / DAY_SECONDS + 100)
    add_conversation(engine, "du-jour", last_days_ago=(NOW - time.time()) / DAY_SECONDS)
    assert main(["donnees", "purger", "--jours", "30", "--dry-run", "--url", url]) == 0
    assert "1 conversation(s), 3 événement(s) seraient effacés" in capsys.readouterr().out
    assert set(senders(engine)) == {"vieille", "du-jour"}
    assert main(["donnees", "purger", "--jours", "30", "--url", url]) == 0
    assert "1 conversation(s), 3 événement(s) effacés" in capsys.readouterr().out
    assert set(senders(engine)) == {"du-jour"}
    assert main(["donnees", "effacer", "du-jour", "--url", url]) == 0
    assert "3 événement(s)" in capsys.readouterr().out
    assert senders(engine) == {}
    assert main(["donnees", "purger", "--jours", "0", "--url", url]) == 2
    engine.dispose()


def test_cli_reports_an_unreachable_database(capsys) -> None:
    """'donnees purger' exits 1 and says in French that the database is unreachable."""
    url = "postgresql://nobody@127.0.0.1:1/none"
    assert main(["donnees", "purger", "--url", url]) == 1
    assert "inaccessible" in capsys.readouterr().out
