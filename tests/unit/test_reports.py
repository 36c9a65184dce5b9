"""Summary of the end-to-end conversations printed by the test command."""

from __future__ import annotations

import json

from tools.reports import axe_summary, core_summary, main


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


def test_axe_summary_counts_nodes_by_impact(tmp_path):
    """Violations are summed by impact; only serious and critical ones fail the run."""
    path = tmp_path / "axe.json"
    state = {"passes": 30, "incomplete": 1, "violations": []}
    minor = {"id": "region", "impact": "moderate", "nodes": 2, "help": "x"}
    path.write_text(json.dumps({"a": state, "b": {**state, "violations": [minor]}}))
    summary = axe_summary(path)
    assert summary == {
        "etats": ["a", "b"],
        "regles_respectees": 60,
        "violations": {"moderate": 2},
        "graves": 0,
    }
    assert main(["axe", str(path)]) == 0
    serious = {**minor, "impact": "serious", "nodes": 1}
    path.write_text(json.dumps({"a": {**state, "violations": [serious, minor]}}))
    assert axe_summary(path)["graves"] == 1
    assert main(["axe", str(path)]) == 1


def test_axe_summary_fails_without_any_state(tmp_path):
    """The axe summary exits 1 when there is no accessibility result to read."""
    assert main(["axe", str(tmp_path / "missing.json")]) == 1
