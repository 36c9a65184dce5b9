"""Makes the output of `rasa train` and `rasa data validate` readable in a log file
(`... 2>&1 | python -m tools.rasa_log`):

- a progress bar redrawn with carriage returns keeps only its last state, one line;
- Rasa's warning "The utterance 'x' is not used in any story or rule" is counted, not
  repeated: those responses are fragments and answers sent by the action server, and
  `tests/unit/test_layout.py::test_every_response_is_used` checks that each one is really used;
- the libraries' deprecation notices (TensorFlow, pkg_resources, SQLAlchemy), which Rasa
  shows whatever PYTHONWARNINGS says, are dropped with the source line printed under them;
- the warnings' colour codes are removed.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator

UNUSED = re.compile(r"UserWarning: The utterance '[^']+' is not used in any story or rule\.")
COLOURS = re.compile(r"\x1b\[[0-9;]*m")
DEPRECATION = re.compile(r"site-packages/\S+:\d+: (?:\w*DeprecationWarning|MovedIn20Warning): ")
NAMESPACE_NOTE = "Implementing implicit namespace packages"


def readable(lines: Iterable[str]) -> Iterator[str]:
    """The lines to keep, then one line for the counted warnings."""
    unused = 0
    in_notice = False
    for raw in lines:
        line = COLOURS.sub("", raw.rstrip("\n")).split("\r")[-1]
        if DEPRECATION.search(line):
            in_notice = True
        elif in_notice and (line.startswith(" ") or line.startswith(NAMESPACE_NOTE)):
            continue
        else:
            in_notice = False
            if UNUSED.search(line):
                unused += 1
            elif line.strip():
                yield line
    if unused:
        yield (
            f"({unused} réponses lues par le serveur d'actions et non par les histoires : "
            "avertissement « not used in any story or rule » de Rasa attendu, non répété ; "
            "tests/unit/test_layout.py vérifie que chacune sert)"
        )


def main() -> int:
    for line in readable(sys.stdin):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
