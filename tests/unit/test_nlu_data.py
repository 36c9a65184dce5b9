"""The held-out NLU set stays separate from the training data and covers every intent."""

from __future__ import annotations

import re

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from bot.config import REPO_ROOT
from bot.orthographe import strip_accents

pytestmark = pytest.mark.data

BUTTON_ONLY = {"confirmer_suppression", "annuler_suppression", "message_trop_long"}


def _key(text: str) -> str:
    """The same message, whatever the case, accents, spaces and final punctuation."""
    return re.sub(r"[\s?!.]+", " ", strip_accents(text.lower())).strip()


@pytest.fixture(scope="module")
def training():
    files = [REPO_ROOT / "data/nlu.yml", *sorted((REPO_ROOT / "data/nlu").glob("*.yml"))]
    data = load_data(str(files[0]))
    for path in files[1:]:
        data = data.merge(load_data(str(path)))
    return data


@pytest.fixture(scope="module")
def heldout():
    return {
        register: load_data(str(REPO_ROOT / "tests/nlu/heldout" / f"{register}.yml"))
        for register in ("informel", "standard")
    }


def test_no_heldout_message_is_in_the_training_data(training, heldout) -> None:
    """No held-out evaluation message appears in the training data."""
    trained = {_key(m.get("text")) for m in training.intent_examples}
    leaked = [
        m.get("text")
        for data in heldout.values()
        for m in data.intent_examples
        if _key(m.get("text")) in trained
    ]
    assert leaked == []


def test_heldout_size_register_and_coverage(training, heldout, domain) -> None:
    """The held-out set is large, mostly informal, and covers every typed intent and entity."""
    informel = heldout["informel"].intent_examples
    standard = heldout["standard"].intent_examples
    assert len(informel) + len(standard) >= 300
    assert len(informel) >= len(standard)
    expected = set(domain["intents"]) - BUTTON_ONLY
    for data in heldout.values():
        assert expected <= {m.get("intent") for m in data.intent_examples}
    assert expected <= {m.get("intent") for m in training.intent_examples}
    entities = set().union(*(data.entities for data in heldout.values()))
    assert {"situation", "diplome", "age", "commune", "interets"} <= entities
