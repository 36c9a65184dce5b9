#!/usr/bin/env bash
# Time and peak memory of the LHEO import of a generated feed of 100,000 actions, targets
# under 2 minutes and 500 MB (tools/bench/lheo.py): reading and checking alone, then the
# whole import into a temporary SQLite file and into PostgreSQL (the server of
# CAPNUM_TEST_PG_URL, default postgresql://postgres@127.0.0.1:5432/test: a throw-away
# schema, dropped afterwards). Needs a quiet machine and about 400 MB of temporary disk.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CAPNUM_ROOT"
"$CAPNUM_ROOT/scripts/setup.sh"
python -m tools bench lheo "$@"
