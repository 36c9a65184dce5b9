"""`python -m tools bench profiling`: time per stage from a py-spy raw profile."""

from __future__ import annotations

from tools.bench.profiling import frame_key, inclusive_samples
from tools.cli import main

SITE = "/work/main/.venv/lib/python3.10/site-packages"
RECEIVE = "receive (/work/main/bot/channels/webchat.py:210)"
PARSE = f"parse_message ({SITE}/rasa/core/processor.py:900)"
SPACY = f"__call__ ({SITE}/spacy/language.py:1040)"
SAVE = "save (/work/main/bot/tracker_store.py:88)"
RUN = f"run ({SITE}/rasa/core/actions/action.py:780)"
RASA_REQUEST = f"request ({SITE}/rasa/utils/endpoints.py:173)"
PATCHED_REQUEST = "request (/work/main/bot/patches/action_session.py:120)"
RAW = [
    f"_run_module_as_main (runpy.py:196);{RECEIVE};{PARSE};{SPACY} 40",
    f"_run_module_as_main (runpy.py:196);{RECEIVE};{PARSE};{SPACY};{SPACY} 10",
    f"_run_module_as_main (runpy.py:196);{RECEIVE};{SAVE} 30",
    f"_run_module_as_main (runpy.py:196);{RECEIVE};{RUN};{RASA_REQUEST} 6",
    f"_run_module_as_main (runpy.py:196);{RECEIVE};{RUN};{PATCHED_REQUEST} 4",
    "_bootstrap (threading.py:973);_worker (concurrent/futures/thread.py:83) 500",
    "garbage line",
]


def test_frames_are_named_without_paths_and_lines() -> None:
    """Profile frames are named by function and short module path, without line numbers."""
    assert frame_key(PARSE) == "parse_message (rasa/core/processor.py)"
    assert frame_key(SAVE) == "save (bot/tracker_store.py)"


def test_inclusive_samples_of_the_main_thread_count_each_frame_once() -> None:
    """Inclusive samples cover the main thread only and count recursive frames once."""
    counts, total = inclusive_samples(RAW)
    assert total == 90  # the idle worker thread is left out
    assert counts["receive (bot/channels/webchat.py)"] == 90
    assert counts["__call__ (spacy/language.py)"] == 50  # recursion counted once
    assert counts["save (bot/tracker_store.py)"] == 30


def test_report_in_ms_per_message(tmp_path, capsys) -> None:
    """The profiling report gives milliseconds per message for each part of the hot path."""
    raw = tmp_path / "rasa.raw"
    raw.write_text("\n".join(RAW))
    report = tmp_path / "benchmarks.md"
    report.write_text("# Mesures\n")
    # 200 Hz, 10 messages: 90 samples = 0.45 s = 45 ms per message.
    code = main(
        ["bench", "profiling", "--brut", str(raw), "--messages", "10", "--rapport", str(report)]
    )
    assert code == 0
    text = report.read_text()
    assert "| un message, en tout (webhook) | 45.0 |" in text
    assert "spaCy (tok2vec) | 25.0 |" in text
    assert "enregistrement de la conversation (SQL) | 15.0 |" in text
    # Rasa's request and the patch's replacement make one stage.
    assert "requêtes HTTP au serveur d'actions | 5.0 |" in text
    assert "## Profil du chemin chaud" in text


def test_empty_profile_or_missing_file_is_refused(tmp_path, capsys) -> None:
    """An empty or missing profile is refused in French and no report is written."""
    raw = tmp_path / "vide.raw"
    raw.write_text("")
    report = tmp_path / "benchmarks.md"
    assert (
        main(
            ["bench", "profiling", "--brut", str(raw), "--messages", "5", "--rapport", str(report)]
        )
        == 1
    )
    assert (
        main(["bench", "profiling", "--brut", str(tmp_path / "absent.raw"), "--messages", "5"]) == 1
    )
    out = capsys.readouterr().out
    assert "profilage vide" in out and "profilage illisible" in out
    assert not report.exists()
