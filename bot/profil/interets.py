"""The interest domains a person names or describes (the contract's `DOMAINES`): "le
code", "réparer des ordis", "les réseaux sociaux"... The phrases are in
`knowledge/lexique/interets.yml`; a refused domain ("pas le dev") is left out."""

from __future__ import annotations

import re

from bot import lexique
from bot.contract import DOMAINES
from bot.profil.motifs import Trouve, find_all, preceded_by, without_overlaps
from bot.texte import normalize

_INTERETS = lexique.interets()
# "l'informatique", "le numérique" alone stand for these domains.
GENERIC_IT_DOMAINS: tuple[str, ...] = _INTERETS.domaines_generaux
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
    found = [t for code, pats in _INTERETS.motifs.items() for t in find_all(norm, code, pats)]
    first: dict[str, Trouve] = {}
    for t in without_overlaps(found):
        negated = preceded_by(norm, t, _INTERET_NEGATED_BEFORE) or _INTERET_NEGATED_AFTER.search(
            norm[t.fin :]
        )
        if (
            negated
            or preceded_by(norm, t, _DIPLOMA_SUBJECT_BEFORE)
            or preceded_by(norm, t, _JOB_HELD_BEFORE)
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
    for t in find_all(norm, "it", _INTERETS.informatique_generale):
        negated = preceded_by(norm, t, _INTERET_NEGATED_BEFORE) or _INTERET_NEGATED_AFTER.search(
            norm[t.fin :]
        )
        if not negated:
            return True
    return False
