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
