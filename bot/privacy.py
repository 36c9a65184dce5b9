"""Personal data the assistant never needs (phone, e-mail, social security number, street
address, name), masked in a message before Rasa stores or logs it.

Every channel calls `mask()` on the typed text before building the Rasa message, and adds
`masking_note()` (a domain response) to the answer when something was masked.
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
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)[ .]?33[ .]?(?:\(0\)[ .]?)?[1-9]|0[1-9])(?:[ .-]?\d{2}){4}(?!\d)"
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


def mask(text: str) -> Masking:
    """Masks phone numbers, e-mails, social security numbers, street addresses and names
    introduced by "je m'appelle"; ages, postcodes and town names are kept."""
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
    return Masking(text, tuple(dict.fromkeys(kinds)))


def masking_note(responses: Mapping[str, list[dict[str, Any]]], kinds: tuple[str, ...]) -> str:
    """The kind French note (`utter_donnee_masquee`) naming what was masked."""
    labels = ", ".join(str(responses[f"libelle_donnee_{k}"][0]["text"]) for k in kinds)
    return str(responses["utter_donnee_masquee"][0]["text"]).format(donnees=labels)
