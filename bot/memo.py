"""Results kept while one message is read, and forgotten as soon as it is read.

The profile parsers each read the message from scratch: one extraction normalised the
same text six times and looked for its place three times (up to 8 ms of the action
server's time for a message with a misspelled word after "à"). Within a `per_message()`
block, functions decorated with `per_message_cached` compute each result once. Nothing
outlives the block: no message text stays in memory after its turn, so erasing a
person's data leaves no copy here. Outside a block the functions run as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_results: ContextVar[dict[Hashable, Any] | None] = ContextVar("capnum_per_message", default=None)


@contextmanager
def per_message() -> Iterator[None]:
    """Keeps results for the length of the block (a block inside another shares its
    results and leaves them to the outer one)."""
    if _results.get() is not None:
        yield
        return
    token = _results.set({})
    try:
        yield
    finally:
        _results.reset(token)


def per_message_cached(function: Callable[P, R]) -> Callable[P, R]:
    """`function` (pure, hashable arguments, a result nobody modifies) computed once per
    arguments inside a `per_message()` block."""

    @wraps(function)
    def cached(*args: P.args, **kwargs: P.kwargs) -> R:
        results = _results.get()
        if results is None:
            return function(*args, **kwargs)
        key = (function, args, tuple(sorted(kwargs.items())))
        try:
            return results[key]
        except KeyError:
            value = results[key] = function(*args, **kwargs)
            return value

    return cached
