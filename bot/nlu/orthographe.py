"""Word normalisation and spelling correction for informal French (no Rasa here)."""

from __future__ import annotations

from collections import Counter

from bot.profile import normalize

MIN_LONGUEUR_CORRECTION = 4
LONGUEUR_DEUX_FAUTES = 8


def forme_normale(text: str) -> str:
    """Lowercase, no accents, squeezed letter runs, SMS words expanded ("jsui" -> "je suis");
    empty for punctuation."""
    return normalize(text)


def distance(a: str, b: str, limite: int) -> int:
    """Edit distance with adjacent transpositions (optimal string alignment); any value
    above `limite` is returned as `limite + 1`."""
    if abs(len(a) - len(b)) > limite:
        return limite + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limite and min(previous) > limite:
            return limite + 1
        previous2, previous = previous, current
    return min(previous[-1], limite + 1)


class Correcteur:
    """Corrects unknown words to the closest known word (1 edit, 2 for long words);
    among equally close words, the most frequent, then the first alphabetically."""

    def __init__(self, vocabulaire: Counter[str]) -> None:
        self._vocabulaire = vocabulaire
        self._par_longueur: dict[int, list[str]] = {}
        for mot in vocabulaire:
            self._par_longueur.setdefault(len(mot), []).append(mot)
        self._cache: dict[str, str] = {}

    def corriger(self, mot: str) -> str:
        if (
            mot in self._vocabulaire
            or len(mot) < MIN_LONGUEUR_CORRECTION
            or not mot.isalpha()
            or not self._vocabulaire
        ):
            return mot
        if mot not in self._cache:
            self._cache[mot] = self._plus_proche(mot)
        return self._cache[mot]

    def _plus_proche(self, mot: str) -> str:
        limite = 2 if len(mot) >= LONGUEUR_DEUX_FAUTES else 1
        best: tuple[int, int, str] | None = None
        for longueur in range(len(mot) - limite, len(mot) + limite + 1):
            for candidat in self._par_longueur.get(longueur, ()):
                d = distance(mot, candidat, limite)
                if d > limite:
                    continue
                key = (d, -self._vocabulaire[candidat], candidat)
                if best is None or key < best:
                    best = key
        return best[2] if best is not None else mot
