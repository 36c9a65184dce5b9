"""No conversation id in the logs: every log record of the process has the conversation
ids it mentions replaced by a pseudonym (`conv#` and 8 hex digits of an HMAC keyed by a
random key of the process). An operator can still follow one conversation in a log, but
once it is erased nothing in the log leads back to the id that the person's device holds.

Ids are recognised as the guard accepts them (`bot.channels.guard.sender_ok`), holding a
letter and a digit (so class names and plain numbers are left alone).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from typing import Any

from bot.channels.guard import sender_ok

_CANDIDATE = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{16,64}(?![A-Za-z0-9_-])")
_KEY = secrets.token_bytes(16)
_installed = False


def pseudonym(sender_id: str) -> str:
    """The stable (within this process) pseudonym of a conversation id."""
    return "conv#" + hmac.new(_KEY, sender_id.encode(), hashlib.sha256).hexdigest()[:8]


def _replace(match: re.Match[str]) -> str:
    token = match.group(0)
    looks_random = any(c.isdigit() for c in token) and any(c.isalpha() for c in token)
    return pseudonym(token) if looks_random and sender_ok(token) else token


def scrub(text: str) -> str:
    """`text` with every conversation id replaced by its pseudonym."""
    return _CANDIDATE.sub(_replace, text)


def install() -> None:
    """Makes every log record of this process go through `scrub` (idempotent)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let logging report it as usual
            return record
        record.msg, record.args = scrub(message), ()
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
