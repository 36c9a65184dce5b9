#!/usr/bin/env bash
# Time of the statistics page and of the map of a région over 1,000,000 anonymous records
# on PostgreSQL, target < 1 s (tools/bench/statistiques.py). Needs the PostgreSQL server of
# CAPNUM_TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/test): the records go
# to a throw-away schema, dropped afterwards. Needs a quiet machine.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CAPNUM_ROOT"
"$CAPNUM_ROOT/scripts/setup.sh"
python -m tools bench statistiques "$@"
