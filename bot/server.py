"""Starts the Rasa server (same arguments as `rasa run`) with Cap Num's patches of Rasa
(`bot.patches`: the launcher's security additions, custom actions bounded in time, the
hot-path fixes). Refuses to start, with a French message, when the installed Rasa is not
the one the patches were written for, or when the HTTP API would be open without a token.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from bot import patches


def rasa_arguments(argv: list[str], environ: Mapping[str, str]) -> list[str]:
    """`rasa run` arguments for `argv`; with `--enable-api` and no `--auth-token`, the
    token comes from CAPNUM_RASA_TOKEN (so it never shows in `ps`). Exits with code 2,
    French message on stderr, when the API would be open without a token."""
    arguments = ["rasa", "run", *argv]
    explicit = any(a == "--auth-token" or a.startswith(("--auth-token=", "-t")) for a in argv)
    if "--enable-api" in argv and not explicit:
        token = environ.get("CAPNUM_RASA_TOKEN", "").strip()
        if not token:
            print(
                "ERREUR : CAPNUM_RASA_TOKEN est vide ou absent : l'API HTTP de Rasa "
                "(--enable-api) ne démarre pas sans jeton.",
                file=sys.stderr,
            )
            raise SystemExit(2)
        arguments += ["--auth-token", token]
    return arguments


def main() -> None:
    sys.argv = rasa_arguments(sys.argv[1:], os.environ)
    try:
        patches.install(os.environ)
    except patches.PatchError as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
