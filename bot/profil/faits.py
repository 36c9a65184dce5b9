"""Every profile fact of one message: the parsers of `bot.profil` composed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.profil.age import age_is_plausible, find_age, parse_age
from bot.profil.diplome import find_diplome, parse_diplome
from bot.profil.distance import parse_distanciel, parse_rayon_km
from bot.profil.interets import parse_interets
from bot.profil.situation import find_situation, parse_situation
from bot.texte import normalize


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
