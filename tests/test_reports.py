"""Summary of the end-to-end conversations printed by the test command."""

from __future__ import annotations

from bot.reports import core_summary, main


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
