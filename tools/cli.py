"""`python -m tools`: the developers' commands (knowledge build, NLU scores, benchmarks,
screenshots). The product's own commands stay in `capnum` (bot/cli.py)."""

from __future__ import annotations

import argparse

from tools import captures
from tools.bench import catalogue as bench
from tools.knowledge import build as knowledge_build
from tools.nlu import evaluation as nlu_evaluation


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools", description="Cap Num : outils de développement"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    knowledge_build.register(sub)
    bench.register(sub)
    nlu_evaluation.register(sub)
    captures.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)
