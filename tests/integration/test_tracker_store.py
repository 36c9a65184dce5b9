"""The tracker store really erases a conversation when asked to (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import uuid

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Restarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, text
from sqlalchemy.event import listen
from sqlalchemy.pool import QueuePool

from bot.config import REPO_ROOT
from bot.tracker_store import ErasableSQLTrackerStore, TrackerStoreError, url_kwargs

pytestmark = pytest.mark.anyio
PG_URL = os.environ.get("CAPNUM_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="module")
def rasa_domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain.yml"))


def conversation(sender: str, domain: Domain) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        sender,
        [
            ActionExecuted("action_listen"),
            UserUttered("j'ai 19 ans et j'habite à Roubaix", {"name": "informer"}),
            SlotSet("age", 19.0),
            SlotSet("commune", "Roubaix"),
            BotUttered("Tu as quel âge ?"),
            ActionExecuted("action_listen"),
        ],
        slots=domain.slots,
    )


def stored_texts(url: str, sender: str) -> list[str]:
    engine = create_engine(url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
        )
        data = [r[0] for r in rows]
    engine.dispose()
    return data


async def check_erase(url: str, rasa_domain: Domain) -> None:
    sender = f"erase-{uuid.uuid4().hex}"
    store = ErasableSQLTrackerStore(domain=rasa_domain, db_url=url)
    tracker = conversation(sender, rasa_domain)
    await store.save(tracker)
    assert any("Roubaix" in d for d in stored_texts(url, sender))

    tracker.update(UserUttered("oui", {"name": "affirmer"}))
    tracker.update(ActionExecuted("action_supprimer_donnees"))
    tracker.update(BotUttered("C'est fait : j'ai effacé ton profil."))
    tracker.update(Restarted())
    await store.save(tracker)

    remaining = stored_texts(url, sender)
    assert not any("Roubaix" in d or '"age"' in d for d in remaining)
    assert len(remaining) == 2  # the confirmation and the restart
    restored = await store.retrieve(sender)
    assert restored is not None and restored.get_slot("commune") is None
    store.erase(sender)
    assert stored_texts(url, sender) == []


async def test_erase_on_sqlite(tmp_path, rasa_domain):
    """SQLite: after the erase action no event of the conversation remains."""
    await check_erase(f"sqlite:///{tmp_path / 'tracker.db'}", rasa_domain)


@pytest.mark.postgres
async def test_erase_on_postgresql(rasa_domain):
    """PostgreSQL: after the erase action no event of the conversation remains."""
    pytest.importorskip("psycopg2")
    try:
        create_engine(PG_URL, future=True).connect().close()
    except Exception as exc:  # noqa: BLE001 - any connection failure means no server
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    await check_erase(PG_URL, rasa_domain)


async def test_sqlite_connections_are_kept_between_turns(tmp_path, rasa_domain):
    """On a SQLite file, the store keeps its connection from one turn to the next (Rasa's
    engine opened one per session); what is saved reads back, and erasing still works."""
    url = f"sqlite:///{tmp_path / 'kept.db'}"
    store = ErasableSQLTrackerStore(domain=rasa_domain, db_url=url)
    assert isinstance(store.engine.pool, QueuePool)
    connections: list[object] = []
    listen(store.engine, "connect", lambda dbapi, _record: connections.append(dbapi))
    tracker = conversation("pool-0001", rasa_domain)
    for _ in range(3):
        await store.save(tracker)
        assert await store.retrieve("pool-0001") is not None
    assert len(connections) == 1
    assert store.erase("pool-0001") == len(tracker.events)
    assert await store.retrieve("pool-0001") is None


async def test_normal_turns_are_kept(tmp_path, rasa_domain):
    """Without the erase action the store keeps every event."""
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = ErasableSQLTrackerStore(domain=rasa_domain, db_url=url)
    tracker = conversation("keep-0001", rasa_domain)
    await store.save(tracker)
    assert len(stored_texts(url, "keep-0001")) == len(tracker.events)


async def check_turns_store_each_event_once(url: str, rasa_domain: Domain) -> None:
    sender = f"turns-{uuid.uuid4().hex[:12]}"
    store = ErasableSQLTrackerStore(domain=rasa_domain, db_url=url)
    statements: list[str] = []
    listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2].lower()))
    await store.save(conversation(sender, rasa_domain))
    for turn in range(3):
        tracker = await store.retrieve(sender)
        assert tracker is not None
        statements.clear()
        tracker.update(UserUttered(f"message {turn}", {"name": "informer"}))
        tracker.update(BotUttered(f"réponse {turn}"))
        await store.save(tracker)
        # The tracker knows what is stored: one INSERT, no count of the stored events.
        assert not any("count(" in s for s in statements)
        assert sum(s.startswith("insert") for s in statements) == 1
        await store.save(tracker)  # saved twice: nothing new to write
    stored = stored_texts(url, sender)
    assert len(stored) == 6 + 3 * 2
    assert [json.loads(d)["event"] for d in stored[-2:]] == ["user", "bot"]
    assert json.loads(stored[-2])["text"] == "message 2"
    restored = await store.retrieve(sender)
    assert restored is not None and len(restored.events) == len(stored)
    assert restored.get_slot("commune") == "Roubaix"
    store.erase(sender)
    store.engine.dispose()


async def test_turns_store_each_event_once_on_sqlite(tmp_path, rasa_domain):
    """Retrieve, update, save, three times: every event stored once, in order, with one
    INSERT per save and no count query."""
    await check_turns_store_each_event_once(f"sqlite:///{tmp_path / 'tracker.db'}", rasa_domain)


@pytest.mark.postgres
async def test_turns_store_each_event_once_on_postgresql(rasa_domain):
    """The same on PostgreSQL (the multi-row INSERT takes ids from Rasa's sequence)."""
    try:
        create_engine(PG_URL, future=True).connect().close()
    except Exception:  # pragma: no cover - CI always has PostgreSQL
        pytest.skip("PostgreSQL not reachable")
    await check_turns_store_each_event_once(PG_URL, rasa_domain)


async def test_undecodable_stored_event_does_not_hide_new_ones(tmp_path, rasa_domain):
    """A stored event that no longer deserialises (Rasa drops its legacy "topic" event)
    is not in the tracker; the turn's new event is still stored (Rasa's count of the
    stored rows would skip it)."""
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = ErasableSQLTrackerStore(domain=rasa_domain, db_url=url)
    sender = "odd-0001"
    await store.save(conversation(sender, rasa_domain))
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO events (sender_id, type_name, timestamp, data) "
                "VALUES (:s, 'topic', 1e12, '{\"event\": \"topic\"}')"
            ),
            {"s": sender},
        )
    tracker = await store.retrieve(sender)
    assert tracker is not None and len(tracker.events) == 6
    tracker.update(UserUttered("encore", {"name": "informer"}))
    await store.save(tracker)
    stored = stored_texts(url, sender)
    assert len(stored) == 8
    assert json.loads(stored[-1])["text"] == "encore"


