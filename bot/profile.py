"""Turn what a person writes into canonical profile values (see `bot.contract`).

Pure functions, no Rasa: each parser takes a message and returns a canonical value or
None when the message says nothing about that fact. They work on a normalised copy of
the text (lowercase, no accents, SMS spellings expanded) and never guess: a vague
answer stays None so that the assistant asks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.contract import DOMAINES

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
    "o": "au",
    "pa": "pas",
    "dpui": "depuis",
    "dpuis": "depuis",
    "ds": "dans",
    "ns": "nous",
    "jveu": "je veux",
    "jveux": "je veux",
    "veu": "veux",
    "fer": "faire",
    "fr": "faire",
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
    "ordi": "ordinateur",
    "ordis": "ordinateurs",
    "info": "informatique",
    "taf": "travail",
    "boulot": "travail",
    "chomdu": "chomage",
    "chomeur": "chomage",
    "chomeuse": "chomage",
    "apli": "appli",
    "aplis": "applis",
    "ki": "qui",
    "mwa": "moi",
    "moa": "moi",
    "an": "ans",
}

_NUMBER_WORDS = {
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
    "dix sept": 17,
    "dix huit": 18,
    "dix neuf": 19,
    "vingt": 20,
    "vingt et un": 21,
    "vingt deux": 22,
    "vingt trois": 23,
    "vingt quatre": 24,
    "vingt cinq": 25,
    "vingt six": 26,
    "vingt sept": 27,
    "vingt huit": 28,
    "vingt neuf": 29,
    "trente": 30,
}

AGE_MIN, AGE_MAX = 14, 99


def strip_accents(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize(text: str) -> str:
    """Lowercase, strip accents and punctuation, expand SMS words, squeeze letter runs."""
    text = strip_accents(text.lower())
    text = re.sub(r"[’'`]", " ", text)
    text = re.sub(r"([a-z])\1{2,}", r"\1", text)  # "ouiiii" -> "oui"
    text = re.sub(r"bac\s*\+\s*(\d)", r"bac+\1", text)
    text = re.sub(r"[^a-z0-9+ ]", " ", text)
    words = [SMS_WORDS.get(w, w) for w in text.split()]
    return " ".join(words)


def _has(norm: str, patterns: tuple[str, ...]) -> bool:
    return any(re.search(rf"(?<![a-z0-9]){p}(?![a-z0-9])", norm) for p in patterns)


def first_match(norm: str, patterns: Iterable[str]) -> tuple[int, int] | None:
    """(start, end) of the earliest whole-word match of any pattern in a normalised text."""
    found = [
        (m.start(), -m.end())
        for p in patterns
        if (m := re.search(rf"(?<![a-z0-9]){p}(?![a-z0-9])", norm))
    ]
    if not found:
        return None
    start, neg_end = min(found)
    return start, -neg_end


def patterns_of(slot: str, code: str) -> tuple[str, ...]:
    """The patterns that recognise one canonical value of "situation", "diplome" or
    "interets" (used to locate it in the message)."""
    tables: dict[str, dict[str, tuple[str, ...]]] = {
        "situation": dict(_SITUATION_PATTERNS),
        "diplome": dict(_DIPLOME_PATTERNS),
        "interets": _INTERET_PATTERNS,
    }
    return tables[slot].get(code, ())


# --- age ---------------------------------------------------------------------------


def find_age(norm: str) -> tuple[int, int, int] | None:
    """(age, start, end) of an age stated in a normalised message ("19 ans",
    "dix neuf ans"), not a duration ("depuis 2 ans"); None when there is none."""
    # "depuis 2 ans", "il y a 3 ans" are durations, not ages.
    duration = r"(?:depuis|pendant|il y a|ca fait|fait|pour|dans|en) (?:deja |plus de |environ )?"

    def is_duration(start: int, end: int) -> bool:
        # "depuis 2 ans", "en 2 ans" before; "2 ans de chomage", "2 ans d experience" after.
        return bool(re.search(duration + r"$", norm[:start]) or re.match(r" de? ", norm[end:]))

    for match in re.finditer(r"(?<![0-9+])(\d{1,3})\s*ans(?![a-z])", norm):
        if not is_duration(match.start(), match.end()):
            return int(match.group(1)), match.start(), match.end()
    for words, value in sorted(_NUMBER_WORDS.items(), key=lambda kv: -len(kv[0])):
        found = re.search(rf"(?<![a-z]){words} ans(?![a-z])", norm)
        if found and not is_duration(found.start(), found.end()):
            return value, found.start(), found.end()
    return None


def parse_age(text: str, expecting_age: bool = False) -> int | None:
    """Age in years from "j'ai 19 ans", "dix-neuf ans", or a bare "19" when asked.

    Returns the number even when implausible so that the caller can say so;
    returns None when the message states no age.
    """
    norm = normalize(text)
    found = find_age(norm)
    if found is not None:
        return found[0]
    if expecting_age:
        bare = re.fullmatch(r"\s*(?:j ai\s+)?(\d{1,3})\s*", norm)
        if bare:
            return int(bare.group(1))
        for words, value in sorted(_NUMBER_WORDS.items(), key=lambda kv: -len(kv[0])):
            if norm.strip() == words:
                return value
    return None


def age_is_plausible(age: float) -> bool:
    return AGE_MIN <= age <= AGE_MAX


# --- situation ---------------------------------------------------------------------

_SITUATION_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "demandeur_emploi",
        (
            r"chomage",
            r"sans emploi",
            r"sans travail",
            r"pas de travail",
            r"cherche (?:du |un )?(?:travail|job|emploi)",
            r"recherche d emploi",
            r"demandeu(?:r|se) d emploi",
            r"inscrite? (?:a|au|chez) (?:france travail|pole emploi|la mission locale)",
            r"(?:france travail|pole emploi)",
            r"rsa",
            r"au rsa",
            r"sans boulot",
            r"licenciee?",
            r"fin de contrat",
        ),
    ),
    (
        "decrocheur",
        (
            r"arrete (?:l |le |la |les |mes |en |au |apres )?"
            r"(?:ecole|lycee|college|fac|etudes|cours|"
            r"seconde|premiere|terminale|3e|troisieme|cap|bac|bts|l1|l2)",
            r"(?:lache|quitte|abandonne|laisse tomber) (?:l |le |la |les |mes )?"
            r"(?:ecole|lycee|college|fac|etudes|cours|bts|cap|bac)",
            r"decroche",
            r"decrocheu(?:r|se)",
            r"deco(?:le|lage)",
            r"plus (?:a l |a |en )?(?:ecole|lycee|cours)",
            r"sorti(?:e)? (?:de l |du )?(?:ecole|systeme scolaire|lycee)",
            r"viree? du lycee",
            r"exclue? du lycee",
            r"rien depuis (?:le|l) (?:lycee|college|ecole)",
        ),
    ),
    (
        "salarie",
        (
            r"salariee?",
            r"je (?:bosse|travaille)",
            r"en cdi",
            r"en cdd",
            r"en interim",
            r"j ai un (?:travail|job|emploi)",
            r"en poste",
            r"reconversion",
            r"changer de (?:metier|travail)",
        ),
    ),
    (
        "etudiant",
        (
            r"etudiante?",
            r"lyceen(?:ne)?",
            r"en (?:seconde|premiere|terminale|3e|troisieme|licence|bts|but|dut)",
            r"a la fac",
            r"a l universite",
            r"je suis (?:au|en) (?:lycee|college|fac)",
            r"eleve",
        ),
    ),
)


def parse_situation(text: str) -> str | None:
    """Canonical situation code, or None when the message does not state one."""
    norm = normalize(text)
    for code, patterns in _SITUATION_PATTERNS:
        if _has(norm, patterns):
            return code
    return None


# --- diploma -----------------------------------------------------------------------

_DIPLOME_PATTERNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "aucun",
        (
            r"(?:pas|aucun|sans|zero) (?:de |d )?diplome",
            r"j ai (?:aucun|pas de|rien comme) diplome",
            r"pas (?:eu )?(?:le |mon )?brevet",
        ),
    ),
    (
        "bac_plus_3",
        (r"bac\+[3-8]", r"licence", r"master", r"doctorat", r"bachelor", r"(?:un|mon|le|en) but"),
    ),
    ("bac_plus_2", (r"bac\+2", r"bts", r"dut", r"deug")),
    ("bac", (r"(?:le |mon |un |j ai )?bac(?: pro| general| techno| s| es| l| stmg| sti2d)?",)),
    ("cap_bep", (r"cap", r"bep", r"cap bep", r"titre pro")),
    ("brevet", (r"brevet", r"dnb")),
)
_NO_BAC = (
    r"(?:pas|jamais eu|rate|loupe|echoue a) (?:le |mon |de |d )?bac",
    r"sans (?:le )?bac",
)


def parse_diplome(text: str, expecting: bool = False) -> str | None:
    """Highest diploma, or None when unknown ("pas le bac" alone does not decide).

    A bare "aucun" / "rien" counts only as an answer to the diploma question.
    """
    norm = normalize(text)
    if _has(norm, _DIPLOME_PATTERNS[0][1]):
        return "aucun"
    no_bac = _has(norm, _NO_BAC)
    for code, patterns in _DIPLOME_PATTERNS[1:]:
        if code == "bac" and no_bac:
            continue
        if _has(norm, patterns):
            return code
    # A bare "aucun"/"non" answers the question only when it is the whole answer
    # ("non en fait j'ai 18 ans" corrects something else; "pas de bac" leaves CAP open).
    bare_none = r"(?:non|nan|aucun|rien|pas de|pas d|j en ai pas|j ai rien)"
    bare_none += r"(?: diplome)?(?: du tout)?"
    if expecting and not no_bac and re.fullmatch(bare_none, norm.strip()):
        return "aucun"
    return None


# --- interests ---------------------------------------------------------------------

_INTERET_PATTERNS: dict[str, tuple[str, ...]] = {
    "developpement": (
        r"code",
        r"coder",
        r"codage",
        r"programm\w*",
        r"dev",
        r"developp\w*",
        r"faire des (?:sites|applis|applications|jeux)",
        r"creer des (?:sites|applis|applications|jeux)",
        r"sites? (?:web|internet)",
        r"web",
        r"full ?stack",
        r"front ?end",
        r"back ?end",
        r"javascript",
        r"python",
        r"php",
        r"java",
        r"applis?",
        r"applications? mobiles?",
        r"jeux? videos?",
    ),
    "test_logiciel": (r"test\w*", r"bugs?", r"qualite logiciel\w*", r"\bqa\b"),
    "reseaux_systemes": (
        r"reseaux? informatiques?",
        r"reseaux?(?! sociaux)",
        r"serveurs?",
        r"systemes? (?:informatiques?|d information|d exploitation)",
        r"admin\w* (?:sys|reseau)\w*",
        r"cables?",
        r"cloud",
        r"linux",
        r"telecoms?",
    ),
    "support_informatique": (
        r"repar\w* (?:des |les )?(?:ordinateurs?|pc|telephones?|materiel)",
        r"depann\w*",
        r"maintenance",
        r"support",
        r"help ?desk",
        r"hardware",
        r"materiel informatique",
        r"monter des (?:pc|ordinateurs)",
        r"installer des (?:pc|ordinateurs|logiciels)",
    ),
    "cybersecurite": (r"cyber\w*", r"securite", r"hack\w*", r"pirat\w*", r"hacker"),
    "data": (
        r"data",
        r"donnees",
        r"statistiques?",
        r"chiffres",
        r"ia",
        r"intelligence artificielle",
    ),
    "design": (
        r"design\w*",
        r"graphi\w*",
        r"dessin\w*",
        r"ux",
        r"ui",
        r"maquettes?",
        r"3d",
        r"animation",
        r"illustrat\w*",
        r"photoshop",
        r"figma",
        r"videos?",
        r"montage",
    ),
    "communication_digitale": (
        r"reseaux sociaux",
        r"insta\w*",
        r"tiktok",
        r"snap\w*",
        r"youtube",
        r"community manag\w*",
        r"communication",
        r"marketing",
        r"influence\w*",
        r"contenus?",
        r"journalisme",
    ),
    "mediation_numerique": (
        r"aider (?:les )?(?:gens|personnes|autres)",
        r"mediat\w*",
        r"accompagner (?:les )?(?:gens|personnes)",
        r"former (?:les )?(?:gens|personnes)",
        r"social",
        r"enseigner (?:le|l) (?:numerique|informatique)",
        r"personnes agees",
    ),
}
_GENERIC_IT = (r"informatique", r"numerique", r"ordinateurs?", r"tech", r"digital")
GENERIC_IT_DOMAINS: tuple[str, ...] = ("developpement", "support_informatique", "reseaux_systemes")


def parse_interets(text: str) -> list[str]:
    """Interest domain codes named or described in the message (possibly several)."""
    norm = normalize(text)
    found = [code for code, patterns in _INTERET_PATTERNS.items() if _has(norm, patterns)]
    # "video" alone means design unless it is about video games.
    if (
        "design" in found
        and _has(norm, (r"jeux? videos?",))
        and not _has(norm, tuple(p for p in _INTERET_PATTERNS["design"] if p != r"videos?"))
    ):
        found.remove("design")
    if not found and _has(norm, _GENERIC_IT):
        found = list(GENERIC_IT_DOMAINS)
    return [code for code in DOMAINES if code in found]


# --- distance learning and radius -------------------------------------------------


def parse_distanciel(text: str, expecting: bool = False) -> bool | None:
    """True/False when the person says whether distance learning suits them."""
    norm = normalize(text)
    remote = (r"a distance", r"en ligne", r"distanciel", r"visio", r"depuis chez moi")
    if _has(norm, remote):
        negative = (r"pas (?:a distance|en ligne|en distanciel|en visio)", r"deteste")
        return not _has(norm, negative)
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
