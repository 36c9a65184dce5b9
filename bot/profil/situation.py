"""The person's present situation (the contract's `SITUATIONS`): "au chômage", "je
bosse chez Amazon", "en terminale", "j'ai arrêté le lycée"... The phrases are in
`knowledge/lexique/situations.yml`, by priority: the present situation wins over a past
dropout ("j'ai arrêté la fac, je bosse chez Amazon" = salarie)."""

from __future__ import annotations

import re

from bot import lexique
from bot.profil.motifs import Trouve, find_all, preceded_by, whole_words, without_overlaps
from bot.texte import normalize

_SITUATIONS = lexique.situations()
_NEGATED_BEFORE = re.compile(
    r"(?:^| )(?:pas|plus|jamais|ni|non)(?: (?:poursuivi|continue|alle|ete|reste|retourne))?"
    r"(?: (?:au|en|a|a la|a l|de|d|du|un|une|dans|la|le|l|vraiment|encore|trop))? $"
)
# "je veux arrêter l'école", "je voudrais être en alternance": an intention.
_INTENTION_BEFORE = re.compile(
    r"(?:^| )(?:veux|veut|voudrais|voudrait|aimerais|aimerait|vais|va|souhaite|souhaiterais"
    r"|pense|peux|dois|envie d|compte|pourrais|formation|formations|contrat|contrats)"
    r"(?: (?!(?:je|j|il|elle|on) )\w+){0,2} $"  # not across a new clause: "..., j'ai arrêté"
)
_PAST_BEFORE = re.compile(r"(?:^| )(?:etais|etait|ai ete|a ete|avant)(?: \w+)? $")


def find_situation(norm: str) -> Trouve | None:
    """The person's present situation in a normalised message, where it is stated."""
    masks = [m.span() for p in _SITUATIONS.masques for m in whole_words(p).finditer(norm)]
    found = []
    for index, groupe in enumerate(_SITUATIONS.groupes):
        for t in find_all(norm, f"{index}:{groupe.situation}", groupe.motifs):
            if any(t.debut < end and t.fin > start for start, end in masks):
                continue
            found.append(t)
    kept = []
    # Negated, wished or past mentions are dropped before overlaps are settled: "je ne
    # vais plus au lycée" is a dropout, not a pupil negated.
    for t in found:
        index, code = t.code.split(":")
        if preceded_by(norm, t, _NEGATED_BEFORE):
            continue
        # "je (ne) vais plus au lycée": a present fact, not an intention.
        now = norm.startswith("plus ", t.debut)
        wish = preceded_by(norm, t, _INTENTION_BEFORE)
        if wish and not now and not _SITUATIONS.groupes[int(index)].faible:
            continue
        if code in ("salarie", "etudiant", "autre") and preceded_by(norm, t, _PAST_BEFORE):
            continue
        kept.append(t)
    kept = without_overlaps(kept)
    if not kept:
        return None
    best = min(kept, key=lambda t: (int(t.code.split(":")[0]), t.start))
    code = best.code.split(":")[1]
    return Trouve(code, best.start, best.end, best.debut, best.fin)


def parse_situation(text: str) -> str | None:
    """Canonical situation code, or None when the message does not state one."""
    found = find_situation(normalize(text, corriger=True))
    return found.code if found else None
