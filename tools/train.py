"""`python -m tools.train <rasa train arguments>`: `rasa train` without the automatic runs
of Python's cyclic garbage collector.

Training keeps hundreds of thousands of objects alive (training data, spaCy documents,
TensorFlow graphs); every full collection walks all of them, and TensorFlow's training
loop triggers many. Full training of this project on a 2 vCPU Intel Xeon
(docs/benchmarks.md, "Entraînement"): 119 s with the collector, 89 s without, the same
model (same held-out scores); peak memory 1,742 MB with it, 1,762 MB without. The process
ends with the training, and the cycles it leaves go with it. `scripts/train.sh` trains
through here; plain `rasa train` gives the same model, more slowly.
"""

from __future__ import annotations

import gc
import sys


def main() -> None:
    # A threshold of 0 turns automatic collection off; unlike gc.disable(), it survives the
    # gc.enable() that srsly calls after reading each spaCy file.
    gc.set_threshold(0)
    sys.argv = ["rasa", "train", *sys.argv[1:]]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
