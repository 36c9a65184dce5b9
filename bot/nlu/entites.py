"""Profile entities in free French: situation, diploma, age, interests and commune.

`entites_profil` runs the parsers of `bot.profil` (which read informal and SMS French) and
the commune lookup of `bot.geo` (every real commune name and postcode), and locates each
value in the original message: entities carry the canonical value and point at what the
person wrote. `ExtracteurProfil` puts them in the Rasa NLU pipeline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.geo import Commune, Geo, normalize_name, strip_article
from bot.lieux import locate, without_place_names
from bot.memo import per_message
from bot.nlu.alignement import TexteAligne
from bot.orthographe import strip_accents
from bot.profil.age import find_age
from bot.profil.diplome import find_diplome
from bot.profil.interets import find_interets
from bot.profil.situation import find_situation

EXTRACTOR_NAME = "ExtracteurProfil"


@dataclass(frozen=True)
class Entite:
    entity: str
    value: str
    start: int
    end: int

    def as_rasa(self, text: str) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "value": self.value,
            "start": self.start,
            "end": self.end,
            "text": text[self.start : self.end],
            "confidence_entity": 1.0,
            "extractor": EXTRACTOR_NAME,
        }


def _located(aligned: TexteAligne, slot: str, value: str, span: tuple[int, int] | None) -> list:
    if span is None:
        return []
    original = aligned.span(*span)
    return [] if original is None else [Entite(slot, value, *original)]


def _commune_span(text: str, communes: list[Commune]) -> tuple[int, int] | None:
    """Where the commune (its postcode or its name) is written in the original text."""
    folded = strip_accents(text.lower())
    if len(folded) != len(text):
        return None
    for commune in communes:
        for code in commune.codes_postaux:
            if m := re.search(rf"(?<!\d){code}(?!\d)", folded):
                return m.start(), m.end()
    for commune in communes:
        key = normalize_name(commune.nom)
        for variant in dict.fromkeys((key, strip_article(key))):
            words = [
                "(?:saint|st)" if w == "saint" else "(?:sainte|ste)" if w == "sainte" else w
                for w in variant.split()
            ]
            pattern = r"(?<![a-z0-9])" + r"[^a-z0-9]+".join(words) + r"(?![a-z0-9])"
            if m := re.search(pattern, folded):
                return m.start(), m.end()
    return None


# Intents whose job names ("c'est quoi un développeur web ?") are not the person's interests.
SANS_INTERETS = frozenset({"question_metier"})
# ... when the message asks about the job: a job named alone ("data analyst", "technicien
# de maintenance") answers "what would you like?", whatever the classifier guessed.
_QUESTION = re.compile(
    r"(?<![a-z])(?:quoi|quel|quelle|quels|quelles|comment|difference|diff|consiste|explique"
    r"|expliquer|expliquez|decris|decrire|presente|presenter|connais|qu est ce|role|missions?"
    r"|vs|pareil|fait|font|sert|veut dire|c est un vrai)(?![a-z])"
)


def parle_du_metier(text: str, norm: str) -> bool:
    """Whether a message asks about a job ("c koi un dev", "testeur c un vrai métier ?"),
    rather than naming the job the person wants ("développeur", "data analyst")."""
    return "?" in text or bool(_QUESTION.search(norm))


@per_message()
def entites_profil(text: str, geo: Geo, intent: str | None = None) -> list[Entite]:
    """Profile entities stated in the message, in canonical values, with their place.

    `intent` (when known): no interests in a job question, whose job names are the topic.
    """
    located = locate(geo, text)
    aligned = TexteAligne(without_place_names(geo, text, found=located))
    norm = aligned.norm
    found: list[Entite] = []
    if situation := find_situation(norm):
        found += _located(aligned, "situation", situation.code, (situation.start, situation.end))
    if diplome := find_diplome(norm):
        found += _located(aligned, "diplome", diplome.code, (diplome.start, diplome.end))
    if age := find_age(norm):
        found += _located(aligned, "age", str(age[0]), (age[1], age[2]))
    sans_interets = intent in SANS_INTERETS and parle_du_metier(text, norm)
    for interet in [] if sans_interets else find_interets(norm):
        found += _located(aligned, "interets", interet.code, (interet.start, interet.end))
    if located:
        communes, written = located
        # The official name or a postcode as written; else the words that matched (a
        # nickname "tlse", a misspelling "marseil").
        span = _commune_span(text, communes) or written
        if span is not None:
            value = communes[0].nom if len(communes) == 1 else text[span[0] : span[1]]
            found.append(Entite("commune", value, *span))
    return sorted(found, key=lambda e: (e.start, e.entity))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ExtracteurProfil(GraphComponent, EntityExtractorMixin):
    """Adds the profile entities of `entites_profil` to each message."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ExtracteurProfil:
        return cls()

    @property
    def name(self) -> str:  # the `extractor` of the entities, as in the evaluation
        return EXTRACTOR_NAME

    def process(self, messages: list[Message]) -> list[Message]:
        geo = Geo.default()
        for message in messages:
            text = message.get(TEXT) or ""
            intent = message.get(INTENT)
            intent = intent.get("name") if isinstance(intent, dict) else intent
            extracted = [e.as_rasa(text) for e in entites_profil(text, geo, intent)]
            message.set(ENTITIES, [*message.get(ENTITIES, []), *extracted], add_to_output=True)
        return messages
