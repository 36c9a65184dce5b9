"""Normalised text of a message: what the profile parsers and the NLU lemmas read.

Lowercase, no accents nor punctuation, SMS spellings expanded ("jsui" -> "je suis",
`knowledge/lexique/sms.yml`), glued words split ("jai19ans" -> "j ai 19 ans"), letter
runs squeezed ("ouiiii" -> "oui") and, on request, misspelled key words corrected
("programation" -> "programmation", see `bot.orthographe.corrected`). Each normalised
word remembers where it is written, so that `bot.nlu.alignement` can point at the
person's own characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot import lexique
from bot.memo import per_message_cached
from bot.orthographe import KEY_WORDS, corrected, known_words, strip_accents

# Common SMS / informal spellings, expanded word by word after accent stripping.
SMS_WORDS = lexique.sms().mots
# SMS spellings told apart by their accent, read before accents are stripped: "lé" = les,
# "mé" = mais, "jlé" = je l'ai.
SMS_ACCENTS = lexique.sms().accents

# A message is cut into written words (runs of letters, digits and "+"); each written word
# gives one or more normalised words, and remembers where it is written.

_KEPT = re.compile(r"[a-z0-9+]")
_APOSTROPHES = "’'`"
_SQUEEZE = re.compile(r"([a-z])\1{2,}")  # "ouiiii" -> "oui"
_BAC_PLUS = re.compile(r"bac\+\d+")
# Glued words: "jai19ans" = "j'ai 19 ans", "17an" = "17 ans", "g18ans".
_GLUED_NUMBER = re.compile(
    r"(?P<tete>jai|g|jen|jenai)?(?P<nombre>\d{1,3})(?P<unite>ans?|piges?|balais)?"
)
# "jaipas", "jsuisau", "chuio": a subject and verb glued to the next small word.
_GLUED_HEADS = ("jsuis", "jsui", "chuis", "chui", "jss", "jai", "jen")
# (Not "de": "jaide" is "j'aide".)
_GLUED_TAILS = frozenset("pas pa au o a en plus pu un 1 dans ds sur rien r1 ri1".split())
_CONSONANTS = frozenset("bcdfgklmnpqrstvwxz")
_VOWELS = frozenset("aeiouy")
# After "j'" + vowel ("jaim", "jadore", "jhabite"): the verbs that are split off.
_ELIDED_VERBS = frozenset(
    "aime aimerais aimerai adore adorerais aide habite arrete abandonne avais etais etudie"
    " attends apprends ecris".split()
)
# Elided words glued to a key word: "l'", "d'", "n'", "m'".
_ELIDED = frozenset("ldnm")
# Forms of "avoir" after which "pu" is the past participle of "pouvoir" ("j'ai pu").
_AVOIR = frozenset("ai a as avons avez ont avais avait aurais aurait".split())
_ETRE = frozenset("suis es est sommes etes sont etais etait".split())


@dataclass(frozen=True)
class MotNormalise:
    """One normalised form (possibly several words: "jsuis" -> "je suis") and the
    characters of the original text it comes from."""

    forme: str
    debut: int
    fin: int


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _written_words(text: str) -> list[tuple[str, str, list[int], int]]:
    """(folded word, lowercased original, original index of each folded character, end)."""
    words: list[tuple[str, str, list[int], int]] = []
    chars: list[str] = []
    positions: list[int] = []
    start = 0
    for i, c in enumerate(text):
        if unicodedata.combining(c):
            continue  # a separate accent ("e" + U+0301) belongs to its letter
        normalised = "" if c in _APOSTROPHES else strip_accents(c.lower())
        kept = [ch for ch in normalised if _KEPT.match(ch)]
        if kept and len(kept) == len(normalised):
            if not chars:
                start = i
            chars.extend(kept)
            positions.extend([i] * len(kept))
            continue
        if chars:
            words.append(("".join(chars), _nfc(text[start:i].lower()), positions, i))
            chars, positions = [], []
    if chars:
        words.append(("".join(chars), _nfc(text[start:].lower()), positions, len(text)))
    return _merge_bac_plus(words)


def _merge_bac_plus(
    words: list[tuple[str, str, list[int], int]],
) -> list[tuple[str, str, list[int], int]]:
    """ "bac + 2", "bac+ 2", "bac +2" -> one word "bac+2"."""
    out = []
    i = 0
    while i < len(words):
        size = 0
        if words[i][0] in ("bac", "bac+"):
            for extra in (1, 2):
                parts = words[i : i + 1 + extra]
                following = words[i + 1 + extra][0] if i + 1 + extra < len(words) else ""
                if (
                    len(parts) == 1 + extra
                    and _BAC_PLUS.fullmatch("".join(w[0] for w in parts))
                    and following not in ("an", "ans", "annee", "annees")  # "bac + 1 an de fac"
                ):
                    size = 1 + extra
                    break
        if size:
            parts = words[i : i + size]
            joined = "".join(w[0] for w in parts)
            positions = [p for w in parts for p in w[2]]
            out.append((joined, "", positions, parts[-1][3]))
            i += size
        else:
            out.append(words[i])
            i += 1
    return out


def _squeezed(word: str, positions: list[int]) -> tuple[str, list[int]]:
    keep = [True] * len(word)
    for m in _SQUEEZE.finditer(word):
        for k in range(m.start() + 1, m.end()):
            keep[k] = False
    return (
        "".join(c for c, k in zip(word, keep, strict=True) if k),
        [p for p, k in zip(positions, keep, strict=True) if k],
    )


def _shifted(pieces: list[tuple[str, int, int]], offset: int) -> list[tuple[str, int, int]]:
    return [(forme, a + offset, b + offset) for forme, a, b in pieces]


def _pieces(word: str, accented: str | None, corriger: bool) -> list[tuple[str, int, int]]:
    """Normalised forms of one written word, each with the range of `word` it comes from.
    `accented`: the word as written (accents kept) when it lines up with `word`."""
    if accented is not None and accented in SMS_ACCENTS:
        return [(SMS_ACCENTS[accented], 0, len(word))]
    if word in SMS_WORDS:
        return [(SMS_WORDS[word], 0, len(word))]
    glued = _GLUED_NUMBER.fullmatch(word)
    if glued and (glued["tete"] or glued["unite"]):
        pieces = []
        for part in ("tete", "nombre", "unite"):
            if glued[part]:
                pieces += _shifted(_pieces(glued[part], None, corriger), glued.start(part))
        return pieces
    for head in _GLUED_HEADS:
        if word.startswith(head) and word[len(head) :] in _GLUED_TAILS:
            tail = _pieces(word[len(head) :], None, corriger)
            return _pieces(head, None, corriger) + _shifted(tail, len(head))
    if len(word) >= 3 and word[0] == "j" and word not in known_words():
        rest = word[1:]
        rest_accented = accented[1:] if accented is not None else None
        if word[1] in _CONSONANTS:  # "jcherche", "jboss": "je" lost its "e"
            return [("je", 0, 1), *_shifted(_pieces(rest, rest_accented, corriger), 1)]
        if word[1] == "h" and len(word) >= 4 and word[2] in _VOWELS:  # "jhabite"
            return [("j", 0, 1), *_shifted(_pieces(rest, rest_accented, corriger), 1)]
        verb = corrected(rest, short=True) if corriger else rest
        if word[1] in _VOWELS and verb in _ELIDED_VERBS:  # "jaime", "jaim"
            return [("j", 0, 1), (verb, 1, len(word))]
    if (
        len(word) >= 4
        and word[0] in _ELIDED
        and word[1] in _VOWELS | {"h"}
        and word[1:] in known_words()
        and word not in known_words()
    ):  # "linformatique", "lalternance", "dinfo": the apostrophe was left out
        return [(word[0], 0, 1), *_shifted(_pieces(word[1:], None, corriger), 1)]
    if not corriger:
        return [(word, 0, len(word))]
    if accented is not None and accented.endswith("é") and word[:-1] + "et" in KEY_WORDS:
        return [(word[:-1] + "et", 0, len(word))]  # "brevé" = "brevet"
    key_word = corrected(word)
    return [(SMS_WORDS.get(key_word, key_word), 0, len(word))]


def mots_normalises(text: str, corriger: bool = False) -> list[MotNormalise]:
    """The normalised words of a message, in order, with their place in `text`; with
    `corriger`, misspelled key words are corrected (see `_corrected`)."""
    out: list[MotNormalise] = []
    for folded, accented, positions, end in _written_words(text):
        word, starts = _squeezed(folded, positions)
        if not word:
            continue
        original = accented if len(accented) == len(folded) and word == folded else None
        for forme, a, b in _pieces(word, original, corriger):
            fin = starts[b] if b < len(word) else end
            out.append(MotNormalise(forme, starts[a], fin))
    return _contextual(out, corriger)


# Forms of "être" and "avoir" after which a verb in "-er" is a participle ("j'ai arrêter").
# "a" only after a subject: "à trouver" is an infinitive ("je galère à trouver du taf").
_AUXILIAIRES = frozenset("suis ai as ete etais etait avais avait sommes ont".split())
_SUBJECTS_OF_A = frozenset("il elle on qui".split())


def _contextual(mots: list[MotNormalise], corriger: bool) -> list[MotNormalise]:
    """Words read with their neighbours: "j'" before a consonant is "je" ("j'bosse");
    the SMS "c" ("c" = "c'est") is only "c" when the verb follows ("c'est", "c'était");
    "pu" is "plus" ("jsui pu a l'école") except as the participle of "pouvoir" ("j'ai
    pu"), and "plu" after "être" too ("jsui plu a l'école"; "ça m'a plu" stays); with
    `corriger`, a verb in "-er" after an auxiliary is the participle when that is a word
    of the parsers ("jsui licencier" = licencié, "g quitter" = quitté; not "je suis
    boulanger")."""
    out = list(mots)
    for i, mot in enumerate(out):
        before = out[i - 1].forme.split()[-1] if i else ""
        following = out[i + 1].forme if i + 1 < len(out) else ""
        if mot.forme == "j" and following[:1] in _CONSONANTS and following[:2] != "y ":
            out[i] = MotNormalise("je", mot.debut, mot.fin)  # "j'bosse", "j'cherche"
            continue
        if mot.forme in ("c est", "c etait") and following.split()[:1] in (["est"], ["etait"]):
            out[i] = MotNormalise("c", mot.debut, mot.fin)  # "c'est": "c" is not "c est" here
            continue
        if mot.forme == "plu" and before in _ETRE:
            out[i] = MotNormalise("plus", mot.debut, mot.fin)  # "jsui plu a l'école"
            continue
        if mot.forme == "pu":
            after = out[i + 1].forme.split()[0] if i + 1 < len(out) else ""
            if before not in _AVOIR or after in ("de", "d", "rien", "du", "aucun", "jamais"):
                out[i] = MotNormalise("plus", mot.debut, mot.fin)
            continue
        subject = out[i - 2].forme.split()[-1] if i > 1 else ""
        auxiliary = before in _AUXILIAIRES or (before == "a" and subject in _SUBJECTS_OF_A)
        participle = mot.forme[:-2] + "e"
        if (
            corriger
            and auxiliary
            and len(mot.forme) >= 5
            and mot.forme.endswith("er")
            and participle in known_words()
        ):
            out[i] = MotNormalise(participle, mot.debut, mot.fin)
    return out


@per_message_cached
def normalize(text: str, corriger: bool = False) -> str:
    """Lowercase, strip accents and punctuation, expand SMS words, split glued words
    ("jai19ans" -> "j ai 19 ans"), squeeze letter runs; with `corriger` (the profile
    parsers), also correct misspelled key words ("programation" -> "programmation")."""
    return " ".join(m.forme for m in mots_normalises(text, corriger))
