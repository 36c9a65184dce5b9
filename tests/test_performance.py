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
    monkeypatch.setattr(module, "interpolate_text", performance._rasa_interpolate_text)
    performance.install()
    assert RemoteAction._validate_action_result is performance.validate_action_result
    assert module.interpolate_text is performance.interpolate_text


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
