"""Rasa's Redis lock store, made safe across processes.

`RedisLockStore` (Rasa 3.6) updates a conversation's ticket lock by reading it, changing
it in Python and writing it back. Two servers receiving messages of one conversation at
the same moment can both read the same state and both get ticket 0: both turns then run
at once and one of them is lost when the trackers are saved (seen in
tests/scale/test_scale_out.py). Here every such read-modify-write runs under a short Redis
mutex (redis-py's `Lock`: SET NX with an expiry, released by a Lua script).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
MUTEX_SECONDS = 5


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` whose ticket updates are atomic; same settings as `type: redis`."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        options = dict(endpoint_config.kwargs)
        super().__init__(
            host=endpoint_config.url or "localhost",
            port=int(options.pop("port", 6379)),
            db=int(options.pop("db", 1)),
            password=options.pop("password", None),
            use_ssl=bool(options.pop("use_ssl", False)),
            key_prefix=options.pop("key_prefix", None),
            socket_timeout=float(options.pop("socket_timeout", 10)),
        )

    def _atomically(self, conversation_id: str, change: Callable[[], T]) -> T:
        mutex = self.red.lock(
            f"{self.key_prefix}mutex:{conversation_id}",
            timeout=MUTEX_SECONDS,
            blocking_timeout=MUTEX_SECONDS,
        )
        with mutex:
            return change()

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        return self._atomically(
            conversation_id,
            lambda: super(AtomicRedisLockStore, self).issue_ticket(conversation_id, lock_lifetime),
        )

    def update_lock(self, conversation_id: str) -> None:
        self._atomically(
            conversation_id, lambda: super(AtomicRedisLockStore, self).update_lock(conversation_id)
        )

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self._atomically(
            conversation_id,
            lambda: super(AtomicRedisLockStore, self).cleanup(conversation_id, ticket_number),
        )
