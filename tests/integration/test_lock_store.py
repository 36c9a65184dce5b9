"""The atomic Redis lock store against the real Redis (127.0.0.1:6379; skipped without)."""

from __future__ import annotations

import secrets
import threading

import pytest
import redis
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore

pytestmark = pytest.mark.anyio


@pytest.fixture
def config() -> EndpointConfig:
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis unavailable: {exc}")
    return EndpointConfig(
        url="127.0.0.1", port="6379", db="1", key_prefix=f"test{secrets.token_hex(4)}"
    )


def test_settings_come_from_the_endpoint(config: EndpointConfig) -> None:
    """The Redis lock store takes host, port, database and key prefix from the endpoint."""
    store = AtomicRedisLockStore(config)
    kwargs = store.red.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"]) == ("127.0.0.1", 6379, 1)
    assert store.key_prefix.startswith(config.kwargs["key_prefix"] + ":")


def test_two_servers_never_get_the_same_ticket(config: EndpointConfig) -> None:
    """Two stores (two Rasa servers) issuing tickets for one conversation at the same
    time: every ticket is distinct, so turns are served one at a time."""
    conversation = f"c-{secrets.token_hex(4)}"
    stores = [AtomicRedisLockStore(config) for _ in range(2)]
    tickets: list[int] = []
    start = threading.Barrier(2)

    def issue(store: AtomicRedisLockStore) -> None:
        start.wait()
        for _ in range(40):
            tickets.append(store.issue_ticket(conversation, lock_lifetime=30))

    threads = [threading.Thread(target=issue, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(tickets) == list(range(80))
    stores[0].delete_lock(conversation)


async def test_the_lock_serialises_turns(config: EndpointConfig) -> None:
    """Within `lock()`, a second server waits for the first to finish."""
    import asyncio

    conversation = f"c-{secrets.token_hex(4)}"
    a, b = AtomicRedisLockStore(config), AtomicRedisLockStore(config)
    order: list[str] = []

    async def turn(store: AtomicRedisLockStore, name: str, delay: float) -> None:
        await asyncio.sleep(delay)
        async with store.lock(conversation, lock_lifetime=10, wait_time_in_seconds=0.02):
            order.append(f"{name} start")
            await asyncio.sleep(0.1)
            order.append(f"{name} end")

    await asyncio.gather(turn(a, "a", 0), turn(b, "b", 0.01))
    assert order == ["a start", "a end", "b start", "b end"]
    assert a.get_lock(conversation) is None  # cleaned up
