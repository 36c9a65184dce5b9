"""Distance learning and the distance the person accepts to travel."""

from __future__ import annotations

import re

from bot.profil.motifs import has_any
from bot.texte import normalize

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
    if has_any(norm, remote):
        return not has_any(norm, _REMOTE_REFUSED)
    if has_any(norm, (r"presentiel", r"sur place")):
        return False
    if expecting:
        if has_any(norm, (r"oui", r"ouais", r"ok", r"d accord", r"carrement", r"pourquoi pas")):
            return True
        if has_any(norm, (r"non", r"nan", r"pas trop", r"bof")):
            return False
    return None


def parse_rayon_km(text: str) -> int | None:
    """Largest distance accepted, from "50 km max", "pas plus de 10 km"."""
    norm = normalize(text)
    match = re.search(r"(\d{1,4})\s*(?:km|kilometres?|kms)(?![a-z])", norm)
    return int(match.group(1)) if match else None
