"""`python -m tools.patched_rasa <rasa arguments>`: any Rasa command (`test core`, `shell`…)
with Cap Num's patches installed as the server installs them (`bot.patches`), so the test
conversations run once with the patches and once without (`CAPNUM_PATCHES=non`)."""

from __future__ import annotations

import os
import sys

from bot import patches


def main() -> None:
    try:
        applied = patches.install(os.environ)
    except patches.PatchError as error:
        print(error, file=sys.stderr)
        raise SystemExit(2) from None
    print(f"{len(applied)} correctif(s) de Rasa installé(s).", file=sys.stderr)
    sys.argv = ["rasa", *sys.argv[1:]]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
