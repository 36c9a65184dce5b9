"""Schemathesis hooks loaded by scripts/fuzz-http.sh (SCHEMATHESIS_HOOKS): no answer of
the project's endpoints shows a stack trace or a Python exception name; each generated
message gets a conversation of its own, so that the per-conversation rate limit (8 quick
messages) does not stop the fuzzing at the first few cases, and so that a schema-valid id
is also one the server accepts: the server refuses guessable ids ("0000000000000000",
low entropy, `bot.channels.guard.sender_ok`), which a JSON schema pattern cannot say."""

from __future__ import annotations

import re
import secrets
from typing import Any

import schemathesis

LEAK = re.compile(
    r"Traceback|File \"/|\w+Error\b(?!\")|\w+Exception\b|site-packages|line \d+, in ", re.I
)


@schemathesis.check
def no_stack_trace(ctx: Any, response: Any, case: Any) -> bool | None:
    """Fails when the body shows a traceback, a source path or an exception name."""
    match = LEAK.search((response.content or b"").decode("utf-8", "replace"))
    if match:
        raise AssertionError(f"Trace ou exception Python dans la réponse : {match.group(0)!r}")
    return None


def fresh_sender() -> str:
    """32 random hex digits in groups of four ("3fa9-07c1-..."): the dashes break any run
    of eight consecutive characters, so the server's guard never refuses one by chance."""
    return "-".join(secrets.token_hex(2) for _ in range(8))


@schemathesis.hook
def map_body(ctx: Any, body: Any) -> Any:
    """A fresh valid sender for bodies whose sender is valid (invalid ones stay invalid)."""
    if isinstance(body, dict) and re.fullmatch(r"[A-Za-z0-9_-]{16,64}", str(body.get("sender"))):
        return {**body, "sender": fresh_sender()}
    return body


@schemathesis.hook
def before_call(ctx: Any, case: Any, kwargs: Any) -> None:
    """The same fresh sender in every phase (the coverage phase sends its boundary values
    without `map_body`)."""
    case.body = map_body(ctx, case.body)
