"""The one guard that every channel exposed by the server applies before Rasa sees a
message: conversation ids checked (pattern and entropy), texts made safe (valid UTF-8, no
control characters, empty or too long texts turned into intents that explain), personal
data masked, Rasa's "/intent" syntax accepted only for the buttons the assistant offered,
and rate limits per conversation and per client address.

`bot.server` refuses to start a channel that is not a `GuardedInput`.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable
from typing import Any

import redis

from bot.config import DEFAULTS
from bot.privacy import Masking, mask
from bot.shared_state import log_failure, shared_redis, take_token

EMPTY_MESSAGE_INTENT = "/nlu_fallback"
TOO_LONG_INTENT = "/message_trop_long"
DEFAULT_MAX_LENGTH = 1000
SENDER_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
# A lone surrogate ("\ud800" in JSON) is no character (spaCy cannot hash it); control
# characters (NUL...) are no text either. Line breaks and tabs are kept.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")
MIN_SENDER_DISTINCT = 8
MIN_SENDER_BITS = 64.0
MAX_SENDER_RUN = 8
# Messages a minute from one conversation, after a burst of 8.
DEFAULT_RATE_PER_CONVERSATION = float(DEFAULTS["CAPNUM_WEB_RATE_CONVERSATION"])

# Commands that the channels' own controls send (restart, erase, greeting), always allowed.
ALWAYS_ALLOWED = frozenset(
    {
        "/saluer",
        "/recommencer",
        "/supprimer_donnees",
        "/confirmer_suppression",
        "/annuler_suppression",
    }
)


class RateLimiter:
    """Token buckets by key: `burst` messages at once, then `per_minute` a minute.
    Remembers at most `max_keys` keys (the least recently used are forgotten). A limiter
    with a `name` is shared by every server when Redis is configured (`bot.shared_state`);
    it falls back to this process's buckets when Redis fails."""

    def __init__(
        self, per_minute: float, burst: int, max_keys: int = 50_000, name: str | None = None
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self.name = name
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def wait(self, key: str, now: float | None = None) -> int:
        """Takes one token for `key`: 0, or the whole seconds until its bucket has one."""
        client = shared_redis() if self.name and now is None else None
        if client is not None:
            try:
                return take_token(client, self.name or "", key, self.rate, self.burst)
            except redis.RedisError as exc:
                log_failure(f"limit {self.name}", exc)
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        if allowed:
            return 0
        return max(1, int((1.0 - tokens) / self.rate + 0.999)) if self.rate else 60

    def allow(self, key: str, now: float | None = None) -> bool:
        """Takes one token for `key`; False when its bucket is empty."""
        return self.wait(key, now) == 0


class GuardedInput:
    """Marker of the input channels that apply this guard to everything they receive."""


def sender_ok(sender_id: Any) -> bool:
    """A conversation id that a client chose: 16-64 of `[A-Za-z0-9_-]`, and not guessable
    (at least 8 distinct characters, 64 bits by the frequency of its characters, no run of
    8 consecutive characters like "abcdefgh" or "98765432"). The page's ids (32 random hex
    digits) pass but for about one in five million, and the page then makes a new one;
    "aaaaaaaaaaaaaaaa", "1234567890123456" or "abcdefghijklmnop" do not."""
    if not isinstance(sender_id, str) or not SENDER_PATTERN.fullmatch(sender_id):
        return False
    counts = Counter(sender_id)
    if len(counts) < MIN_SENDER_DISTINCT:
        return False
    n = len(sender_id)
    bits = -n * sum(c / n * math.log2(c / n) for c in counts.values())
    if bits < MIN_SENDER_BITS:
        return False
    run, last_step = 1, 0
    for previous, current in zip(sender_id, sender_id[1:], strict=False):
        step = ord(current) - ord(previous)
        # A run goes one way ("abcdefgh", "98765432"); a zigzag such as "babababa" is
        # not one (a random hex id holds one about once in 80,000).
        if step not in (1, -1):
            run = 1
        else:
            run = run + 1 if step == last_step else 2
        last_step = step
        if run >= MAX_SENDER_RUN:
            return False
    return True


def prepare_text(text: Any, max_length: int = DEFAULT_MAX_LENGTH) -> str:
    """What is sent to the assistant for a typed text: empty and huge texts are replaced
    by intents whose answers explain the problem in French; the text is valid UTF-8
    without control characters."""
    if not isinstance(text, str):
        return EMPTY_MESSAGE_INTENT
    if len(text) > 4 * max_length:  # not worth cleaning
        return TOO_LONG_INTENT
    text = _CONTROL.sub(" ", _LONE_SURROGATE.sub("\ufffd", text)).strip()
    if not text:
        return EMPTY_MESSAGE_INTENT
    if len(text) > max_length:
        return TOO_LONG_INTENT
    return text


def guard_text(text: Any, max_length: int = DEFAULT_MAX_LENGTH) -> Masking:
    """A typed text as Rasa may receive it: prepared, then with personal data masked."""
    return mask(prepare_text(text, max_length))


def offered_payloads(events: Iterable[Any]) -> set[str]:
    """Payloads the person may send now: the buttons of the assistant's messages since the
    person's last message, and the "details" payloads of the latest recommendations.
    `events` are Rasa events (`UserUttered`, `BotUttered`...), oldest first."""
    offered: set[str] = set()
    since_last_user = True
    details_found = False
    for event in reversed(list(events)):
        kind = getattr(event, "type_name", "")
        if kind == "user":
            since_last_user = False
        if kind != "bot":
            continue
        data = getattr(event, "data", None) or {}
        if since_last_user:
            offered |= {str(b["payload"]) for b in data.get("buttons") or [] if b.get("payload")}
        custom = data.get("custom") or {}
        if not details_found and custom.get("type") == "recommandations":
            details_found = True
            formations = custom.get("formations") or []
            offered |= {str(f["details_payload"]) for f in formations if f.get("details_payload")}
    return offered


def is_command(text: str) -> bool:
    """True for Rasa's intent syntax ("/intent" or "/intent{...}")."""
    return text.lstrip().startswith("/")


def as_plain_text(text: str) -> str:
    """A command that was not offered is read as ordinary text (without its slashes)."""
    return text.lstrip().lstrip("/").strip()


def without_repeats(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bot's messages of one answer with each identical message (text, buttons,
    payload) kept once: whatever the policies do, nobody reads the same question twice
    in one answer."""
    seen: set[str] = set()
    kept = []
    for message in messages:
        content = {k: v for k, v in message.items() if k != "recipient_id"}
        key = json.dumps(content, sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            kept.append(message)
    return kept
