"""Input guards shared by the channels: rate limits per conversation and per client
address, and Rasa's "/intent" syntax accepted only for the buttons the assistant offered.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

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
    Remembers at most `max_keys` keys (the least recently used are forgotten)."""

    def __init__(self, per_minute: float, burst: int, max_keys: int = 50_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, key: str, now: float | None = None) -> bool:
        """Takes one token for `key`; False when its bucket is empty."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return allowed

    def retry_after(self, key: str) -> int:
        """Whole seconds until `key` has a token again."""
        tokens, _ = self._buckets.get(key, (self.burst, 0.0))
        return max(1, int((1.0 - tokens) / self.rate + 0.999)) if self.rate else 60


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
