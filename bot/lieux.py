"""Finding a place in what a person writes: a postcode, a commune named after a cue word
("j'habite à X"), a nickname ("tlse"), a big town misspelled ("marseil") or a département
("dans le 93"), and where it is written. The words around place names are in
`knowledge/lexique/lieux.yml`; the communes come from `bot.geo`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import lru_cache

from bot import lexique
from bot.geo import ARTICLES, TOKEN_ALIASES, Commune, Geo, normalize_name, strip_article
from bot.memo import per_message_cached
from bot.orthographe import cle_phonetique, distance, mot_francais

MAX_NGRAM = 5
MIN_POPULATION_WITHOUT_CUE = 20000
# Contracted articles before a name: "au Havre" = "à Le Havre", "aux Abymes".
_CONTRACTED = {"au": "le", "o": "le", "aux": "les"}
_LIEUX = lexique.lieux()

# Words announcing a place: "j'habite à X", "je suis sur X", "vers X", "près de X"...
CUE_WORDS: frozenset[str] = _LIEUX.indices

# Common nicknames and abbreviations of towns, accepted right after a cue word
# ("jhab a tlse", "jsui sur paname"): normalised nickname -> official name (with the
# département when the name is shared: "st naz" is Saint-Nazaire in Loire-Atlantique).
NICKNAMES: Mapping[str, str] = _LIEUX.surnoms
# A misspelled town ("marseil", "monpelier") is recognised after a cue word only, among
# the towns of at least this population, when nothing else names a place.
MIN_POPULATION_APPROX = 20000

# Frequent French words (or chat words) that are also commune names: never a place on their
# own, even after a cue word ("je suis à l'école", "j'ai le bac", "il a plus de 20 ans").
STOP_WORDS: frozenset[str] = _LIEUX.mots_courants

# Names that are also ordinary words or phrases: accepted only right after a cue word
# ("je vis à Tours" but not "plusieurs tours", "le bon sens", "avec plaisir").
STOP_WORDS_WITHOUT_CUE: frozenset[str] = _LIEUX.seulement_apres_indice

# A 5-digit postcode, not part of a number ("12,50000", "75000.5") nor an amount.
_POSTCODE_RE = re.compile(
    r"(?<!\d)(?<!\d[,.])(\d{5})(?!\d)(?![,.]\d)(?!\s*(?:€|euros?|eur\b|k\b|h\b))"
)
# A département given instead of a town: "dans le 93", "le 62", "j'habite dans le 59",
# "je viens du 93", "dans le nord", "en Seine-Saint-Denis" (after a cue; 2A/2B, 971-976).
# Not a date ("le 15 mars"), an age, an amount nor a distance ("le 30 km").
# DECISION (issue 17): the profile needs a commune to measure distances, so a département
# alone stands for its préfecture (Bobigny for the 93). It sets the right département and
# région at once, and the préfecture is where trainings gather; the town is shown in the
# profile summary ("mon profil") and corrected by naming one ("j'habite à Montreuil"). The
# knowledge build already places communes without coordinates at their préfecture.
# Asking again instead would drop what the person said (the form only re-asks the town).
DEPARTEMENT_CODE = r"(?:2[ab]|0[1-9]|1\d|[2-8]\d|9[0-5]|97[1-6])"
_DEP_CUES = r"(?:dans le|ds le|dans l|sur le|vers le|du|le|departement|dept|dep|dpt)"
_DEP_NUMBER_RE = re.compile(
    rf"(?<![a-z0-9]){_DEP_CUES} (?P<dep>{DEPARTEMENT_CODE})(?![a-z0-9])"
    r"(?! (?:ans?|km|kms|kilometres?|euros?|eur|h|heures?|mois|jours?|fois|pour ?cent|janvier"
    r"|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|au|a|sur)"
    r"(?![a-z]))"
)
_DEP_BARE_RE = re.compile(rf"(?:(?:dans )?le )?(?P<dep>{DEPARTEMENT_CODE})")
_DEP_NAME_CUES = frozenset({"dans", "ds", "en", "du", "de", "des", "departement"})


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """The words of `normalize_name(text)` with their (start, end) in `text`."""
    tokens: list[tuple[str, int, int]] = []
    chars: list[str] = []
    start = 0
    for i, ch in enumerate(text):
        if unicodedata.combining(ch):
            continue
        folded = normalize_name(ch).replace(" ", "") if ch.isalnum() else ""
        if folded:
            if not chars:
                start = i
            chars.append(folded)
            continue
        if chars:
            tokens.append(("".join(chars), start, i))
            chars = []
    if chars:
        tokens.append(("".join(chars), start, len(text)))
    return [(TOKEN_ALIASES.get(t, t), a, b) for t, a, b in tokens]


def find_in_text(geo: Geo, text: str, reponse: bool = False) -> list[Commune] | None:
    """Find a place mentioned in a free sentence; None when nothing is found.

    Order: a known 5-digit postcode, then names (or nicknames: "tlse") right after a
    cue word ("à", "sur", "habite"...), then (without cue) exact names of communes of
    ≥ 20,000 inhabitants, then a misspelled big town after a cue ("à marseil").
    Several communes returned = ambiguous name (e.g. Saint-Denis). With `reponse`
    (the text answers "where do you live?"), its first word counts as after a cue.
    """
    found = locate(geo, text, reponse)
    return found[0] if found else None


def without_place_names(
    geo: Geo,
    text: str,
    reponse: bool = False,
    found: tuple[list[Commune], tuple[int, int] | None] | None | bool = False,
) -> str:
    """`text` with the name of the place it names blanked out (same length) when
    that name has several words, so that they are not read as other facts:
    "Lège-Cap-Ferret" holds no CAP. `found`: the result of `locate(text, reponse)`
    when the caller already has it."""
    if found is False:
        found = locate(geo, text, reponse)
    if not found or found[1] is None:
        return text
    start, end = found[1]
    if not re.search(r"[\s'’-]", text[start:end]):
        return text
    return text[:start] + " " * (end - start) + text[end:]


def locate(
    geo: Geo, text: str, reponse: bool = False
) -> tuple[list[Commune], tuple[int, int] | None] | None:
    """As `find_in_text`, with where the place is written in `text` (None when the
    words cannot be lined up with the text). Looked for once per message inside a
    `bot.memo.per_message()` block."""
    found = _locate_once(geo, text, reponse)
    return None if found is None else (list(found[0]), found[1])


@per_message_cached
def _locate_once(
    geo: Geo, text: str, reponse: bool
) -> tuple[list[Commune], tuple[int, int] | None] | None:
    for match in _POSTCODE_RE.finditer(text):
        found = geo.by_postcode(match.group(1))
        if found:
            # "le hohwald, 67140": the name picks its commune among the postcode's.
            among = set(found)
            return _named_in(geo, text, among.__contains__) or found, match.span(1)
    placed = _tokens(text)
    tokens = normalize_name(text).split()
    if [t for t, _, _ in placed] != tokens:
        placed = []

    def span(i: int, size: int) -> tuple[int, int] | None:
        return (placed[i][1], placed[i + size - 1][2]) if placed else None

    without_cue: tuple[list[Commune], tuple[int, int] | None] | None = None
    # "dans le Pas-de-Calais" is not Calais, "en Seine-Saint-Denis" not Saint-Denis.
    inside_departement = {
        k for first, last, _ in _departement_names_in(geo, tokens) for k in range(first, last + 1)
    }
    i = 0
    while i < len(tokens):
        after_cue = tokens[i - 1] in CUE_WORDS if i > 0 else reponse
        hit = _match_at(geo, tokens, i, after_cue)
        if hit is not None and i in inside_departement:
            hit = None
        if hit is not None:
            size, communes = hit
            communes = _narrow_by_departement(communes, tokens[i + size : i + size + 1])
            if i > 0 and tokens[i - 1] in _CONTRACTED:
                communes = _with_article(geo, communes, tokens[i : i + size], tokens[i - 1])
            if after_cue:
                return communes, span(i, size)
            if without_cue is None:
                without_cue = communes, span(i, size)
            i += size
            continue
        i += 1
    if without_cue is not None:
        return without_cue
    if departement := _departement_as_prefecture(geo, text, reponse):
        return departement
    for i in range(len(tokens)):
        after_cue = tokens[i - 1] in CUE_WORDS if i > 0 else reponse
        if after_cue and (hit := _approximate_at(geo, tokens, i)):
            size, communes = hit
            return communes, span(i, size)
    return None


def _match_at(
    geo: Geo, tokens: list[str], start: int, after_cue: bool
) -> tuple[int, list[Commune]] | None:
    """Longest n-gram starting at ``start`` naming a commune, with its size."""
    for size in range(min(MAX_NGRAM, len(tokens) - start), 0, -1):
        gram = " ".join(tokens[start : start + size])
        bare = strip_article(gram)
        if gram in STOP_WORDS or bare in STOP_WORDS or gram.isdigit():
            continue
        if after_cue:
            if gram in NICKNAMES:
                found = geo.resolve(NICKNAMES[gram])
            else:
                found = geo.by_key(gram) or geo.by_bare_key(bare)
            if found:
                return size, list(found)
        elif gram not in STOP_WORDS_WITHOUT_CUE:
            # A name of three words or more ("saint cyr sur loire") is specific
            # enough without a cue, whatever the size of the town.
            found = [
                c
                for c in geo.by_key(gram)
                if c.population >= MIN_POPULATION_WITHOUT_CUE or size >= 3
            ]
            if found:
                return size, found
    return None


def _approximate_at(geo: Geo, tokens: list[str], start: int) -> tuple[int, list[Commune]] | None:
    """A misspelled big town starting at `start` ("marseil", "monpelier", "toulouze"):
    the one town that sounds the same or, for longer names, is one edit away in sound
    or in spelling ("argeteuil"); never a French word ("à fond", but "sarcelle" for
    Sarcelles) nor a name close to several towns."""
    for size in range(min(3, len(tokens) - start), 0, -1):
        words = tokens[start : start + size]
        gram = strip_article(" ".join(words))
        named = words[1:] if size > 1 and words[0] in ARTICLES else words
        if (
            any(w in STOP_WORDS or not w.isalpha() for w in named)
            or any(len(w) == 1 and w not in "adl" for w in words)  # "strasbour g"
            or len(gram) < 4
        ):
            continue
        key = cle_phonetique(gram.replace(" ", ""))
        limit = 0 if len(key) < 6 else 1
        french = size == 1 and mot_francais(gram)
        found: dict[str, tuple[int, list[Commune]]] = {}
        raw_limit = 1 if len(gram) >= 6 else 0
        towns = _approx_towns(geo)
        if french:
            # A French word is a town only as its plural ("sarcelle" for Sarcelles).
            names = [n for n in (gram + "s", gram + "x") if n in towns.keys]
        else:
            names = towns.near(len(key), limit, len(gram), raw_limit)
        for name in names:
            other, communes = towns.keys[name]
            d = distance(key, other, limit)
            if d > limit:  # else a typo that changes the sound ("creteuil")
                d = distance(gram, name, raw_limit)
                if d > raw_limit:
                    continue
            found[name] = (d, communes)
        if found:
            best = min(d for d, _ in found.values())
            names = [n for n, (d, _) in found.items() if d == best]
            if len(names) == 1:
                return size, list(found[names[0]][1])
    return None


class _ApproxTowns:
    """Names of big towns (bare, normalised) with their phonetic key and communes, and
    the names by length of name and of key: a name whose length differs by more than
    the edit limit cannot be that close."""

    def __init__(self, geo: Geo) -> None:
        self.keys: dict[str, tuple[str, list[Commune]]] = {}
        for key, communes in geo.bare_names():
            # All the communes of that name: a misspelled shared name stays ambiguous.
            big = any(c.population >= MIN_POPULATION_APPROX for c in communes)
            if big and len(key) >= 4:
                self.keys[key] = (cle_phonetique(key.replace(" ", "")), communes)
        self._by_key_length: dict[int, list[str]] = {}
        self._by_name_length: dict[int, list[str]] = {}
        for name, (key, _) in self.keys.items():
            self._by_key_length.setdefault(len(key), []).append(name)
            self._by_name_length.setdefault(len(name), []).append(name)

    def near(self, key_length: int, limit: int, name_length: int, raw_limit: int) -> list[str]:
        """Names whose key is within `limit` of `key_length` letters, or whose name is
        within `raw_limit` of `name_length` (each name once, in a fixed order)."""
        names: dict[str, None] = {}
        for length in range(key_length - limit, key_length + limit + 1):
            names.update(dict.fromkeys(self._by_key_length.get(length, ())))
        if raw_limit:
            for length in range(name_length - raw_limit, name_length + raw_limit + 1):
                names.update(dict.fromkeys(self._by_name_length.get(length, ())))
        return list(names)


@lru_cache(maxsize=8)
def _approx_towns(geo: Geo) -> _ApproxTowns:
    return _ApproxTowns(geo)


def _with_article(geo: Geo, communes: list[Commune], words: list[str], cue: str) -> list[Commune]:
    """ "au Lamentin" is Le Lamentin (972), not Lamentin (971): "au" = "à le"."""
    article = _CONTRACTED[cue]
    if words[0] in ARTICLES:
        return communes
    named = geo.by_key(f"{article} {' '.join(words)}")
    return list(named) if named else communes


def _narrow_by_departement(communes: list[Commune], following: list[str]) -> list[Commune]:
    """Keep the communes of the département written right after the name, if any."""
    if len(communes) > 1 and following:
        narrowed = [c for c in communes if c.departement.lower() == following[0]]
        if narrowed:
            return narrowed
    return communes


def departement_in(
    geo: Geo, text: str, reponse: bool = False
) -> tuple[str, tuple[int, int]] | None:
    """A département named instead of a town, and where: "dans le 93", "le 62",
    "je viens du 59", "dans le Nord", "en Seine-Saint-Denis"; with `reponse` (the text
    answers "where do you live?"), also a bare "93". None when there is none."""
    folded = normalize_name(text)
    placed = _tokens(text)
    if [t for t, _, _ in placed] != folded.split():
        placed = []
    words = folded.split()

    def span(first: int, last: int) -> tuple[int, int]:
        return (placed[first][1], placed[last][2]) if placed else (0, len(text))

    found: tuple[str, int, int] | None = None
    if reponse and (bare := _DEP_BARE_RE.fullmatch(folded)):
        found = bare["dep"], len(words) - 1, len(words) - 1
    elif match := _DEP_NUMBER_RE.search(folded):
        index = folded[: match.start("dep")].count(" ")
        found = match["dep"], index, index
    elif named := _departement_names_in(geo, words):
        first, last, code = named[0]
        found = code, first, last
    if found is None or geo.prefecture(found[0]) is None:
        return None
    return found[0].upper(), span(found[1], found[2])


def _departement_names_in(geo: Geo, words: list[str]) -> list[tuple[int, int, str]]:
    """(first word, last word, code) of each département named after a cue ("dans
    le Nord", "en Gironde", "du Pas-de-Calais"), not when the name is a commune's."""
    names = geo.departement_names()
    found = []
    i = 1
    while i < len(words):
        cue = words[i - 1]
        if cue in ARTICLES and i >= 2:
            cue = words[i - 2]
        size = 0
        if cue in _DEP_NAME_CUES:
            for n in range(min(4, len(words) - i), 0, -1):
                gram = " ".join(words[i : i + n])
                if gram in names and (gram == "nord" or gram not in STOP_WORDS):
                    if not geo.by_key(gram) and not geo.by_bare_key(gram):
                        size = n
                        found.append((i, i + n - 1, names[gram]))
                    break
        i += size or 1
    return found


def _departement_as_prefecture(
    geo: Geo, text: str, reponse: bool
) -> tuple[list[Commune], tuple[int, int] | None] | None:
    """A département alone stands for its préfecture (see `departement_in`)."""
    found = departement_in(geo, text, reponse)
    if found is None:
        return None
    # "doudelainville dans le 80": a commune of the département named beside it.
    rest = text
    if found[1] is not None:  # not the words of the département: "Pas-de-Calais"
        rest = text[: found[1][0]] + " " + text[found[1][1] :]
    named = _named_in(geo, rest, lambda c: c.departement == found[0])
    if named:
        return named, found[1]
    prefecture = geo.prefecture(found[0])
    return ([prefecture], found[1]) if prefecture else None


def _named_in(geo: Geo, text: str, keep: Callable[[Commune], bool]) -> list[Commune]:
    """Communes named exactly in `text` (any size, no cue needed) that `keep` accepts:
    the longest name first."""
    tokens = normalize_name(text).split()
    for size in range(min(MAX_NGRAM, len(tokens)), 0, -1):
        for start in range(len(tokens) - size + 1):
            gram = " ".join(tokens[start : start + size])
            if len(gram) < 3 or gram in STOP_WORDS or gram.isdigit():
                continue
            found = geo.by_key(gram) or geo.by_bare_key(strip_article(gram))
            kept = [c for c in found or [] if keep(c)]
            if kept:
                return kept
    return []
