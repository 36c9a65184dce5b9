"""The normalised text of a message, aligned word by word with what the person wrote.

`TexteAligne(text).norm` equals `bot.profile.normalize(text)`; `span(start, end)` maps a
range of the normalised text (e.g. a regex match) back to the original characters, so that
an entity found on "g pa le bac" points at those words of the original message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.profile import SMS_WORDS, strip_accents

_KEPT = re.compile(r"[a-z0-9+]")
_APOSTROPHES = "’'`"


@dataclass(frozen=True)
class Mot:
    forme: str  # normalised (may hold several words: "jsuis" -> "je suis")
    debut: int  # offsets in the original text
    fin: int


def _raw_words(text: str) -> list[Mot]:
    """Runs of letters, digits and "+" (accents stripped), split on anything else."""
    words: list[Mot] = []
    chars: list[str] = []
    start = 0
    for i, c in enumerate(text):
        normalised = "" if c in _APOSTROPHES else strip_accents(c.lower())
        kept = [ch for ch in normalised if _KEPT.match(ch)]
        if kept and len(kept) == len(normalised):
            if not chars:
                start = i
            chars.extend(kept)
            continue
        if chars:
            words.append(Mot("".join(chars), start, i))
            chars = []
    if chars:
        words.append(Mot("".join(chars), start, len(text)))
    return words


def _merge_bac_plus(words: list[Mot]) -> list[Mot]:
    """ "bac + 2", "bac+ 2", "bac +2" -> one word "bac+2" (as `normalize` does)."""
    out: list[Mot] = []
    i = 0
    while i < len(words):
        size = 0
        if words[i].forme in ("bac", "bac+"):
            for extra in (1, 2):
                parts = words[i : i + 1 + extra]
                joined = "".join(w.forme for w in parts)
                if len(parts) == 1 + extra and re.fullmatch(r"bac\+\d+", joined):
                    size = 1 + extra
                    break
        if size:
            parts = words[i : i + size]
            out.append(Mot("".join(w.forme for w in parts), parts[0].debut, parts[-1].fin))
            i += size
        else:
            out.append(words[i])
            i += 1
    return out


class TexteAligne:
    """Normalised words of a message with their original offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        words = _merge_bac_plus(_raw_words(text))
        self.mots = [
            Mot(SMS_WORDS.get(forme, forme), w.debut, w.fin)
            for w in words
            if (forme := re.sub(r"([a-z])\1{2,}", r"\1", w.forme))
        ]
        self._starts: list[int] = []
        position = 0
        for mot in self.mots:
            self._starts.append(position)
            position += len(mot.forme) + 1
        self.norm = " ".join(m.forme for m in self.mots)

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """Original (start, end) of the words covering norm[start:end]; None if empty."""
        covered = [
            mot
            for mot, debut in zip(self.mots, self._starts, strict=True)
            if debut < end and debut + len(mot.forme) > start
        ]
        if not covered:
            return None
        return covered[0].debut, covered[-1].fin
