"""State shared by several servers through the real Redis (127.0.0.1:6379, database 2;
skipped without): rate limits, the web chat's replay memory, the console's live versions.
Two objects of each kind stand for two servers."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Iterator

import pytest
import redis

from bot import shared_state
from bot.channels.guard import RateLimiter
from bot.channels.messaging import RecentIds
from bot.channels.replay import PENDING, SharedAnswers, replay_memory
from bot.console.direct import Direct

pytestmark = pytest.mark.anyio


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    client = redis.Redis(host="127.0.0.1", port=6379, db=2, decode_responses=True)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis unavailable: {exc}")
    shared_state.use_redis(client)
    yield client
    shared_state.use_redis(None)


def fresh_id() -> str:
    return secrets.token_hex(16)


def test_a_named_limit_holds_across_two_servers(client: redis.Redis) -> None:
    """Two servers' limiters of one name share their buckets: a burst of 3 is 3 in all."""
    first, second = (RateLimiter(per_minute=6, burst=3, name="test_limit") for _ in range(2))
    sender = fresh_id()
    waits = [limiter.wait(sender) for limiter in (first, second, first, second, first)]
    assert waits[:3] == [0, 0, 0]
    assert all(wait >= 1 for wait in waits[3:])  # one token every 10 s
    assert waits[3] <= 10
    assert second.allow(fresh_id())  # another conversation has its own bucket
    # Redis holds a hash of the id, never the id, and the bucket expires.
    keys = client.keys(f"{shared_state.KEY_PREFIX}bucket:test_limit:*")
    assert keys and not any(sender in key for key in keys)
    assert all(0 < client.ttl(key) <= 3 * 10 + 60 for key in keys)


def test_an_unnamed_limit_stays_in_its_process(client: redis.Redis) -> None:
    """A limiter without a name (or with an explicit clock) keeps its own buckets."""
    first, second = (RateLimiter(per_minute=6, burst=1) for _ in range(2))
    sender = fresh_id()
    assert first.allow(sender) and second.allow(sender)
    assert not first.allow(sender)


def test_limits_fall_back_to_the_process_when_redis_fails(caplog) -> None:
    """Redis down: the limit still holds on this server, and the log names only the
    error's class."""
    shared_state.use_redis(redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2))
    try:
        limiter = RateLimiter(per_minute=6, burst=2, name="test_down")
        sender = fresh_id()
        with caplog.at_level(logging.WARNING):
            assert [limiter.allow(sender) for _ in range(3)] == [True, True, False]
        assert "ConnectionError" in caplog.text and sender not in caplog.text
    finally:
        shared_state.use_redis(None)


def test_a_telegram_update_redelivered_to_the_other_server_is_dropped(
    client: redis.Redis,
) -> None:
    """Telegram delivers an update again (no 200 in time): the other server drops it."""
    first, second = RecentIds(name="test_update"), RecentIds(name="test_update")
    update_id = secrets.randbelow(10**9)
    assert not first.seen(update_id)
    assert second.seen(update_id) and first.seen(update_id)
    assert not second.seen(update_id + 1)


def counting_turn(calls: list[int], delay: float = 0.0):
    async def turn() -> list[dict[str, str]]:
        calls.append(1)
        await asyncio.sleep(delay)
        return [{"recipient_id": "x", "text": f"réponse {len(calls)} 🙂"}]

    return turn


async def test_a_retry_on_the_other_server_gets_the_first_answer(client: redis.Redis) -> None:
    """The retried message id is answered from the first server's turn: one turn."""
    first, second = SharedAnswers(client), SharedAnswers(client)
    calls: list[int] = []
    key = (fresh_id(), "m-0001")
    answer = await first.answer(key, counting_turn(calls))
    assert await second.answer(key, counting_turn(calls)) == answer
    assert calls == [1]
    assert await second.answer((key[0], "m-0002"), counting_turn(calls)) != answer
    assert await second.answer(None, counting_turn(calls))  # no id: no replay
    assert len(calls) == 3


async def test_a_retry_during_the_turn_waits_for_its_answer(client: redis.Redis) -> None:
    """Sent to two servers at once: the second waits for the first's answer."""
    first, second = SharedAnswers(client), SharedAnswers(client)
    calls: list[int] = []
    key = (fresh_id(), "m-0001")
    answers = await asyncio.gather(
        first.answer(key, counting_turn(calls, 0.3)),
        second.answer(key, counting_turn(calls, 0.3)),
    )
    assert answers[0] == answers[1] and calls == [1]


