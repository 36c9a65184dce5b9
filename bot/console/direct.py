"""Live updates of the console: a version number per session, bumped when something the
console shows changes (the young person's turn, consent, the counsellor's edits), and
waiters that wake up when it changes (long polling).

The channels call `apres_tour(sender_id)` after each turn: a dictionary lookup for the
conversations that share with a session (index refreshed from the database every
`REFRESH_SECONDS`, and at once on the changes made by this process). The tracker store
gives `instantane()` the slots and messages of a shared conversation it has just saved,
so that the console reads them from memory instead of loading the whole conversation
again (a server that did not run the turn loads it from the database).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

#: Messages of a conversation kept in a snapshot (the console shows the last 200).
SNAPSHOT_EVENTS = 400


class Direct:
    REFRESH_SECONDS = 2.0

    def __init__(self, load_senders: Callable[[], dict[str, str]]) -> None:
        self._load = load_senders
        self._senders: dict[str, str] = {}
        self._loaded_at = float("-inf")
        self._versions: dict[str, int] = defaultdict(int)
        self._events: dict[str, asyncio.Event] = {}
        self._snapshots: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}

    def version(self, seance_id: str) -> int:
        return self._versions[seance_id]

    def changer(self, seance_id: str) -> None:
        """Something of this session changed: bump its version and wake its waiters."""
        self._versions[seance_id] += 1
        event = self._events.pop(seance_id, None)
        if event is not None:
            event.set()

    def rafraichir(self) -> None:
        """Reload the conversation -> session index now (after a link or an end); the
        snapshots of conversations that no longer share are dropped."""
        self._senders = self._load()
        self._loaded_at = time.monotonic()
        for sender_id in set(self._snapshots) - set(self._senders):
            del self._snapshots[sender_id]

    def instantane(self, sender_id: str, tracker: Any) -> None:
        """Keeps the slots and messages of a tracker just saved, if it is shared."""
        if self.seance_de(sender_id) is None:
            return
        events = [e for e in tracker.events if getattr(e, "type_name", "") in ("user", "bot")]
        self._snapshots[sender_id] = (
            tracker.current_slot_values(),
            [e.as_dict() for e in events[-SNAPSHOT_EVENTS:]],
        )

    def lire_instantane(self, sender_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        return self._snapshots.get(sender_id)

    def oublier(self, sender_id: str) -> None:
        """Drops a conversation's snapshot (erased, or restarted)."""
        self._snapshots.pop(sender_id, None)

    def seance_de(self, sender_id: str) -> str | None:
        if time.monotonic() - self._loaded_at > self.REFRESH_SECONDS:
            try:
                self.rafraichir()
            except Exception:  # the database is down: keep the last index
                self._loaded_at = time.monotonic()
        return self._senders.get(sender_id)

    def apres_tour(self, sender_id: str) -> None:
        """A turn of this conversation ended: its session (if it shares) changed."""
        seance_id = self.seance_de(sender_id)
        if seance_id is not None:
            self.changer(seance_id)

    async def attendre(self, seance_id: str, version: int, timeout: float) -> int:
        """The session's version once it differs from `version`, or after `timeout`."""
        if self._versions[seance_id] != version:
            return self._versions[seance_id]
        event = self._events.setdefault(seance_id, asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except asyncio.TimeoutError:
            pass
        return self._versions[seance_id]
