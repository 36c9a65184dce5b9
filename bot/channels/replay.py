"""The web chat's replay memory: a client that retries an unacknowledged message (same
sender, same `message_id`) gets the answer of the first try instead of a second turn.

One server keeps it in its process (`RecentAnswers`). Several servers keep it in Redis
(`SharedAnswers`, when `CAPNUM_REDIS_URL` is set), so that a retry that lands on another
server is not processed twice: the first server to see a message marks it as in progress
until a deadline; the others wait for its answer, and take over only once the deadline
has passed (the first server died during the turn).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import redis

from bot.shared_state import log_failure, shared_key, shared_redis

Answer = list[dict[str, Any]]
Compute = Callable[[], Awaitable[Answer]]

#: Marks a message whose turn runs on some server; followed by its deadline (epoch s).
PENDING = "~"
#: Seconds an answer stays in Redis after the conversation's last message.
ANSWER_SECONDS = 300
#: Seconds a retry waits for another server's answer before it gives up (503, retried).
WAIT_SECONDS = 30.0
POLL_SECONDS = 0.05

# Replaces KEYS[1]'s field ARGV[1] by ARGV[3] only if it still holds ARGV[2] (an empty
# ARGV[3] deletes it): a takeover, or the removal of one's own mark, never races another.
_COMPARE_AND_SET = """
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
return 1
"""


def pending_seconds() -> float:
    """How long a turn may run before another server takes its message over: the
    conversation lock's lifetime (`TICKET_LOCK_LIFETIME`, Rasa's default 60 s: no turn
    outlives its lock) plus the action time-out."""
    return float(os.environ.get("TICKET_LOCK_LIFETIME") or 60) + 3.0


class RecentAnswers:
    """Answers of the last messages by (sender, message id), in this process."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._answers: OrderedDict[tuple[str, str], asyncio.Future[Answer]] = OrderedDict()

    async def answer(self, key: tuple[str, str] | None, compute: Compute) -> Answer:
        """The stored answer for `key`, or the result of `compute()` (stored if it works)."""
        if key is None:
            return await compute()
        known = self._answers.get(key)
        if known is not None:
            return await asyncio.shield(known)
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._answers[key] = future
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)
        try:
            result = await compute()
        except BaseException as exc:
            self._answers.pop(key, None)
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning
            raise
        future.set_result(result)
        return result

    def forget(self, sender_id: str) -> None:
        """Drops the answers kept for one conversation (after its erasure)."""
        for key in [k for k in self._answers if k[0] == sender_id]:
            del self._answers[key]


class SharedAnswers(RecentAnswers):
    """The same memory shared by every server through Redis: one hash per conversation
    (its key hashed), a field per message id, expiring `ANSWER_SECONDS` after the last
    message. The in-process memory still joins concurrent retries on one server."""

    def __init__(self, client: redis.Redis, deadline: float | None = None) -> None:
        super().__init__()
        self.client = client
        self.deadline = pending_seconds() if deadline is None else deadline
        self._swap = client.register_script(_COMPARE_AND_SET)

    async def answer(self, key: tuple[str, str] | None, compute: Compute) -> Answer:
        if key is None:
            return await compute()
        sender_id, message_id = key
        hash_key = shared_key("replay", sender_id)
        try:
            return await super().answer(key, lambda: self._shared(hash_key, message_id, compute))
        finally:
            # Only the turns in progress stay here: answers live in Redis, where an
            # erasure on any server reaches them.
            self._answers.pop(key, None)

    async def _shared(self, hash_key: str, field: str, compute: Compute) -> Answer:
        give_up = time.monotonic() + WAIT_SECONDS
        while True:
            mark = f"{PENDING}{time.time() + self.deadline:.3f}"
            try:
                with self.client.pipeline() as pipe:
                    pipe.hsetnx(hash_key, field, mark).expire(hash_key, ANSWER_SECONDS)
                    taken = pipe.execute()[0]
                known = None if taken else self.client.hget(hash_key, field)
                if known and known.startswith(PENDING):
                    # Its deadline passed: the server running that turn died; take over.
                    taken = float(known[len(PENDING) :]) < time.time() and self._swap(
                        keys=[hash_key], args=[field, known, mark]
                    )
            except redis.RedisError as exc:
                log_failure("replay", exc)
                return await compute()
            if taken:
                return await self._run(hash_key, field, mark, compute)
            if known is None:
                continue  # the other server's turn failed and removed its mark
            if not known.startswith(PENDING):
                return list(json.loads(known))
            if time.monotonic() > give_up:
                raise TimeoutError("answer still running on another server")
            await asyncio.sleep(POLL_SECONDS)

    async def _run(self, hash_key: str, field: str, mark: str, compute: Compute) -> Answer:
        try:
            result = await compute()
        except BaseException:
            try:
                self._swap(keys=[hash_key], args=[field, mark, ""])
            except redis.RedisError as exc:
                log_failure("replay", exc)
            raise
        try:
            self.client.hset(hash_key, field, json.dumps(result, ensure_ascii=False))
        except (redis.RedisError, TypeError, ValueError) as exc:
            log_failure("replay", exc)
        return result

    def forget(self, sender_id: str) -> None:
        super().forget(sender_id)
        try:
            self.client.delete(shared_key("replay", sender_id))
        except redis.RedisError as exc:
            log_failure("replay", exc)


def replay_memory() -> RecentAnswers:
    """The replay memory for this deployment: shared in Redis, or in this process."""
    client = shared_redis()
    return RecentAnswers() if client is None else SharedAnswers(client)
