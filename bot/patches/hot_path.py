"""Hot-path fixes for Rasa 3.6, applied by `bot.patches.install` before Rasa starts.

Profiled with py-spy (docs/benchmarks.md, "Profil"): for every answer of the action
server, `RemoteAction._validate_action_result` calls `jsonschema.validate`, which first
checks the (constant) response schema against the JSON Schema 2020-12 meta-schema. That
check alone took about half of the Rasa server's time per turn. Here the validator is
built, and the schema checked, once; each answer is still validated against the same
schema with the same validator class, and an invalid answer still raises the same error.
Each event is checked against the one `oneOf` alternative its name selects, not all 23;
whatever that does not prove valid goes through the full validation, so the decision and
the error are Rasa's.

Rasa also reads every button payload as a template: `/informer{"situation": "salarie"}`
holds a "placeholder" that is no slot, so each such button logged an ERROR with a full
traceback (about 3 ms each, six per question) before sending the payload unchanged. Intent
payloads now get only their known `{slot}` placeholders filled, silently; other texts go
through Rasa's own interpolation, and texts without braces are returned at once.

Last, Rasa's SpacyNLP runs every pipe of fr_core_news_sm but the parser, while the pipeline
reads only the tokens and the `tok2vec` vectors: the token lemmas are replaced by
`bot.nlu.normaliseur` and no featurizer reads part-of-speech tags or entities. The
morphologizer, attribute ruler, lemmatizer and named-entity recogniser are switched off
(spaCy: 4.9 -> 1.6 ms per message; tests/unit/test_hot_path.py checks the features match).

At start, Rasa builds each TensorFlow model (DIET, TED) by training it on one example, which
traces the whole training step with its gradients, before loading the trained weights:
about 15 of the 35 s before the first answer. For prediction, the variables the prediction
uses are built by one eager prediction instead, then loaded from the checkpoint (every one
of them must be found there), and the prediction is traced once as Rasa does. A model
loaded to be fine-tuned still goes through Rasa's own loading.

Last, for every action to predict, Rasa runs all policies, then keeps the best prediction.
When the RulePolicy predicts with full confidence (1.0) and its highest priority, no other
policy of this configuration can win (`docs/benchmarks.md`; TED cannot make end-to-end
predictions: it was trained without user texts), unless the last action was rejected (the
ensemble then zeroes that action everywhere). TED's network is then not run: it gives an
all-zero prediction, which the ensemble never picks. The rule policy runs first in Rasa's
graph; if it did not, TED would simply run as before.

Last, reading a stored conversation turns each event's name into its class with
`Event.resolve_by_type`, which walks every subclass of `Event` (with `inspect.isabstract`
for each) for every event: a fifth of the Rasa server's time on a 100-turn conversation.
The class found for a name is kept; a name not found still takes Rasa's path.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any

import rasa.core.nlg.interpolator as rasa_interpolator
from jsonschema import ValidationError, exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected, Event
from rasa.shared.nlu.constants import TEXT
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel

from bot.patches.patch import Patch


@cache
def response_validator(action_class: type[RemoteAction]) -> Any:
    """The validator of an action class's response schema, its schema checked once."""
    schema = action_class.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@dataclass(frozen=True)
class EventDispatch:
    """The response schema split so that each event is checked against the one `oneOf`
    alternative its `event` name selects, instead of all 23 of them."""

    outer: Any  # the response, its events only required to be an array
    base: Any  # what every event must satisfy
    by_name: dict[str, Any]  # event name -> validator of its alternative


@cache
def event_dispatch(action_class: type[RemoteAction]) -> EventDispatch | None:
    """None when the schema does not have the expected shape (each `oneOf` alternative
    fixes a distinct event name): then only the full validation is used."""
    schema = action_class.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    try:
        events = schema["properties"]["events"]
        item = events["items"]
        alternatives = item["oneOf"]
        names = [a["properties"]["event"]["const"] for a in alternatives]
    except (KeyError, TypeError):
        return None
    if len(set(names)) != len(names) or set(events) != {"type", "items"}:
        return None
    outer = {**schema, "properties": {**schema["properties"], "events": {"type": "array"}}}
    base = {k: v for k, v in item.items() if k != "oneOf"}
    return EventDispatch(
        outer=validator_class(outer),
        base=validator_class(base),
        by_name={n: validator_class(a) for n, a in zip(names, alternatives, strict=True)},
    )


def passes_fast_check(action_class: type[RemoteAction], result: Any) -> bool:
    """True only if the full schema accepts `result`: the outer part, and each event
    against the common part and its own alternative (the others cannot match: they fix
    other names). False means "not proven": the full validation decides."""
    dispatch = event_dispatch(action_class)
    if dispatch is None or not dispatch.outer.is_valid(result):
        return False
    for event in result.get("events") or []:
        name = event.get("event") if isinstance(event, dict) else None
        alternative = dispatch.by_name.get(name) if isinstance(name, str) else None
        if alternative is None or not dispatch.base.is_valid(event):
            return False
        if not alternative.is_valid(event):
            return False
    return True


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """`RemoteAction._validate_action_result` with validators built once per class; an
    answer the fast check cannot prove valid goes through the full validation."""
    if passes_fast_check(type(self), result):
        return True
    error = exceptions.best_match(response_validator(type(self)).iter_errors(result))
    if error is None:
        return True
    assert isinstance(error, ValidationError)
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


