"""NLU pipeline component, after the fallback classifier: a message that states profile
facts is an answer to the profile questions (`informer`) when the classifier is unsure
("g 19 an chui a lyon"), hesitates between yes and no ("non j'ai un CAP", "oui j'ai le
bac") or reads a greeting ("salut j'ai 20 ans"). The last two must not depend on numeric
noise: on one machine the same model said `nier` for "non j'ai un CAP", on another
`informer`; the facts decide."""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.memo import per_message
from bot.nlu.entites import EXTRACTOR_NAME
from bot.profil.distance import parse_distanciel
from bot.selection import parse_rang
from bot.texte import normalize

FALLBACK_INTENT = "nlu_fallback"
PROFILE_INTENT = "informer"


# Likeliest intents for which facts in the message are not answers (a town named in
# another language is still a message in another language).
NOT_ANSWERS = frozenset({"autre_langue"})
# A yes or a no that comes with one of these facts answers the profile.
YES_NO = frozenset({"affirmer", "nier"})
# So does a greeting that is not a question ("salut j'ai 20 ans": on one processor the same
# model said `saluer`, on another `informer`; the facts decide).
GREETINGS = frozenset({"saluer"})
PROFILE_FACTS = frozenset({"situation", "diplome", "age", "commune", "interets"})


# "faut être bon en maths", "c en alternance ou pas", "ça suffit ?": a question, even when
# it names a profile fact ("maths", "en alternance", "un CAP").
_QUESTION = re.compile(
    r"\?|^(?:faut|il faut|faudrait|est ce|c est quoi|combien|comment|pourquoi|quand|quel"
    r"|quelle|quels|quelles|etes vous|es tu|t es qui)(?![a-z])|(?<![a-z])(?:ou pas|ou non"
    r"|ca suffit|c est grave)$"
)


def looks_like_question(text: str) -> bool:
    """Whether the message asks something rather than answers ("?", "faut...", "... ou
    pas"): its profile facts do not make it an answer."""
    return bool(_QUESTION.search(normalize(text)) or "?" in text)


# Intents about distance learning, read wrongly when the message refuses it.
DISTANCE_INTENTS = frozenset({"accepter_distance", "question_distanciel"})


def refuses_distance(text: str) -> bool:
    """ "pas à distance", "à distance non merci": distance learning refused, not asked."""
    return parse_distanciel(text) is False and not looks_like_question(text)


# "Plus près" / "plus loin": the direction is in the words; two intents that share most
# of their characters ("plus ...") must not be decided by numeric noise ("plus loin stp"
# was read as "plus près" and the radius halved).
CLOSER, FARTHER = "plus_pres", "elargir_zone"
_CLOSER = re.compile(
    r"(?<![a-z])(?:plus pres|plus proche|moins loin|trop loin|trop eloignee?s?|moins eloignee?s?"
    r"|pas (?:aussi |si |plus |trop )loin"
    r"|rayon plus petit|plus petit rayon)(?![a-z])"
)
_FARTHER = re.compile(
    r"(?<![a-z])(?:(?<!pas )plus loin|elargi\w*|rayon plus grand|plus grand rayon|plus large)"
    r"(?![a-z])"
)


def direction(text: str) -> str | None:
    """`plus_pres` or `elargir_zone` when the message asks for one direction only."""
    norm = normalize(text, corriger=True)
    closer, farther = bool(_CLOSER.search(norm)), bool(_FARTHER.search(norm))
    if closer == farther:
        return None
    return CLOSER if closer else FARTHER


def accepts_distance(text: str) -> bool:
    """ "à distance stp", "en visio ça me va": distance learning accepted, not asked."""
    return parse_distanciel(text) is True and not looks_like_question(text)


# Words of other languages that French does not use: two of them in a message the
# classifier is unsure about ("hello, can you help me find a course?") = another language.
_FOREIGN = frozenset(
    "hello hey the you your can could help find looking want need please what how where "
    "is are training courses hola busco quiero necesito puedes ayudarme trabajo formación "
    "formacion cursos olá ola gostaria saber existem obrigado você voce quero cerco corso "
    "vorrei lavoro hallo ich suche eine bitte ausbildung kurs".split()
)


def other_language(text: str) -> bool:
    """Whether the message is written in another language (two marker words or more)."""
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    return sum(w in _FOREIGN for w in words) >= 2


