"""Score summaries printed by the test command."""

from __future__ import annotations

import json

from bot.reports import core_summary, main, nlu_summary


def test_nlu_summary(tmp_path):
    """Intent accuracy, macro-F1, entity scores and the commonest confusions are read."""
    (tmp_path / "intent_report.json").write_text(
        json.dumps(
            {
                "accuracy": 0.9,
                "macro avg": {"f1-score": 0.88},
                "weighted avg": {"support": 10},
            }
        )
    )
    (tmp_path / "DIETClassifier_report.json").write_text(
        json.dumps({"micro avg": {"precision": 0.8, "recall": 0.5, "f1-score": 0.6}})
    )
    errors = [
        {"intent": "plus_pres", "intent_prediction": {"name": "informer"}},
        {"intent": "plus_pres", "intent_prediction": {"name": "informer"}},
        {"intent": "nier", "intent_prediction": {"name": "remercier"}},
    ]
    (tmp_path / "intent_errors.json").write_text(json.dumps(errors))
    summary = nlu_summary(tmp_path)
    assert summary["intent_accuracy"] == 0.9
    assert summary["intent_macro_f1"] == 0.88
    assert summary["entity_f1"] == 0.6
    assert summary["confusions"][0] == {"attendu": "plus_pres", "predit": "informer", "nombre": 2}


def test_core_summary_fails_when_nothing_was_evaluated(tmp_path, capsys):
    """A run that evaluated no conversation is an error, not a success."""
    stories = tmp_path / "stories"
    stories.mkdir()
    (stories / "test_a.yml").write_text('version: "3.1"\nstories:\n  - story: a\n    steps: []\n')
    results = tmp_path / "results"
    results.mkdir()
    (results / "story_report.json").write_text("{}")
    assert core_summary(results, stories) == {
        "conversations": 1,
        "predictions_verifiees": 0,
        "echecs": 0,
    }
    assert main(["core", str(results)]) == 1
