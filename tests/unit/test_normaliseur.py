"""The NLU normalisation component and its spelling corrector, on their own."""

from __future__ import annotations

from collections import Counter

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.normaliseur import NormaliseurTexte
from bot.orthographe import Correcteur, distance
from bot.texte import normalize


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("formation", "formation", 0),
        ("formaton", "formation", 1),
        ("ab", "ba", 1),
        ("chomage", "chomge", 1),
        ("lycee", "lyceen", 1),
        ("abc", "xyz", 2),
        ("a", "abcd", 2),
    ],
)
def test_distance(a: str, b: str, expected: int) -> None:
    """The edit distance counts substitutions, insertions and transpositions, capped."""
    assert distance(a, b, limite=1) == min(expected, 2)


def test_corrector_prefers_closest_then_most_frequent_word() -> None:
    """The corrector picks the closest word, then the most frequent; short and known words stay."""
    vocab = Counter(
        {
            "formation": 10,
            "information": 2,
            "informatique": 5,
            "diplome": 6,
            "devenir": 1,
            "deviner": 3,
        }
    )
    c = Correcteur(vocab)
    assert c.corriger("formaton") == "formation"
    assert c.corriger("infomratique") == "informatique"  # transposition, long word: 2 edits ok
    assert c.corriger("diplme") == "diplome"
    # Equally close: the more frequent word.
    assert c.corriger("devnier") == "deviner"
    # Short, known, numeric or too far: unchanged.
    assert c.corriger("dev") == "dev"
    assert c.corriger("2016") == "2016"
    assert c.corriger("roubaix") == "roubaix"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jsuis", "je suis"),
        ("DÉVELOPPEUR", "developpeur"),
        ("ouiiiii", "oui"),
        ("!", ""),
        ("g", "j ai"),
    ],
)
def test_normal_form(text: str, expected: str) -> None:
    """The normal form expands SMS spellings, strips accents, case and repeated letters."""
    assert normalize(text) == expected


def _tokenized(*texts: str) -> list[Message]:
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    messages = [Message(data={TEXT: t}) for t in texts]
    tokenizer.process(messages)
    return messages


def _lemmas(message: Message) -> list[str]:
    return [t.lemma for t in message.get(TOKENS_NAMES[TEXT])]


def test_component_trains_persists_and_normalises(tmp_path) -> None:
    """The component learns its vocabulary, reloads, and corrects lemmas but not the text."""
    storage = LocalModelStorage(tmp_path)
    resource = Resource("normaliseur")
    context = ExecutionContext(GraphSchema({}), "test")
    component = NormaliseurTexte.create(
        NormaliseurTexte.get_default_config(), storage, resource, context
    )
    training = TrainingData(_tokenized("je cherche une formation en informatique", "Jsuis perdu"))
    component.train(training)
    component.process_training_data(training)
    assert _lemmas(training.training_examples[1]) == ["je suis", "perdu"]

    loaded = NormaliseurTexte.load(
        NormaliseurTexte.get_default_config(), storage, resource, context
    )
    [message] = _tokenized("jcherche une FORMATON en infomratique à Lille")
    original = [(t.text, t.start, t.end) for t in message.get(TOKENS_NAMES[TEXT])]
    loaded.process([message])
    # "jcherche" is an SMS spelling ("je cherche"); the typos are corrected.
    expected = ["je cherche", "une", "formation", "en", "informatique", "a", "lille"]
    assert _lemmas(message) == expected
    # What the person wrote (and entity offsets) is untouched.
    assert [(t.text, t.start, t.end) for t in message.get(TOKENS_NAMES[TEXT])] == original
    assert message.get(TEXT) == "jcherche une FORMATON en infomratique à Lille"


def test_component_without_correction_keeps_unknown_words(tmp_path) -> None:
    """With correction off, the component keeps unknown words as written."""
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**NormaliseurTexte.get_default_config(), "correction": False}
    component = NormaliseurTexte.create(config, storage, Resource("n"), context)
    component.train(TrainingData(_tokenized("une formation")))
    [message] = _tokenized("une formaton")
    component.process([message])
    assert _lemmas(message) == ["une", "formaton"]