# "la 1ère", "la 2e stp", "celle en 3": a card of the list (a training: feminine), never a
# class ("en 1ère") nor a département ("le 62").
DETAILS_INTENT = "demander_details"
_RANK_REFERENCE = re.compile(
    r"(?:la|celle|la formation|et la)(?: (?:en|numero|n|no))? \w+"
    r"(?: (?:formation|stp|svp|alors|plz))*"
)


def names_a_card(text: str) -> bool:
    """Whether the message only points at a card of the list by its rank."""
    norm = normalize(text)
    return bool(_RANK_REFERENCE.fullmatch(norm)) and parse_rang(text) is not None


def only_facts(text: str, facts: list[dict[str, Any]]) -> bool:
    """True when the message is (mostly) the facts themselves, not a question: "bac s",
    "bts sio" (read as a requirement question and as distance learning)."""
    if not text or looks_like_question(text) or not facts:
        return False
    covered = set()
    for fact in facts:
        start, end = fact.get("start"), fact.get("end")
        if isinstance(start, int) and isinstance(end, int):
            covered |= set(range(start, end))
    letters = [i for i, c in enumerate(text) if c.isalnum()]
    return bool(letters) and sum(i in covered for i in letters) * 2 >= len(letters)


@per_message()
def intention_arbitree(
    intent: dict[str, Any] | None,
    entities: list[dict[str, Any]],
    ranking: list[dict[str, Any]] | None = None,
    text: str = "",
) -> dict | None:
    """The intent to use instead of an unsure one, or None to keep it."""
    if not intent:
        return None
    facts = [
        e
        for e in entities
        if e.get("extractor") == EXTRACTOR_NAME and e.get("entity") in PROFILE_FACTS
    ]
    directions = {CLOSER, FARTHER, FALLBACK_INTENT, "accepter_distance"}
    if (
        intent.get("name") in directions
        and not looks_like_question(text.replace("?", ""))
        and parse_distanciel(text) is None
    ):
        wanted = direction(text)
        if wanted is not None and wanted != intent.get("name"):
            return {"name": wanted, "confidence": intent.get("confidence")}
    bare_facts = intent.get("name") not in {PROFILE_INTENT, FALLBACK_INTENT, *NOT_ANSWERS}
    if intent.get("name") != DETAILS_INTENT and names_a_card(text):
        return {"name": DETAILS_INTENT, "confidence": intent.get("confidence")}
    if intent.get("name") in {FALLBACK_INTENT, "question_distanciel"} and accepts_distance(text):
        # "a distance stp", "en visio ca me va": said, not asked.
        return {"name": "accepter_distance", "confidence": intent.get("confidence")}
    if intent.get("name") in {*DISTANCE_INTENTS, FALLBACK_INTENT} and refuses_distance(text):
        # "pas à distance", "je veux pas a distance, sur place a bordeaux": a refusal is a
        # preference of the profile, never an acceptance (a negation the classifier misses).
        return {"name": PROFILE_INTENT, "confidence": intent.get("confidence")}
    greeting = intent.get("name") in GREETINGS and not looks_like_question(text)
    if intent.get("name") in YES_NO or greeting or (bare_facts and only_facts(text, facts)):
        if facts:
            return {"name": PROFILE_INTENT, "confidence": intent.get("confidence")}
        return None
    if intent.get("name") != FALLBACK_INTENT:
        return None
    if other_language(text):
        return {"name": "autre_langue", "confidence": intent.get("confidence")}
    if not any(e.get("extractor") == EXTRACTOR_NAME for e in entities):
        return None
    likeliest = next(
        (r.get("name") for r in ranking or [] if r.get("name") != FALLBACK_INTENT), None
    )
    if likeliest in NOT_ANSWERS:
        return None
    if likeliest != PROFILE_INTENT and looks_like_question(text):
        return None  # unsure about a question: the clarification offers its meanings
    return {"name": PROFILE_INTENT, "confidence": intent.get("confidence")}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ArbitreProfil(GraphComponent):
    """Unsure, yes/no or a greeting, + profile facts found = `informer`."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ArbitreProfil:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            replacement = intention_arbitree(
                message.get(INTENT),
                message.get(ENTITIES) or [],
                message.get(INTENT_RANKING_KEY),
                message.get(TEXT) or "",
            )
            if replacement is not None:
                message.set(INTENT, replacement, add_to_output=True)
        return messages
