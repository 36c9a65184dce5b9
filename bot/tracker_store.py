"""Rasa SQL tracker store configured by one URL, that really erases a conversation and
never stops the server.

When a turn contains the erase action (`action_supprimer_donnees`) or the restart action
(`action_recommencer`), every stored event of that conversation is deleted and only what
follows that action is kept: a new start keeps none of the earlier answers.

Rasa's `session_scope` turns any `ValueError` raised while the database is used (an
encoding error for a sender id holding a lone surrogate, say) into "schema not found" and
exits the process; here such errors fail the turn (`TrackerStoreError`) instead.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.events import ActionExecuted, Restarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import create_engine, insert
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import NullPool, QueuePool

from bot import retention
from bot.console.service import effacer_conversation as effacer_console
from bot.console.service import tracker_saved
from bot.contract import ERASE_ACTION, RESTART_ACTION

logger = logging.getLogger(__name__)
# Actions after which nothing said before is kept.
FORGETTING_ACTIONS = frozenset({ERASE_ACTION, RESTART_ACTION})
# Attribute set on a tracker this store returned or saved: how many of its events are
# stored. Saving it again then needs no count query (one turn = one retrieve, one save).
STORED_EVENTS = "_capnum_stored_events"


class TrackerStoreError(RuntimeError):
    """The conversation database refused an operation; the turn fails, the server lives."""


def url_kwargs(url: str) -> dict[str, Any]:
    """SQLTrackerStore keyword arguments for a database URL."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {
        "dialect": parsed.drivername,
        "host": parsed.host,
        "port": parsed.port,
        "db": parsed.database or "",
        "username": parsed.username,
        "password": parsed.password,
    }
    if parsed.query:
        kwargs["query"] = dict(parsed.query)
    return kwargs


# Rasa wraps every tracker store in a FailSafeTrackerStore: when the database fails it
# logs, answers from an empty tracker and saves in memory, so the turn would be silently
# lost. The failures of the current turn are collected here (set by the channel) so that
# the channel can refuse the turn (503) and the client send it again.
STORE_FAILURES: ContextVar[list[str] | None] = ContextVar("capnum_store_failures", default=None)


def record_failure(exc: Exception) -> None:
    """Notes a database failure for the turn in progress (and logs its class only)."""
    logger.error("tracker store failure: %s", type(exc).__name__)
    failures = STORE_FAILURES.get()
    if failures is not None:
        failures.append(type(exc).__name__)


class TrackerStoreUnavailable(RuntimeError):
    """The conversation database failed during the turn."""


@contextmanager
def store_failures_fail_the_turn() -> Iterator[None]:
    """Runs a turn collecting its database failures; raises `TrackerStoreUnavailable`
    after it if there were any (answered from an empty tracker, not saved: the channel
    refuses the turn)."""
    failures: list[str] = []
    token = STORE_FAILURES.set(failures)
    try:
        yield
    finally:
        STORE_FAILURES.reset(token)
    if failures:
        raise TrackerStoreUnavailable(failures[0])


class ErasableSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` built from `db_url` (endpoints.yml), honouring the erase action.

    (`url` is not usable as the key: Rasa passes an endpoint's `url` as `host`.)
    """

    def __init__(self, domain: Any = None, db_url: str | None = None, **kwargs: Any) -> None:
        if db_url:
            kwargs = {**kwargs, **url_kwargs(db_url)}
        super().__init__(domain=domain, **kwargs)
        if self.engine.dialect.name == "sqlite" and isinstance(self.engine.pool, NullPool):
            # Rasa's engine opens a new SQLite connection, and reads the schema again, for
            # each session (two or more per turn): one kept pool instead, as SQLAlchemy 2.0
            # does by default (0.34 -> 0.13 ms per session).
            url = self.engine.url
            self.engine.dispose()
            self.engine = create_engine(
                url, poolclass=QueuePool, connect_args={"check_same_thread": False}
            )
            self.sessionmaker = sessionmaker(bind=self.engine)

    @contextmanager
    def session_scope(self) -> Generator[Any, None, None]:
        """Rasa's transactional scope, where a `ValueError` fails the operation instead of
        exiting the process (Rasa calls `print_error_and_exit` for any of them)."""
        session = self.sessionmaker()
        try:
            try:
                ensure_schema_exists(session)
            except ValueError as exc:
                raise TrackerStoreError("database schema not found") from exc
            try:
                yield session
            except ValueError as exc:
                raise TrackerStoreError(type(exc).__name__) from exc
        finally:
            session.close()

    def erase(self, sender_id: str) -> int:
        """Delete every stored event of one conversation; returns how many."""
        return retention.erase(self.engine, sender_id)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        try:
            return await super().retrieve(sender_id)
        except Exception as exc:
            record_failure(exc)
            raise

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """Rasa's query, reading only the events' JSON column (no ORM object per event),
        and noting on the tracker of the latest session how many events are stored."""
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions)
            rows = query.with_entities(self.SQLEvent.data).all()
        if not self.domain or not rows:
            return None
        tracker = DialogueStateTracker.from_dict(
            sender_id, [json.loads(row.data) for row in rows], self.domain.slots
        )
        if not fetch_events_from_all_sessions:
            # Not len(rows): a stored event that no longer deserialises is dropped from
            # the tracker, and Rasa's count would then skip one new event per turn.
            setattr(tracker, STORED_EVENTS, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await self._save(tracker)
        except Exception as exc:
            record_failure(exc)
            raise
        tracker_saved(tracker)

    async def _save(self, tracker: DialogueStateTracker) -> None:
        events = list(tracker.events)
        if forget_from(events) is None:
            # The usual turn: no need to count the stored events.
            await self._store_new_events(tracker)
            return
        with self.session_scope() as session:
            stored = self._stored_count(session, tracker)
        forget_at = forget_from(events, stored)
        if forget_at is None:
            await self._store_new_events(tracker)
            return
        self.erase(tracker.sender_id)
        tracker.__dict__.pop(STORED_EVENTS, None)
        if any(
            isinstance(e, ActionExecuted) and e.action_name == ERASE_ACTION
            for e in events[forget_at:]
        ):
            effacer_console(tracker.sender_id)
        kept = DialogueStateTracker.from_events(
            tracker.sender_id, events[forget_at + 1 :], slots=self.domain.slots
        )
        await self._store_new_events(kept)

    def _stored_count(self, session: Any, tracker: DialogueStateTracker) -> int:
        """How many of the tracker's events are stored (Rasa counts them for every save)."""
        known: int | None = getattr(tracker, STORED_EVENTS, None)
        if known is not None:
            return known
        return self._event_query(
            session, tracker.sender_id, fetch_events_from_all_sessions=False
        ).count()

    async def _store_new_events(self, tracker: DialogueStateTracker) -> None:
        """Rasa's `save` with one multi-row INSERT instead of one ORM object per event."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            stored = self._stored_count(session, tracker)
            rows = [
                event_row(tracker.sender_id, event.type_name, event.as_dict())
                for event in itertools.islice(tracker.events, stored, None)
            ]
            if rows:
                session.execute(insert(self.SQLEvent.__table__), rows)
                session.commit()
        setattr(tracker, STORED_EVENTS, len(tracker.events))


def event_row(sender_id: str, type_name: str, data: dict[str, Any]) -> dict[str, Any]:
    """The columns Rasa's `SQLTrackerStore.save` writes for one event."""
    return {
        "sender_id": sender_id,
        "type_name": type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


def forget_from(events: list[Any], start: int = 0) -> int | None:
    """Index of the last forgetting action at or after `start`: a restart, or an erase
    that did erase (the erase action ends with `Restarted`; when the person had not
    confirmed, it only asks and nothing is forgotten)."""
    found = None
    for i in range(start, len(events)):
        event = events[i]
        if not isinstance(event, ActionExecuted) or event.action_name not in FORGETTING_ACTIONS:
            continue
        if event.action_name == RESTART_ACTION or any(
            isinstance(e, Restarted) for e in events[i + 1 :]
        ):
            found = i
    return found


def inner_store(store: Any) -> Any:
    """The store under Rasa's wrappers (`FailSafeTrackerStore`, `AwaitableTrackerStore`)."""
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


async def erase_conversation(store: Any, sender_id: str) -> int:
    """Deletes every stored event of one conversation, through Rasa's wrappers; returns
    how many. Raises when it could not (the caller must not say it is erased)."""
    inner = inner_store(store)
    if isinstance(inner, ErasableSQLTrackerStore):
        return await asyncio.to_thread(inner.erase, sender_id)
    if isinstance(inner, InMemoryTrackerStore):  # tests, `rasa shell`
        return int(inner.store.pop(sender_id, None) is not None)
    raise TrackerStoreError(f"{type(inner).__name__} cannot erase a conversation")
