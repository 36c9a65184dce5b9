"""`python -m tools bench profiling`: reads a py-spy profile of the Rasa server (raw
"collapsed stacks" format, recorded by scripts/profiling.sh while one conversation runs as fast
as it can) and writes where the time of a message goes, in milliseconds per message, to a section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from tools.bench.charge import machine, replace_section

REPORT_START = "<!-- profilage:debut -->"
REPORT_END = "<!-- profilage:fin -->"
MAIN_THREAD = "_run_module_as_main"
NBSP = "\u00a0"  # indents the sub-stages in the Markdown table
# (label, frames): a frame is "function (file)" with the file relative to site-packages;
# a stage given several frames (Rasa's function or the patch that replaces it) adds them up.
STAGES: list[tuple[str, str | tuple[str, ...]]] = [
    ("un message, en tout (webhook)", "receive (bot/channels/webchat.py)"),
    ("  compréhension (NLU)", "parse_message (rasa/core/processor.py)"),
    ("    spaCy (tok2vec)", "__call__ (spacy/language.py)"),
    ("    DIET (TensorFlow)", "process (rasa/nlu/classifiers/diet_classifier.py)"),
    ("    normaliseur", "process (bot/nlu/normaliseur.py)"),
    ("    extracteur de profil", "process (bot/nlu/entites.py)"),
    ("  prédiction des actions", "_run_prediction_loop (rasa/core/processor.py)"),
    ("    TED (TensorFlow)", "predict_action_probabilities (rasa/core/policies/ted_policy.py)"),
    ("    règles", "predict_action_probabilities (rasa/core/policies/rule_policy.py)"),
    ("    mémorisation", "predict_action_probabilities (rasa/core/policies/memoization.py)"),
    ("    actions (dont serveur d'actions)", "run (rasa/core/actions/action.py)"),
    (
        "      requêtes HTTP au serveur d'actions",
        ("request (rasa/utils/endpoints.py)", "request (bot/patches/action_session.py)"),
    ),
    ("      validation de ses réponses", "validate_action_result (bot/patches/hot_path.py)"),
    ("    textes des réponses (NLG)", "generate (rasa/core/nlg/response.py)"),
    ("  lecture de la conversation (SQL)", "retrieve (bot/tracker_store.py)"),
    ("  enregistrement de la conversation (SQL)", "save (bot/tracker_store.py)"),
]


def frame_key(frame: str) -> str:
    """ "f (/…/site-packages/pkg/mod.py:12)" -> "f (pkg/mod.py)"; repo paths kept relative."""
    frame = re.sub(r"\(/.*?site-packages/", "(", frame)
    frame = re.sub(r"\(/.*?/(bot|tests)/", r"(\1/", frame)
    return re.sub(r":\d+\)$", ")", frame)


def inclusive_samples(lines: Iterable[str], thread: str = MAIN_THREAD) -> tuple[Counter, int]:
    """Samples in which each frame appears (once per sample) for the stacks of the
    thread whose first frame starts with `thread`, and their total."""
    counts: Counter[str] = Counter()
    total = 0
    for line in lines:
        stack, _, number = line.rstrip("\n").rpartition(" ")
        if not stack or not number.isdigit():
            continue
        frames = stack.split(";")
        if not frames[0].startswith(thread):
            continue
        n = int(number)
        total += n
        counts.update({frame_key(f): n for f in frames})
    return counts, total


def samples(counts: Counter, frames: str | tuple[str, ...]) -> int:
    """The samples of a stage: of its frame, or of its alternative frames together."""
    return sum(counts[frame] for frame in ((frames,) if isinstance(frames, str) else frames))


def render(counts: Counter, messages: int, rate: int, seconds: float, top: int = 25) -> str:
    """The Markdown section: milliseconds per message for each stage, then the frames of
    the request that take the most time."""

    def ms(samples: int) -> str:
        return f"{samples / rate / messages * 1000:.1f}"

    host = machine()
    request = str(STAGES[0][1])
    lines = [
        REPORT_START,
        f"Profil py-spy (échantillonnage à {rate} Hz) du serveur Rasa pendant {seconds:g} s, une "
        f"conversation jouée aussi vite que possible : {messages} messages. Mesuré le "
        f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC sur {host['cpu']} "
        f"({host['coeurs']} cœurs). Commande : `make profiling`. Temps inclusif (avec ce qui est "
        "appelé), en ms de processeur par message.",
        "",
        "| étape | ms par message |",
        "|---|---:|",
        *(f"| {label.replace('  ', NBSP * 2)} | {ms(samples(counts, f))} |" for label, f in STAGES),
        "",
        f"Fonctions les plus coûteuses sous `{request}` :",
        "",
        "| fonction | ms par message |",
        "|---|---:|",
    ]
    ranked = [
        (frame, n)
        for frame, n in counts.most_common()
        if n <= counts[request] and not re.search(r"asyncio|sanic|dask/|threading", frame)
    ]
    lines += [f"| `{frame}` | {ms(n)} |" for frame, n in ranked[:top]]
    lines.append(REPORT_END)
    return "\n".join(lines) + "\n"


def register(sub: argparse._SubParsersAction) -> None:
    """`python -m tools bench profiling` (added to the `bench` group)."""
    parser = sub.add_parser("profiling", help="temps par étape d'un message (profilage py-spy)")
    parser.add_argument("--brut", type=Path, required=True, help="profilage py-spy (--format raw)")
    parser.add_argument("--messages", type=int, required=True, help="messages pendant le profilage")
    parser.add_argument("--frequence", type=int, default=200, help="échantillons par seconde")
    parser.add_argument("--duree", type=float, default=30.0, help="durée du profilage (s)")
    parser.add_argument("--rapport", type=Path, default=Path("docs/benchmarks.md"))
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        text = args.brut.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"ERREUR : profilage illisible ({args.brut}) : {exc.strerror}.")
        return 1
    counts, total = inclusive_samples(text.splitlines())
    if not total or args.messages <= 0:
        print("ERREUR : profilage vide ou aucun message compté : rien n'est écrit.")
        return 1
    section = render(counts, args.messages, args.frequence, args.duree)
    replace_section(args.rapport, section, REPORT_START, REPORT_END, "Profil du chemin chaud")
    print(section)
    return 0