async def test_a_failed_turn_is_run_again_by_a_retry(client: redis.Redis) -> None:
    """A turn that failed leaves no mark: the retry, on any server, runs it."""
    first, second = SharedAnswers(client), SharedAnswers(client)
    key = (fresh_id(), "m-0001")

    async def failing() -> list[dict[str, str]]:
        raise ConnectionError("base")

    with pytest.raises(ConnectionError):
        await first.answer(key, failing)
    calls: list[int] = []
    assert await second.answer(key, counting_turn(calls)) and calls == [1]


async def test_a_turn_of_a_dead_server_is_taken_over_after_its_deadline(
    client: redis.Redis,
) -> None:
    """A mark whose deadline passed (its server died in the turn) is taken over; a mark
    still within its deadline is waited for."""
    sender = fresh_id()
    hash_key = shared_state.shared_key("replay", sender)
    client.hset(hash_key, "m-dead", f"{PENDING}{time.time() - 1:.3f}")
    calls: list[int] = []
    answer = await SharedAnswers(client).answer((sender, "m-dead"), counting_turn(calls))
    assert calls == [1] and client.hget(hash_key, "m-dead").startswith("[")
    assert answer == [{"recipient_id": "x", "text": "réponse 1 🙂"}]

    client.hset(hash_key, "m-alive", f"{PENDING}{time.time() + 60:.3f}")

    async def finish_elsewhere() -> None:
        await asyncio.sleep(0.2)
        client.hset(hash_key, "m-alive", '[{"text": "de l\'autre serveur"}]')

    waiter = SharedAnswers(client).answer((sender, "m-alive"), counting_turn(calls))
    result, _ = await asyncio.gather(waiter, finish_elsewhere())
    assert result == [{"text": "de l'autre serveur"}] and calls == [1]


async def test_erasure_forgets_the_shared_answers(client: redis.Redis) -> None:
    """After "Effacer mes données", no server replays the conversation's answers, and
    Redis holds nothing of it; answers expire anyway."""
    first, second = SharedAnswers(client), SharedAnswers(client)
    sender = fresh_id()
    await first.answer((sender, "m-0001"), counting_turn([]))
    hash_key = shared_state.shared_key("replay", sender)
    assert 0 < client.ttl(hash_key) <= 300
    second.forget(sender)
    assert not client.exists(hash_key)
    calls: list[int] = []
    await first.answer((sender, "m-0001"), counting_turn(calls))
    assert calls == [1]


def test_the_memory_is_shared_only_when_redis_is_configured(client: redis.Redis) -> None:
    """Several servers (Redis configured): the shared memory; one server: its own."""
    assert isinstance(replay_memory(), SharedAnswers)
    shared_state.use_redis(None)
    assert not isinstance(replay_memory(), SharedAnswers)


class FakeTracker:
    def __init__(self, text: str) -> None:
        self.events = [type("E", (), {"type_name": "user", "as_dict": lambda s: {"text": text}})()]

    def current_slot_values(self) -> dict[str, str]:
        return {"commune": "Lille"}


async def test_console_versions_cross_servers(client: redis.Redis) -> None:
    """The young person's turn on one server wakes the counsellor's page waiting on the
    other; the first server's snapshot is read only while nothing changed since."""
    sender, seance = fresh_id(), fresh_id()
    chat, console = (Direct(lambda: {sender: seance}) for _ in range(2))
    start = console.version(seance)

    async def turn_elsewhere() -> None:
        await asyncio.sleep(0.3)
        chat.instantane(sender, FakeTracker("jai 19 ans"))
        chat.apres_tour(sender)

    new, _ = await asyncio.gather(console.attendre(seance, start, timeout=10), turn_elsewhere())
    assert new == start + 1 == chat.version(seance)
    assert chat.lire_instantane(sender) == ({"commune": "Lille"}, [{"text": "jai 19 ans"}])
    assert console.lire_instantane(sender) is None  # the other server reads the database
    console.changer(seance)  # e.g. the counsellor's edit, on the other server
    assert chat.lire_instantane(sender) is None
    assert await chat.attendre(seance, start + 2, timeout=0.1) == start + 2
