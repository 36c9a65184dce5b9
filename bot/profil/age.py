"""The person's age: "j'ai 19 ans", "dix-neuf ans", "22 piges", "j'en ai 24"."""

from __future__ import annotations

import re

from bot.texte import normalize

AGE_MIN, AGE_MAX = 14, 99


def _number_words() -> dict[str, int]:
    """French number words from 14 to 99, as normalised ("dix sept", "quarante et un")."""
    units = "zero un deux trois quatre cinq six sept huit neuf dix onze douze treize".split()
    units += ["quatorze", "quinze", "seize"]
    tens = {20: "vingt", 30: "trente", 40: "quarante", 50: "cinquante", 60: "soixante"}

    def word(n: int) -> list[str]:
        if n < 17:
            return [units[n]]
        if n < 20:
            return [f"dix {units[n - 10]}"]
        if n < 70:
            ten, unit = tens[n - n % 10], n % 10
            return [ten if unit == 0 else f"{ten} et un" if unit == 1 else f"{ten} {units[unit]}"]
        if n < 80:
            return ["soixante et onze" if n == 71 else f"soixante {w}" for w in word(n - 60)]
        if n == 80:
            return ["quatre vingt", "quatre vingts"]
        return [f"quatre vingt {w}" for w in word(n - 80)]

    return {w: n for n in range(AGE_MIN, 100) for w in word(n)}


_NUMBER_WORDS = _number_words()


_AGE_UNIT = r"\s*(?:ans|piges|balais)(?![a-z])"
_AGE_DIGITS = re.compile(r"(?<![0-9+])(\d{1,3})" + _AGE_UNIT)
_NUMBER_WORD_ALTERNATIVES = "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True))
_AGE_WORDS = re.compile(rf"(?<![a-z])({_NUMBER_WORD_ALTERNATIVES}) (?:ans|piges|balais)(?![a-z])")
# "depuis 2 ans", "il y a 3 ans", "en 2 ans" are durations, not ages.
_DURATION_BEFORE = re.compile(
    r"(?:depuis|pendant|il y a|ca fait|fait|pour|dans|en|durant) "
    r"(?:deja |plus de |moins de |environ |presque |bientot )?$"
)
# "quitté l'école à 16 ans", "quand j'avais 15 ans": an age in the past.
_PAST_AGE_BEFORE = re.compile(
    r"(?:(?<![a-z])(?:arrete|arretee|quitte|quittee|sorti|sortie|lache|abandonne|decroche|parti|partie"
    r"|commence|eu|obtenu|vire|viree|arrive|arrivee|ecole|lycee|college|cours|etudes|fac) a"
    r"|(?:a|des|depuis) l age de|avais|avait|quand j avais) $"
)
# "je vais avoir 18 ans en mai": an age to come.
_FUTURE_AGE_BEFORE = re.compile(r"(?:(?:vais|va|vas|allons|vont) avoir|aurai|auras|aura) $")
# "j'en ai 24", "il en a dix-neuf aujourd'hui": the age without "ans".
_AGE_WITHOUT_UNIT = re.compile(
    r"(?:j en ai|en a) (?:maintenant |aujourd hui |actuellement |now )?"
    rf"(\d{{2}}|{_NUMBER_WORD_ALTERNATIVES})(?![0-9a-z+])"
)


def find_age(norm: str) -> tuple[int, int, int] | None:
    """(age, start, end) of the person's age in a normalised message ("19 ans",
    "dix neuf ans", "22 piges", "j'en ai 24"), not a duration ("depuis 2 ans", "2 ans
    d'expérience") nor an age in the past ("arrêté l'école à 16 ans"); None if none."""
    candidates = [(m.start(), m.end(), int(m.group(1))) for m in _AGE_DIGITS.finditer(norm)]
    candidates += [
        (m.start(), m.end(), _NUMBER_WORDS[m.group(1)]) for m in _AGE_WORDS.finditer(norm)
    ]
    for start, end, value in sorted(candidates):
        before = norm[:start]
        if _DURATION_BEFORE.search(before) or re.match(r" de? ", norm[end:]):
            continue
        if _PAST_AGE_BEFORE.search(before) or _FUTURE_AGE_BEFORE.search(before):
            continue
        if value < AGE_MIN and not re.search(r"(?:^| )(?:ai|a) $", before):
            continue  # "2 ans" without "j'ai": rather a duration
        return value, start, end
    if m := _AGE_WITHOUT_UNIT.search(norm):
        value = int(m.group(1)) if m.group(1).isdigit() else _NUMBER_WORDS[m.group(1)]
        return value, m.start(1), m.end(1)
    return None


def parse_age(text: str, expecting_age: bool = False) -> int | None:
    """Age in years from "j'ai 19 ans", "dix-neuf ans", or a bare "19" when asked.

    Returns the number even when implausible so that the caller can say so;
    returns None when the message states no age.
    """
    norm = normalize(text, corriger=True)
    found = find_age(norm)
    if found is not None:
        return found[0]
    if expecting_age:
        bare = re.fullmatch(r"\s*(?:j ai\s+)?(\d{1,3})\s*", norm)
        if bare:
            return int(bare.group(1))
        if norm.strip() in _NUMBER_WORDS:
            return _NUMBER_WORDS[norm.strip()]
    return None


def age_is_plausible(age: float) -> bool:
    return AGE_MIN <= age <= AGE_MAX
