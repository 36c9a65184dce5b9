"""Rasa SQL tracker store configured by one URL, that really erases a conversation.

When a turn contains the erase action (`action_supprimer_donnees`), every stored event
of that conversation is deleted and only what follows the erase action is kept.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from bot import retention
from bot.actions.donnees import ERASE_ACTION

logger = logging.getLogger(__name__)


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


class ErasableSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` built from `db_url` (endpoints.yml), honouring the erase action.

    (`url` is not usable as the key: Rasa passes an endpoint's `url` as `host`.)
    """

    def __init__(self, domain: Any = None, db_url: str | None = None, **kwargs: Any) -> None:
        if db_url:
            kwargs = {**kwargs, **url_kwargs(db_url)}
        super().__init__(domain=domain, **kwargs)

    def erase(self, sender_id: str) -> int:
        """Delete every stored event of one conversation; returns how many."""
        return retention.erase(self.engine, sender_id)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        try:
            return await super().retrieve(sender_id)
        except Exception as exc:
            record_failure(exc)
            raise

    async def save(self, tracker: DialogueStateTracker) -> None:
        try:
            await self._save(tracker)
        except Exception as exc:
            record_failure(exc)
            raise

    async def _save(self, tracker: DialogueStateTracker) -> None:
        events = list(tracker.events)
        if not any(isinstance(e, ActionExecuted) and e.action_name == ERASE_ACTION for e in events):
            # The usual turn: no need to count the stored events twice.
            await super().save(tracker)
            return
        with self.session_scope() as session:
            stored = self._event_query(
                session, tracker.sender_id, fetch_events_from_all_sessions=False
            ).count()
        erase_at = max(
            (
                i
                for i, e in enumerate(events)
                if i >= stored and isinstance(e, ActionExecuted) and e.action_name == ERASE_ACTION
            ),
            default=None,
        )
        if erase_at is None:
            await super().save(tracker)
            return
        self.erase(tracker.sender_id)
        kept = DialogueStateTracker.from_events(
            tracker.sender_id, events[erase_at + 1 :], slots=self.domain.slots
        )
        await super().save(kept)
