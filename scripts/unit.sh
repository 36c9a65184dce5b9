#!/usr/bin/env bash
# The unit tests only: no Rasa server, no database server, no trained model; property-based
# tests with 25 examples each (make test runs 200).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CAPNUM_ROOT"
"$CAPNUM_ROOT/scripts/setup.sh" >/dev/null
CAPNUM_FUZZ_PROFILE="${CAPNUM_FUZZ_PROFILE:-rapide}" python -m pytest -p no:cacheprovider -m "not postgres" tests/unit "$@"
