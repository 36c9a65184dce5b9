"""NLU pipeline component: features from a normalised form of each word.

Placed right after the tokenizer, it sets each token's `lemma` (what the count-vector
featurizers read) to a normalised form: lowercase, no accents, repeated letters squeezed,
SMS spellings expanded ("jsui" -> "je suis"), plural mark dropped, and, at prediction time,
unknown words corrected to the nearest word of the training vocabulary ("formaton" ->
"formation"). Token texts and offsets are untouched, so entities still point at what the
person wrote.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.orthographe import Correcteur
from bot.texte import normalize

VOCABULARY_FILE = "vocabulaire.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class NormaliseurTexte(GraphComponent):
    """Sets token lemmas to normalised, spelling-corrected word forms."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"correction": True}

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulaire: Counter[str] | None = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._correcteur = Correcteur(vocabulaire or Counter())

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NormaliseurTexte:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> NormaliseurTexte:
        try:
            with model_storage.read_from(resource) as directory:
                counts = json.loads((directory / VOCABULARY_FILE).read_text("utf-8"))
        except (ValueError, FileNotFoundError):
            counts = {}
        return cls(config, model_storage, resource, Counter(counts))

    def train(self, training_data: TrainingData) -> Resource:
        """Learn the vocabulary (normalised words of the training examples)."""
        counts: Counter[str] = Counter()
        for message in training_data.training_examples:
            for forme in self._formes(message, corriger=False):
                counts.update(forme.split())
        self._correcteur = Correcteur(counts)
        with self._storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(
                json.dumps(dict(sorted(counts.items())), ensure_ascii=False), "utf-8"
            )
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._apply(training_data.training_examples, corriger=False)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._apply(messages, corriger=bool(self._config["correction"]))
        return messages

    def _formes(self, message: Message, corriger: bool) -> list[str]:
        tokens = message.get(TOKENS_NAMES[TEXT]) or []
        formes = []
        for token in tokens:
            forme = normalize(token.text)
            if corriger and forme:
                forme = " ".join(self._correcteur.corriger(mot) for mot in forme.split())
            formes.append(forme or token.text.lower())
        return formes

    def _apply(self, messages: Iterable[Message], corriger: bool) -> None:
        for message in messages:
            tokens = message.get(TOKENS_NAMES[TEXT]) or []
            for token, forme in zip(tokens, self._formes(message, corriger), strict=True):
                token.lemma = forme
