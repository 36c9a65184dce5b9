"""Schemathesis check loaded by scripts/fuzz-http.sh (SCHEMATHESIS_HOOKS): no answer of
the project's endpoints shows a stack trace or a Python exception name."""

from __future__ import annotations

import re
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