_rasa_interpolate_text = rasa_interpolator.interpolate_text
PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")  # the pattern of Rasa's interpolator


def interpolate_text(response: str, values: dict[str, Any]) -> str:
    """Rasa's `interpolate_text`, without reading intent payloads' JSON as placeholders."""
    if "{" not in response:
        return response
    if response.startswith("/"):
        return PLACEHOLDER.sub(lambda m: format(values[m[1]]) if m[1] in values else m[0], response)
    return _rasa_interpolate_text(response, values)


_rasa_load_spacy_model = SpacyNLP.load_model
UNUSED_SPACY_PIPES = ("morphologizer", "attribute_ruler", "lemmatizer", "ner")


def load_spacy_model(name: str) -> SpacyModel:
    """Rasa's spaCy model loading, without the pipes whose output nothing reads."""
    loaded = _rasa_load_spacy_model(name)
    for pipe in UNUSED_SPACY_PIPES:
        if pipe in loaded.model.pipe_names:
            loaded.model.disable_pipe(pipe)
    return loaded


_rasa_model_load = RasaModel.load.__func__  # type: ignore[attr-defined]


def load_model_for_prediction(
    cls: type[RasaModel],
    model_file_name: str,
    model_data_example: RasaModelData,
    predict_data_example: RasaModelData | None = None,
    finetune_mode: bool = False,
    *args: Any,
    **kwargs: Any,
) -> RasaModel:
    """`RasaModel.load` without the one-example training (see the module docstring)."""
    if finetune_mode or not predict_data_example:
        return _rasa_model_load(
            cls,
            model_file_name,
            model_data_example,
            predict_data_example,
            finetune_mode,
            *args,
            **kwargs,
        )
    model = cls(*args, **kwargs)
    model._run_eagerly = True  # builds the prediction's variables without tracing
    model.run_inference(predict_data_example)
    model._run_eagerly = None
    model.load_weights(model_file_name).assert_existing_objects_matched()
    # Label embeddings are computed once before the first prediction: again, from the
    # loaded weights, and the prediction traced with them.
    model.prepared_for_prediction = False
    model._tf_predict_step = None
    model.run_inference(predict_data_example)
    return model


# The rule policy's latest prediction and the tracker it was made for (Rasa runs the
# policies of one prediction one after the other, in the same context).
RULE_PREDICTION: ContextVar[tuple[Any, int, PolicyPrediction] | None] = ContextVar(
    "capnum_rule_prediction", default=None
)
_rasa_rule_predict = RulePolicy.predict_action_probabilities
_rasa_ted_predict = TEDPolicy.predict_action_probabilities


def rule_predict(
    self: RulePolicy, tracker: Any, domain: Any, *args: Any, **kwargs: Any
) -> PolicyPrediction:
    """RulePolicy's prediction, remembered for the other policies of the same step."""
    prediction = _rasa_rule_predict(self, tracker, domain, *args, **kwargs)
    RULE_PREDICTION.set((tracker, len(tracker.events), prediction))
    return prediction


def rule_decides(tracker: Any) -> bool:
    """Whether the rule policy's prediction for this tracker, as it is now, is certain to
    be the ensemble's choice."""
    remembered = RULE_PREDICTION.get()
    if remembered is None or remembered[0] is not tracker or remembered[1] != len(tracker.events):
        return False
    prediction = remembered[2]
    if prediction.max_confidence < 1.0 or prediction.is_end_to_end_prediction:
        return False
    last = next(
        (
            e
            for e in reversed(tracker.events)
            if isinstance(e, ActionExecuted | ActionExecutionRejected)
        ),
        None,
    )
    return not isinstance(last, ActionExecutionRejected)


def ted_predict(
    self: TEDPolicy, tracker: Any, domain: Any, *args: Any, **kwargs: Any
) -> PolicyPrediction:
    """TED's prediction, or an all-zero one when the rule policy decides (see above)."""
    end_to_end = self.only_e2e or TEXT in self.fake_features
    if self.model is not None and not end_to_end and rule_decides(tracker):
        return self._prediction(self._default_predictions(domain))
    return _rasa_ted_predict(self, tracker, domain, *args, **kwargs)


_rasa_resolve_by_type = Event.resolve_by_type
_EVENT_CLASSES: dict[str, type[Event]] = {}


def resolve_event_type(
    type_name: str, default: type[Event] | None = None
) -> type[Event] | None:
    """Rasa's `Event.resolve_by_type`, remembering the class found for each name."""
    found = _EVENT_CLASSES.get(type_name)
    if found is None:
        found = _rasa_resolve_by_type(type_name, default)
        if found is not None and found is not default:
            _EVENT_CLASSES[type_name] = found
    return found


def patches() -> list[Patch]:
    """The seven hot-path fixes (module docstring)."""
    return [
        Patch(RemoteAction, "_validate_action_result", validate_action_result),
        Patch(rasa_interpolator, "interpolate_text", interpolate_text),
        Patch(SpacyNLP, "load_model", staticmethod(load_spacy_model)),
        Patch(RasaModel, "load", classmethod(load_model_for_prediction)),
        Patch(RulePolicy, "predict_action_probabilities", rule_predict),
        Patch(TEDPolicy, "predict_action_probabilities", ted_predict),
        Patch(Event, "resolve_by_type", staticmethod(resolve_event_type)),
    ]
