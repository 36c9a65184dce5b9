#!/usr/bin/env bash
# Trains the model only when the data, domain or config changed (Rasa compares fingerprints).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CAPNUM_ROOT"
rasa train --domain domain --data data --config config.yml --out models --fixed-model-name capnum
