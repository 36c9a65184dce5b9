"""`capnum` command-line entry point: the catalogue, data and operator commands (the
developers' tools are `python -m tools`)."""

from __future__ import annotations

import argparse
import sys

from bot import retention
from bot.catalogue import cli as catalogue_cli
from bot.console import cli as console_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="capnum", description="Cap Num : catalogue, données et exploitation"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    catalogue_cli.register(sub)
    retention.register(sub)
    console_cli.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
