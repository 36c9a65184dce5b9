"""Rasa SQL tracker store configured by one URL, that really erases a conversation.

When a turn contains the erase action (`action_supprimer_donnees`), every stored event
of that conversation is deleted and only what follows the erase action is kept.
"""

from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import delete
from sqlalchemy.engine import make_url

from bot.actions.donnees import ERASE_ACTION


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
        with self.session_scope() as session:
            result = session.execute(
                delete(self.SQLEvent).where(self.SQLEvent.sender_id == sender_id)
            )
            session.commit()
            return int(result.rowcount or 0)

    async def save(self, tracker: DialogueStateTracker) -> None:
        events = list(tracker.events)
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
