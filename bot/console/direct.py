"""Live updates of the console: a version number per session, bumped when something the
console shows changes (the young person's turn, consent, the counsellor's edits), and
waiters that wake up when it changes (long polling).

The channels call `apres_tour(sender_id)` after each turn: a dictionary lookup for the
conversations that share with a session (index refreshed from the database every
`REFRESH_SECONDS`, and at once on the changes made by this process).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable


class Direct:
    REFRESH_SECONDS = 2.0

    def __init__(self, load_senders: Callable[[], dict[str, str]]) -> None:
        self._load = load_senders
        self._senders: dict[str, str] = {}
        self._loaded_at = float("-inf")
        self._versions: dict[str, int] = defaultdict(int)
        self._events: dict[str, asyncio.Event] = {}

    def version(self, seance_id: str) -> int:
        return self._versions[seance_id]

    def changer(self, seance_id: str) -> None:
        """Something of this session changed: bump its version and wake its waiters."""
        self._versions[seance_id] += 1
        event = self._events.pop(seance_id, None)
        if event is not None:
            event.set()

    def rafraichir(self) -> None:
        """Reload the conversation -> session index now (after a link or an end)."""
        self._senders = self._load()
        self._loaded_at = time.monotonic()

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
