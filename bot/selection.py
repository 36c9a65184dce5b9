"""Which shown result a person means: "la 2e", "la dernière", "celle de Simplon"."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot import lexique
from bot.recommend import Resultat
from bot.texte import normalize

# "la deuxième" = 2, "la dernière" = -1 (knowledge/lexique/rangs.yml).
_ORDINALS = lexique.rangs()
_RANK_NUMBER = re.compile(r"(?:la|le|numero|n|no|num)\s*(\d{1,2})(?![0-9])")
_BARE_NUMBER = re.compile(r"\s*(\d{1,2})\s*")


def parse_rang(text: str) -> int | None:
    """1-based rank of a listed item ("la 2e", "la deuxième", "numéro 3"); -1 = last."""
    norm = normalize(text)
    for word in norm.split():
        if word in _ORDINALS:
            return _ORDINALS[word]
    match = _RANK_NUMBER.search(norm)
    if match:
        return int(match.group(1))
    match = _BARE_NUMBER.fullmatch(norm)
    return int(match.group(1)) if match else None


def find_mentioned(
    resultats: Sequence[Resultat], text: str, rang: int | None, debut: int, taille: int
) -> Resultat | None:
    """The result named by rank (1-based, as shown) or by organisation or town."""
    if rang is not None:
        if rang == -1:
            shown = resultats[debut : debut + taille]
            return shown[-1] if shown else None
        if 1 <= rang <= len(resultats):
            return resultats[rang - 1]
        return None
    words = set(normalize(text).split())
    best: tuple[int, Resultat] | None = None
    for r in resultats:
        f = r.formation
        for name in (f.organisme, f.commune, f.intitule):
            if not name:
                continue
            name_words = {w for w in normalize(name).split() if len(w) > 2}
            hits = len(name_words & words)
            if hits and (best is None or hits > best[0]):
                best = (hits, r)
    return best[1] if best else None
