"""The trained model loaded the fast way (`bot.performance.load_model_for_prediction`)
predicts exactly like Rasa's own loading. Needs the trained model: run in the server step
of `make test`, after training."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest
from rasa.core.agent import Agent
from rasa.utils.tensorflow.models import RasaModel

from bot import performance
from bot.config import REPO_ROOT
from tests.test_performance import nlu_examples

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
    assert MODEL.exists(), "no trained model: run scripts/train.sh first"
    rasa_loaded = Agent.load(str(MODEL))
    original = RasaModel.load
    RasaModel.load = classmethod(performance.load_model_for_prediction)  # type: ignore[method-assign]
    try:
        fast = Agent.load(str(MODEL))
    finally:
        RasaModel.load = original  # type: ignore[method-assign]
    return rasa_loaded, fast


def test_every_variable_is_loaded_with_the_trained_value(agents) -> None:
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
    rasa_loaded, fast = agents
    texts = nlu_examples(150)
    assert parses(rasa_loaded, texts) == parses(fast, texts)
