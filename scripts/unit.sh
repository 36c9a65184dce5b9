#!/usr/bin/env bash
# The unit tests only: no Rasa server, no database server, no trained model.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CAPNUM_ROOT"
"$CAPNUM_ROOT/scripts/setup.sh" >/dev/null
python -m pytest -p no:cacheprovider -m "not postgres" tests/unit "$@"
