"""Personal data the assistant never needs (phone, e-mail, social security number, street
address, name), masked in a message before Rasa stores or logs it.

Every channel calls `mask()` on the typed text before building the Rasa message, and adds
`masking_note()` (a domain response) to the answer when something was masked.

The patterns run on untrusted text of any length, so each one is built to take time linear
in that length: every repetition is bounded or made of characters the next part of the
pattern cannot start with (a run of spaces before a digit, a word before a dot), so the
engine never has more than a few ways to match from one position, and patterns that could
start inside a run (e-mails) refuse to start anywhere but at its beginning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Order matters: the social security number (15 digits) before the phone numbers.
_NIR = re.compile(
    r"(?<![\w])[12][ .]?\d{2}[ .]?(?:0[1-9]|1[0-2]|[2-9]\d)[ .]?(?:\d{2}|2[AB])[ .]?"
    r"\d{3}[ .]?\d{3}(?:[ .]?\d{2})?(?![\w])",
    re.IGNORECASE,
)

# E-mails, also written out: "kevin point dupont arobase gmail point com",
# "kevin.dupont at gmail.com", "kevin(at)gmail(dot)com", "kevin @ gmail . com".
_BLANK = r"[ \t\u00a0\u202f]"
_AT = (
    rf"(?:{_BLANK}{{0,3}}@{_BLANK}{{0,3}}"
    rf"|{_BLANK}{{0,3}}[(\[{{<]{_BLANK}{{0,2}}(?:at|@|arr?obase?s?){_BLANK}{{0,2}}[)\]}}>]"
    rf"{_BLANK}{{0,3}}"
    rf"|{_BLANK}{{1,3}}(?:at|arr?obase?s?){_BLANK}{{1,3}})"
)
# A dot written as a word ("point", "dot", "(dot)", "[.]"); a plain "." is added where fit.
_DOT_WORD = (
    rf"(?:{_BLANK}{{0,3}}[(\[{{<]{_BLANK}{{0,2}}(?:dot|point|\.){_BLANK}{{0,2}}[)\]}}>]"
    rf"{_BLANK}{{0,3}}|{_BLANK}{{1,3}}(?:dot|point){_BLANK}{{1,3}})"
)
_SPACED_DOT = rf"(?:{_BLANK}{{1,3}}\.{_BLANK}{{0,3}}|\.{_BLANK}{{1,3}})"
# After a dot written with words or spaces, only a known top-level domain ends the address
# ("gmail point com", not "emploi @ Lille. Je ..."), in lower case after a spaced "."
# ("kevin @ gmail . com", not "kevin@gmail.com. De plus").
_TLD = (
    r"(?:com|fr|net|org|eu|be|ch|lu|ca|info|biz|io|me|co|uk|de|es|it|pt|nl|re|gp|mq|gf|yt"
    r"|nc|pf|pm|ma|dz|tn|sn|ci|cm|ht|edu|gouv|tech|dev|app|xyz|online)(?![\w-])"
)
_EMAIL = re.compile(
    # The local part starts where a run of its characters starts, never inside: linear on
    # "a.a.a.a..." runs (each run is tried once, not from each of its characters).
    rf"(?<![\w.+-])[\w.+-]+(?:{_DOT_WORD}[\w.+-]+){{0,32}}"
    rf"{_AT}"
    rf"[\w-]+(?:(?:\.|{_DOT_WORD}|{_SPACED_DOT})[\w-]+){{0,10}}"
    rf"(?:\.[\w-]+|{_DOT_WORD}{_TLD}|{_SPACED_DOT}(?-i:{_TLD}))",
    re.IGNORECASE,
)

# French numbers in pairs, glued or with the same one to three spaces, dots, dashes or
# slashes between all pairs ("06/12/34/56/78", "06  12  34  56  78", "06 - 12 - 34 - 56 - 78"),
# or with at most one space, dot or dash between pairs ("06 1234 5678"): a date with a time
# ("le 01/02/2026 14h") is not a phone number. Other countries' numbers after "+".
_GAP = r"[ \t\u00a0\u202f./-]{0,3}"
_PHONE = re.compile(
    rf"(?<![\w+])(?:(?:\+|00){_GAP}33{_GAP}(?:\(0\){_GAP}|0)?[1-9]|0[1-9])"
    r"(?:(?P<gap>[ \t\u00a0\u202f./-]{0,3})\d{2}(?:(?P=gap)\d{2}){3}|(?:[ .-]?\d{2}){4})(?!\d)"
    r"|(?<![\w+])\+\d{1,3}(?:[ .-]?\d){6,12}(?!\d)"
)
_STREET_TYPES = (
    r"rue|avenue|av|boulevard|bd|bld|chemin|impasse|all[ée]e|place|pl|route|rte|quai|cours"
    r"|square|r[ée]sidence|lotissement|cit[ée]|hameau|voie|sentier|passage|faubourg|fbg"
)
_STOP_WORDS = r"à|a|au|sur|dans|et|pour|mais|je|j|en|vers|pr[èe]s|ou|donc|car|c|cp|code"
_ADDRESS = re.compile(
    rf"(?<![\w])\d{{1,4}}(?:[ ]?(?:bis|ter|b|t))?,?[ ]+(?:{_STREET_TYPES})\.?"
    rf"(?:[ ]+(?!(?:{_STOP_WORDS})\b)[^\W\d_][\w'’-]*){{1,6}}",
    re.IGNORECASE,
)
_NAME = re.compile(
    r"(\b(?:je[ ]?m['’ ]?appel+e?|j['’]?m['’ ]?appel+e?|mon (?:pr[ée])?nom(?: de famille)?"
    r" (?:c['’ ]?est|est))[ ]+)"
    r"([^\W\d_][\w'’-]*(?:[ ]+[A-ZÀ-Ý][\w'’-]*)?)",
    re.IGNORECASE,
)

# Names introduced without "je m'appelle": "moi c'est Kevin Dupont", "je suis Kevin",
# "ici c'est Kevin", "c'est Kevin" at the start of a message (after a greeting or not).
_INTRO = re.compile(
    r"(?i:(?P<moi>\bmoi,?[ ]{1,3}c(?:['’][ ]?est|[ ]?est|é)?(?![\w'’]))"
    r"|(?P<ici>\bici,?[ ]{1,3}c(?:['’][ ]?est|[ ]?est)(?![\w'’]))"
    r"|(?P<suis>\b(?:je[ ]{1,3}suis|j['’]?[ ]?suis|jsuis?|chuis|chui)(?![\w'’]))"
    r"|(?P<debut>\A[ \t]{0,5}(?:(?:bonjour|bonsoir|salut|slt|bjr|coucou|cc|hello|hey|hi|yo"
    r"|allo|allô|re)(?![\w'’])[ \t,!.]{0,5})?c['’ ]?est(?![\w'’])))"
)
# "chez moi c'est Roubaix", "pour moi c'est Simplon": a place or an opinion, not a name.
_NOT_MOI = re.compile(r"(?i:(?<![\w])(?:chez|ch[ée]|chai|pour|selon)[ ,]{1,3})\Z")
_UPPER = "A-ZÀ-ÖØ-ÞŒ"
_LOWER = "a-zß-öø-ÿœ"
_CAPITALISED = re.compile(rf"[{_UPPER}][{_LOWER}]+(?:[-'’][{_UPPER}][{_LOWER}]+)*(?![\w'’])")
_SURNAME = re.compile(
    rf"[ ]{{1,3}}([{_UPPER}][{_LOWER}]+(?:[-'’][{_UPPER}][{_LOWER}]+)*"
    rf"|[{_UPPER}]{{2,}}(?:-[{_UPPER}]{{2,}})*)(?![\w'’])"
)
_LOWER_WORD = re.compile(rf"[{_LOWER}]{{2,}}(?:-[{_LOWER}]{{2,}})*(?![\w'’])")
_SPACES = re.compile(r"[ ]{1,3}")
# "moi c'est le dev web qui m'intéresse", "c'est Simplon qui organise ?", "c'est Lille ?":
# a cleft sentence or a question, not someone saying who they are.
_NOT_AN_INTRO = re.compile(r"[ ,]{0,3}(?:\?|(?i:qu(?:i|e)(?![\w'’])|qu['’]|dont(?![\w'’])))")
# Words that follow "je suis" / "moi c'est" / "c'est" without being a name, even when
# capitalised: grammar words, situations, states and the assistant's own fields.
NOT_NAMES: frozenset[str] = frozenset(
    """
    le la les l un une des de du d au aux a à en dans sur sous chez pour par avec sans vers
    près pres et ou où mais donc car ni que qui quoi quel quelle comment combien pourquoi
    quand si ce cet cette ces ça ca cela ceci mon ma mes ton ta tes son sa ses notre nos votre
    vos leur leurs moi toi lui elle nous vous eux elles on il ils je tu y ne n pas plus
    jamais rien tout tous toute toutes très tres trop bien mal vraiment juste encore déjà
    deja toujours aussi plutôt plutot surtout seulement actuellement ici là oui non ok okay
    bon bonne pareil même meme comme vers environ presque peut saint sainte st ste
    demandeur demandeuse étudiant étudiante etudiant etudiante lycéen lycéenne lyceen
    lyceenne collégien collegien salarié salariée salarie retraité retraitée retraite
    intérimaire interimaire inscrit inscrite chômeur chômeuse chomeur chomeuse apprenti
    apprentie alternant alternante stagiaire titulaire bénéficiaire beneficiaire allocataire
    agent employé employée employe ouvrier ouvrière indépendant independant auto freelance
    déscolarisé déscolarisée descolarise licencié licenciée licencie diplômé diplômée diplome
    sorti sortie parent mère mere père pere maman papa femme homme fille garçon garcon
    jeune majeur majeure mineur mineure âgé âgée age agee né née ne nee perdu perdue paumé
    paumée paume motivé motivée motive prêt prête pret prete intéressé intéressée interesse
    passionné passionnée passionne curieux curieuse nouveau nouvelle seul seule handicapé
    handicapée handicape reconnu reconnue français française francais francaise étranger
    étrangère etranger célibataire celibataire enceinte malade fatigué fatiguée fatigue nul
    nulle fort forte bloqué bloquée bloque dispo disponible libre mobile occupé occupée
    debutant débutant débutante novice payant payante gratuit gratuite possible loin long
    longue dur difficile facile mieux pire super cool top génial genial parfait noté note
    clair compris vrai fini dommage sûr sure certain sûre
    rsa cap bac bts but dut cdi cdd rqth afpa
    dev développeur développeuse developpeur développement developpement web data design
    designer graphisme graphiste cyber cybersécurité cybersecurite réseau réseaux reseau
    reseaux informatique info code codage programmation jeux jeu marketing communication
    support technicien technicienne admin administrateur
    """.split()
)

PLACEHOLDERS = {
    "nir": "[numéro de sécu masqué]",
    "email": "[e-mail masqué]",
    "telephone": "[téléphone masqué]",
    "adresse": "[adresse masquée]",
    "nom": "[prénom masqué]",
}


@dataclass(frozen=True)
class Masking:
    """The text to store and the kinds of personal data that were masked in it."""

    text: str
    kinds: tuple[str, ...] = ()


def _is_name(word: str) -> bool:
    return word.lower() not in NOT_NAMES


def _introduced_name(text: str, start: int, lower_case: bool) -> tuple[int, int] | None:
    """Span of the name right after an introduction ending at `start`, if any."""
    spaces = _SPACES.match(text, start)
    if spaces is None:
        return None
    begin = spaces.end()
    first = _CAPITALISED.match(text, begin)
    if first is not None and _is_name(first.group()):
        end = first.end()
        for _ in range(2):  # surnames: "Kevin Dupont", "Kevin DUPONT", "Marie Dupont Durand"
            surname = _SURNAME.match(text, end)
            if surname is None or not _is_name(surname.group(1)):
                break
            end = surname.end()
    elif lower_case:  # "moi c'est kevin dupont": a first name and a surname, lower case
        first = _LOWER_WORD.match(text, begin)
        if first is None or not _is_name(first.group()):
            return None
        spaces = _SPACES.match(text, first.end())
        second = _LOWER_WORD.match(text, spaces.end()) if spaces else None
        if second is None or not _is_name(second.group()):
            return None
        end = second.end()
    else:
        return None
    if _NOT_AN_INTRO.match(text, end):
        return None
    return begin, end


def _mask_introduced_names(text: str) -> tuple[str, int]:
    """Masks names after "moi c'est", "je suis", "ici c'est" and a first "c'est"."""
    parts: list[str] = []
    done = 0
    found = 0
    position = 0
    while (intro := _INTRO.search(text, position)) is not None:
        position = intro.end()
        if intro.group("moi") and _NOT_MOI.search(text, max(0, intro.start() - 12), intro.start()):
            continue
        lower_case = (intro.group("moi") or "").lower().endswith("est")  # not "moi c", "moi cé"
        span = _introduced_name(text, intro.end(), lower_case)
        if span is None:
            continue
        parts += [text[done : span[0]], PLACEHOLDERS["nom"]]
        done = position = span[1]
        found += 1
    return "".join([*parts, text[done:]]), found


def mask(text: str) -> Masking:
    """Masks phone numbers, e-mails, social security numbers, street addresses and names;
    ages, postcodes, years, durations, amounts, training names and towns are kept.

    Phone numbers: French ones in pairs of digits, glued or with the same one to three
    spaces, dots, dashes or slashes between all pairs ("06/12/34/56/78", "06  12  34  56  78",
    "+33 6 12 34 56 78"), or at most one space, dot or dash between pairs ("06 1234 5678");
    other countries' after "+". E-mails: also written out, "arobase"/"at"/"(at)"/" @ " with
    "point"/"dot"/"(dot)"/" . " ("kevin point dupont arobase gmail point com"); after a dot
    written out, the address must end with a known top-level domain.

    Names, the rule: always after "je m'appelle" / "mon nom c'est". After "moi c'est" (also
    "moi c", "moi cé"), "je suis" (also "jsuis", "chuis"), "ici c'est", and "c'est" opening
    the message (after a greeting or not), a capitalised word ("Kevin", "Jean-Pierre") with up
    to two capitalised or upper-case surnames ("Dupont", "DUPONT") is a name, unless it is
    one of `NOT_NAMES` (grammar words, situations such as "Demandeur", "Perdu", "Titulaire",
    and the assistant's fields such as "Dev", "Data"). After "moi c'est" only (not "moi c",
    as in "moi c la rochelle"), two lower-case words that are not in `NOT_NAMES` are a first
    name and a surname ("moi c'est kevin dupont"); one lower-case word is kept ("moi c'est
    informatique"), and so is any lower-case word after "je suis" ("je suis perdu", "je suis
    en terminale"). Not a name either: a cleft sentence or a question ("moi c'est le dev web
    qui m'intéresse", "c'est Simplon qui organise", "c'est Lille ?"), "chez moi c'est
    Roubaix", "pour moi c'est ...". Without a list of first names some cases stay ambiguous:
    "c'est Lille" opening a message is masked like "c'est Kevin", "moi c'est clermont
    ferrand" like "moi c'est kevin dupont", and a single lower-case name ("moi c kevin") or a
    name later in the message ("... merci. C'est Kevin") is kept.
    """
    kinds: list[str] = []

    def replace(kind: str, pattern: re.Pattern[str], value: str) -> str:
        def sub(match: re.Match[str]) -> str:
            kinds.append(kind)
            if kind == "nom":
                return match.group(1) + PLACEHOLDERS[kind]
            return PLACEHOLDERS[kind]

        return pattern.sub(sub, value)

    for kind, pattern in (
        ("nir", _NIR),
        ("email", _EMAIL),
        ("telephone", _PHONE),
        ("adresse", _ADDRESS),
        ("nom", _NAME),
    ):
        text = replace(kind, pattern, text)
    text, names = _mask_introduced_names(text)
    if names:
        kinds.append("nom")
    return Masking(text, tuple(dict.fromkeys(kinds)))


def masking_note(responses: Mapping[str, list[dict[str, Any]]], kinds: tuple[str, ...]) -> str:
    """The kind French note (`utter_donnee_masquee`) naming what was masked."""
    labels = ", ".join(str(responses[f"libelle_donnee_{k}"][0]["text"]) for k in kinds)
    return str(responses["utter_donnee_masquee"][0]["text"]).format(donnees=labels)
