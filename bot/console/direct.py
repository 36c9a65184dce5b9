"""Live updates of the console: a version number per session, bumped when something the
console shows changes (the young person's turn, consent, the counsellor's edits), and
waiters that wake up when it changes (long polling).

The channels call `apres_tour(sender_id)` after each turn: a dictionary lookup for the
conversations that share with a session (index refreshed from the database every
`REFRESH_SECONDS`, and at once on the changes made by this process). The tracker store
gives `instantane()` the slots and messages of a shared conversation it has just saved,
so that the console reads them from memory instead of loading the whole conversation
again (a server that did not run the turn loads it from the database).

With several servers (`CAPNUM_REDIS_URL`, `bot.shared_state`), the versions live in Redis:
the young person's turn may run on one server and the counsellor's page wait on another,
which sees the new version within `POLL_SECONDS`. A snapshot is then read only while its
session is at the version its turn produced (any later change, made anywhere, sends the
console to the database).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import redis

from bot.shared_state import log_failure, shared_key, shared_redis

#: Messages of a conversation kept in a snapshot (the console shows the last 200).
SNAPSHOT_EVENTS = 400
#: How often a waiter reads the shared version (several servers).
POLL_SECONDS = 0.25
#: Seconds a shared version outlives the session's last change.
VERSION_SECONDS = 86_400


class Direct:
    REFRESH_SECONDS = 2.0

    def __init__(
        self,
        load_senders: Callable[[], dict[str, str]],
        client: Callable[[], redis.Redis | None] = shared_redis,
    ) -> None:
        self._load = load_senders
        self._client = client
        self._senders: dict[str, str] = {}
        self._loaded_at = float("-inf")
        self._versions: dict[str, int] = defaultdict(int)
        self._events: dict[str, asyncio.Event] = {}
        # sender -> (version its turn produced, None until then; slots; messages)
        self._snapshots: dict[str, tuple[int | None, dict[str, Any], list[dict[str, Any]]]] = {}

    def version(self, seance_id: str) -> int:
        client = self._client()
        if client is not None:
            try:
                return int(client.get(shared_key("direct", seance_id)) or 0)
            except redis.RedisError as exc:
                log_failure("console version", exc)
        return self._versions[seance_id]

    def changer(self, seance_id: str) -> int:
        """Something of this session changed: bump its version and wake its waiters;
        returns the new version."""
        client = self._client()
        version = None
        if client is not None:
            try:
                with client.pipeline() as pipe:
                    key = shared_key("direct", seance_id)
                    version = int(pipe.incr(key).expire(key, VERSION_SECONDS).execute()[0])
            except redis.RedisError as exc:
                log_failure("console version", exc)
        if version is None:
            self._versions[seance_id] += 1
            version = self._versions[seance_id]
        event = self._events.pop(seance_id, None)
        if event is not None:
            event.set()
        return version

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
            None,
            tracker.current_slot_values(),
            [e.as_dict() for e in events[-SNAPSHOT_EVENTS:]],
        )

    def lire_instantane(self, sender_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        """The snapshot of the conversation's last turn here, if nothing changed since."""
        snapshot = self._snapshots.get(sender_id)
        if snapshot is None:
            return None
        version, slots, events = snapshot
        if self._client() is not None:
            seance_id = self._senders.get(sender_id)
            if version is None or seance_id is None or self.version(seance_id) != version:
                return None
        return slots, events

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
            version = self.changer(seance_id)
            snapshot = self._snapshots.get(sender_id)
            if snapshot is not None and snapshot[0] is None:
                self._snapshots[sender_id] = (version, *snapshot[1:])

    async def attendre(self, seance_id: str, version: int, timeout: float) -> int:
        """The session's version once it differs from `version`, or after `timeout`.
        This server's changes wake the waiter at once; other servers' within
        `POLL_SECONDS` (several servers)."""
        end = time.monotonic() + timeout
        while (current := self.version(seance_id)) == version:
            left = end - time.monotonic()
            if left <= 0:
                break
            if self._client() is not None:
                left = min(left, POLL_SECONDS)
            event = self._events.setdefault(seance_id, asyncio.Event())
            try:
                await asyncio.wait_for(event.wait(), left)
            except asyncio.TimeoutError:
                pass
        return current
