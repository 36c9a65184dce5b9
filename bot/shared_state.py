"""State that every Rasa server of a deployment must share (docs/deployment.md): the
rate-limit buckets, the web chat's replay memory and the console's live-update versions.

It lives in Redis when `CAPNUM_REDIS_URL` is set (several servers behind a load balancer,
`scripts/scale.sh`), in each process otherwise. Redis keys hold a hash of the conversation
id or address, never the id itself, and all expire. When Redis fails, each caller falls
back to its in-process state and logs the error's class: limits then hold per server and
a retry may run twice, but no conversation stops.
"""

from __future__ import annotations

import hashlib
import logging

import redis
from redis.commands.core import Script

from bot.config import setting

logger = logging.getLogger(__name__)

REDIS_URL_ENV = "CAPNUM_REDIS_URL"
KEY_PREFIX = "capnum:shared:"

_client: redis.Redis | None = None
_configured = False
_scripts: dict[int, Script] = {}

# One token bucket, atomically, on Redis's clock (servers' clocks may differ): KEYS[1] the
# bucket, ARGV rate (tokens a second), burst, lifetime of an idle bucket (s). Returns 0
# when a token was taken, else the milliseconds until one is free.
_TAKE_TOKEN = """
local rate, burst, ttl = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
elseif rate > 0 then
  wait = math.ceil((1 - tokens) / rate * 1000)
else
  wait = 60000
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], ttl)
return wait
"""


def shared_redis() -> redis.Redis | None:
    """The Redis client of `CAPNUM_REDIS_URL` (read once), or None for one server."""
    global _client, _configured
    if not _configured:
        url = setting(REDIS_URL_ENV).strip()
        _client = (
            redis.Redis.from_url(
                url, socket_timeout=2, socket_connect_timeout=2, decode_responses=True
            )
            if url
            else None
        )
        _configured = True
    return _client


def use_redis(client: redis.Redis | None) -> None:
    """Sets the shared client (tests; None: in-process state)."""
    global _client, _configured
    _client, _configured = client, True


def shared_key(kind: str, key: str) -> str:
    """The Redis key of `key` (a conversation id, an address, a session id) under `kind`,
    hashed so that Redis never holds an address or a conversation id in clear."""
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    return f"{KEY_PREFIX}{kind}:{digest}"


def take_token(client: redis.Redis, name: str, key: str, rate: float, burst: float) -> int:
    """Takes one token from the shared bucket `name`/`key` (rate in tokens a second):
    0 when taken, else the whole seconds until one is free. Raises `redis.RedisError`."""
    idle = int(burst / rate) + 60 if rate > 0 else 3600
    script = _scripts.get(id(client))
    if script is None:
        script = _scripts[id(client)] = client.register_script(_TAKE_TOKEN)
    wait_ms = int(script(keys=[shared_key(f"bucket:{name}", key)], args=[rate, burst, idle]))
    return 0 if wait_ms == 0 else max(1, (wait_ms + 999) // 1000)


def log_failure(what: str, exc: Exception) -> None:
    """Logs a shared-state failure by its class only (no id, no address)."""
    logger.warning("shared state unavailable (%s): %s", what, type(exc).__name__)
