"""The trained model loaded the fast way (`bot.patches.hot_path.load_model_for_prediction`)
predicts exactly like Rasa's own loading. Needs the trained model: run in the server step
of `make test`, after training."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest
from rasa.core.agent import Agent
from rasa.utils.tensorflow.models import RasaModel

from bot.config import REPO_ROOT
from bot.patches import hot_path
from tests.support.helpers import nlu_examples, patched_rasa

pytestmark = pytest.mark.server
MODEL = REPO_ROOT / "models" / "capnum.tar.gz"


def tf_models(agent: Agent) -> dict[str, RasaModel]:
    nodes = agent.processor.graph_runner._instantiated_nodes  # type: ignore[attr-defined]
    found = {}
    for name, node in nodes.items():
        model = getattr(node._component, "model", None)
        if isinstance(model, RasaModel):
            found[name] = model
    return found


def parses(agent: Agent, texts: list[str]) -> list[Any]:
    async def run() -> list[Any]:
        results = []
        for text in texts:
            r = await agent.parse_message(text)
            ranking = [(i["name"], round(i["confidence"], 6)) for i in r["intent_ranking"]]
            results.append((ranking, [(e["entity"], e["value"]) for e in r["entities"]]))
        return results

    return asyncio.run(run())


@pytest.fixture(scope="module")
def agents() -> tuple[Agent, Agent]:
    """The model loaded by Rasa alone, and as the server loads it (`bot.patches.hot_path`
    installed: Rasa's graph keeps the functions it found at loading)."""

    assert MODEL.exists(), "no trained model: run scripts/train.sh first"
    rasa_loaded = Agent.load(str(MODEL))
    with patched_rasa():
        fast = Agent.load(str(MODEL))
    return rasa_loaded, fast


def test_every_variable_is_loaded_with_the_trained_value(agents) -> None:
    """The fast model loading restores every DIET and TED variable with its trained value."""
    rasa_loaded, fast = agents
    slow_models, fast_models = tf_models(rasa_loaded), tf_models(fast)
    assert len(fast_models) == 2 and set(fast_models) == set(slow_models)  # DIET and TED
    for name, model in fast_models.items():
        trained = {v.name: v.numpy() for v in slow_models[name].variables}
        # Keras metric accumulators ("total", "count") hold training statistics only.
        weights = [v for v in model.variables if v.name.split(":")[0] not in {"total", "count"}]
        assert model.trainable_variables, name
        for variable in weights:
            assert np.array_equal(variable.numpy(), trained[variable.name]), variable.name
        for attribute in ("all_labels_embed",):
            if hasattr(slow_models[name], attribute):
                a = getattr(slow_models[name], attribute)
                b = getattr(model, attribute)
                assert np.array_equal(np.asarray(a), np.asarray(b)), attribute


def test_same_understanding_of_the_training_examples(agents) -> None:
    """The fast-loaded model parses the training examples exactly like Rasa's loading."""
    rasa_loaded, fast = agents
    texts = nlu_examples(150)
    assert parses(rasa_loaded, texts) == parses(fast, texts)


def story_prefixes(agent: Agent) -> list[Any]:
    """Every point of the training stories and rules where an action is predicted."""
    from rasa.core.training import load_data
    from rasa.shared.core.events import ActionExecuted
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = agent.domain
    prefixes = []
    for story in load_data(str(REPO_ROOT / "data"), domain, augmentation_factor=0):
        events = list(story.events)
        for i, event in enumerate(events):
            if isinstance(event, ActionExecuted) and i > 0:
                prefixes.append(
                    DialogueStateTracker.from_events("equivalence", events[:i], slots=domain.slots)
                )
    return prefixes


def test_skipping_ted_when_a_rule_decides_changes_no_prediction(agents, monkeypatch) -> None:
    """Over every prediction point of the stories and rules, the ensemble's choice with
    `bot.patches.hot_path`'s rule-first shortcut is Rasa's, to the last probability."""
    rasa_loaded, fast = agents
    trackers = story_prefixes(rasa_loaded)
    assert len(trackers) > 100

    def predictions(agent: Agent) -> list[tuple[str | None, list[float]]]:
        out = []
        for tracker in trackers:
            p = agent.processor._predict_next_with_tracker(tracker.copy())
            out.append((p.policy_name, [round(x, 6) for x in p.probabilities]))
        return out

    calls = []
    original = hot_path._rasa_ted_predict
    monkeypatch.setattr(
        hot_path, "_rasa_ted_predict", lambda *a, **k: calls.append(1) or original(*a, **k)
    )
    plain, shortcut = predictions(rasa_loaded), predictions(fast)
    assert shortcut == plain
    by_rules = sum(1 for name, _ in plain if name and "RulePolicy" in name)
    print(f"\n{len(trackers)} prédictions, {by_rules} par les règles ; TED lancé {len(calls)} fois")
    assert 0 < len(calls) < len(trackers) - by_rules + 1  # skipped when a rule decided
