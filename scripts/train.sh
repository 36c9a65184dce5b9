#!/usr/bin/env bash
# Trains the model only when the data, domain or config changed (Rasa compares fingerprints),
# or when the code of the custom NLU components changed: Rasa's cache does not see code, so a
# change there forces a full training.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CAPNUM_ROOT"
code_digest=$(cat bot/nlu/*.py bot/texte.py bot/orthographe.py bot/lexique.py bot/profil/*.py \
  bot/geo.py bot/lieux.py knowledge/lexique/*.yml | sha256sum | cut -d' ' -f1)
stamp=models/.nlu-code-digest
force=()
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$code_digest" ]]; then
  force=(--force)
  echo "Code des composants NLU modifié : entraînement complet."
fi
[[ -f models/capnum.tar.gz ]] || force=(--force)
started=$SECONDS
# Progress bars and Rasa's "utterance not used" warnings are made readable (tools/rasa_log.py).
# `rasa train` without Python's garbage collector, 28 % faster, same model (tools/train.py).
python -m tools.train --out models --fixed-model-name capnum "${force[@]}" 2>&1 | python -m tools.rasa_log
echo "$code_digest" >"$stamp"
# Duration of the last full training (read by the benchmark, scripts/bench.sh).
if ((${#force[@]})); then echo $((SECONDS - started)) >models/.full-training-seconds; fi
