"""Finding phrases in a normalised text: the matching tools shared by the profile parsers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache


@cache
def whole_words(pattern: str) -> re.Pattern[str]:
    """The pattern as whole words, compiled once (the `re` module's own cache of 512
    patterns is too small for all the vocabularies of the parsers and `bot.metiers`)."""
    return re.compile(rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])")


def has_any(norm: str, patterns: Iterable[str]) -> bool:
    """Whether one of `patterns` is found in `norm` as whole words."""
    return any(whole_words(p).search(norm) for p in patterns)


@dataclass(frozen=True)
class Trouve:
    """One value found in a normalised text: `start`/`end` are the words that state it,
    `debut`/`fin` the whole matched phrase (which may carry context, e.g. "arrêté le
    lycée [en première]")."""

    code: str
    start: int
    end: int
    debut: int
    fin: int


def find_all(norm: str, code: str, patterns: Iterable[str]) -> list[Trouve]:
    """Every whole-word match; a named group `s` narrows the stated words."""
    found = []
    for pattern in patterns:
        for m in whole_words(pattern).finditer(norm):
            start, end = m.span("s") if "s" in m.groupdict() and m.group("s") else m.span()
            found.append(Trouve(code, start, end, m.start(), m.end()))
    return found


def without_overlaps(found: list[Trouve]) -> list[Trouve]:
    """Longest phrases first: a match inside a longer one ("vidéo" in "jeux vidéo",
    "en terminale" in "arrêté en terminale") is dropped. Result in text order."""
    kept: list[Trouve] = []
    for t in sorted(found, key=lambda t: (t.debut - t.fin, t.debut)):
        if all(t.fin <= k.debut or t.debut >= k.fin for k in kept):
            kept.append(t)
    return sorted(kept, key=lambda t: (t.start, t.end))


def preceded_by(norm: str, t: Trouve, pattern: re.Pattern[str]) -> bool:
    """Whether the text before the phrase of `t` matches `pattern`."""
    return bool(pattern.search(norm[: t.debut]))
