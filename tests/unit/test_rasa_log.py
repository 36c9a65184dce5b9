"""The filter that keeps Rasa's training and validation logs readable."""

from __future__ import annotations

from tools.rasa_log import readable


def test_a_progress_bar_keeps_its_last_state_only() -> None:
    """Carriage-return redraws of a bar become one line: the final one."""
    lines = ["Epochs:   0%|  | 0/80\rEpochs:  50%|# | 40/80\rEpochs: 100%|##| 80/80\n"]
    assert list(readable(lines)) == ["Epochs: 100%|##| 80/80"]


def test_unused_response_warnings_are_counted_once() -> None:
    """Hundreds of "utterance not used" warnings become one explained line; the other
    warnings stay, without colour codes."""
    warning = (
        "\x1b[93m/x/rasa/shared/utils/io.py:100: UserWarning: The utterance '{}' is not "
        "used in any story or rule.\n"
    )
    other = "\x1b[93m/x/io.py:100: UserWarning: The intent 'x' is not in the NLU data.\n"
    kept = list(readable([warning.format("libelle_a"), other, warning.format("raison_b")]))
    assert kept[0] == "/x/io.py:100: UserWarning: The intent 'x' is not in the NLU data."
    assert kept[1].startswith("(2 réponses lues par le serveur d'actions")
    assert len(kept) == 2


def test_library_deprecation_notices_are_dropped_with_their_source_line() -> None:
    """A deprecation notice from site-packages and the lines printed under it go; the next
    log line stays."""
    lines = [
        "/v/site-packages/rasa/x.py:134: DeprecationWarning: pkg_resources is deprecated\n",
        "  import pkg_resources\n",
        "/v/site-packages/pkg_resources/__init__.py:3117: DeprecationWarning: Deprecated call\n",
        "Implementing implicit namespace packages (as specified in PEP 420) is preferred\n",
        "  declare_namespace(pkg)\n",
        "2026-12-07 03:23:34 INFO     rasa.engine.training.hooks  - Starting to train\n",
    ]
    assert list(readable(lines)) == [
        "2026-12-07 03:23:34 INFO     rasa.engine.training.hooks  - Starting to train"
    ]
