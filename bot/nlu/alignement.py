"""The normalised text of a message, aligned word by word with what the person wrote.

`TexteAligne(text).norm` equals `bot.texte.normalize(text, corriger=True)`, what the
profile parsers read (both are made of `bot.texte.mots_normalises`); `span(start, end)`
maps a range of the normalised text (e.g. a regex match) back to the original characters,
so that an entity found on "g pa le bac" points at those words of the original message,
and one found in a glued word ("jai19ans") at its own part ("19ans").
"""

from __future__ import annotations

from bot.texte import MotNormalise, mots_normalises

Mot = MotNormalise


class TexteAligne:
    """Normalised words of a message with their original offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.mots = mots_normalises(text, corriger=True)
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
