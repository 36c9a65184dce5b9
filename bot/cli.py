"""`capnum` command-line entry point: catalogue, knowledge, benchmark and maintenance
commands."""

from __future__ import annotations

import argparse
import sys

from bot import bench, retention
from bot.catalogue import cli as catalogue_cli
from bot.devtools import captures
from bot.knowledge import build as knowledge_build
from bot.nlu import evaluation as nlu_evaluation


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="capnum", description="Cap Num : outils du projet")
    sub = parser.add_subparsers(dest="command", required=True)
    catalogue_cli.register(sub)
    knowledge_build.register(sub)
    bench.register(sub)
    nlu_evaluation.register(sub)
    captures.register(sub)
    retention.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