def test_url_kwargs():
    """A database URL becomes SQLTrackerStore arguments."""
    assert url_kwargs("postgresql://bob:pw@db.local:5433/capnum") == {
        "dialect": "postgresql",
        "host": "db.local",
        "port": 5433,
        "db": "capnum",
        "username": "bob",
        "password": "pw",
    }
    assert url_kwargs("sqlite:///var/tracker.db")["db"] == "var/tracker.db"


async def test_failures_are_recorded_for_the_turn(tmp_path, rasa_domain, monkeypatch):
    """A database failure during a turn is noted for the channel, then re-raised for
    Rasa's fail-safe wrapper; outside a turn nothing is collected."""
    from sqlalchemy.exc import OperationalError

    from bot.tracker_store import STORE_FAILURES

    store = ErasableSQLTrackerStore(domain=rasa_domain, db_url=f"sqlite:///{tmp_path / 't.db'}")

    async def down(*_args, **_kwargs):
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr("rasa.core.tracker_store.SQLTrackerStore.retrieve", down)
    monkeypatch.setattr(ErasableSQLTrackerStore, "_store_new_events", down)
    failures: list[str] = []
    token = STORE_FAILURES.set(failures)
    try:
        with pytest.raises(OperationalError):
            await store.retrieve("s1")
        with pytest.raises(OperationalError):
            await store.save(conversation("s1", rasa_domain))
    finally:
        STORE_FAILURES.reset(token)
    assert failures == ["OperationalError", "OperationalError"]
    with pytest.raises(OperationalError):
        await store.retrieve("s1")
    assert len(failures) == 2


def test_a_turn_with_store_failures_fails():
    """The channels' turn: failures recorded inside it raise `TrackerStoreUnavailable`
    once it is over; a turn without any passes, and nothing is collected afterwards."""
    from bot.tracker_store import (
        STORE_FAILURES,
        TrackerStoreUnavailable,
        record_failure,
        store_failures_fail_the_turn,
    )

    with store_failures_fail_the_turn():
        assert STORE_FAILURES.get() == []
    with pytest.raises(TrackerStoreUnavailable, match="OSError"):
        with store_failures_fail_the_turn():
            record_failure(OSError("connection refused"))
            record_failure(TimeoutError())
    with pytest.raises(KeyError):  # the turn's own error goes through unchanged
        with store_failures_fail_the_turn():
            record_failure(OSError("connection refused"))
            raise KeyError("turn")
    assert STORE_FAILURES.get() is None


@pytest.mark.parametrize("sender", ["\ud800", "a\udfffb", "x" * 300])
async def test_a_database_error_fails_the_operation_not_the_server(rasa_domain, tmp_path, sender):
    """A sender id the database cannot encode (a lone surrogate: Rasa turned the
    `ValueError` into "schema not found" and exited) raises `TrackerStoreError`; the
    store then keeps working."""
    store = ErasableSQLTrackerStore(domain=rasa_domain, db_url=f"sqlite:///{tmp_path}/t.db")
    tracker = DialogueStateTracker.from_events(sender, [UserUttered("salut")])
    for operation in (store.retrieve(sender), store.save(tracker)):
        try:
            await operation
        except TrackerStoreError:
            pass
    await store.save(conversation("apres-erreur-0001", rasa_domain))
    assert (await store.retrieve("apres-erreur-0001")).get_slot("commune") == "Roubaix"


async def test_surrogate_sender_on_postgresql(rasa_domain):
    """Same on PostgreSQL, where the production server would have exited."""
    store = ErasableSQLTrackerStore(domain=rasa_domain, db_url=PG_URL)
    with pytest.raises(TrackerStoreError):
        await store.retrieve("\ud800")
    assert await store.retrieve(f"apres-{uuid.uuid4().hex}") is None
