#!/usr/bin/env bash
# Cost of the counsellors' console for the chat (issue 14): 20 shared conversations at
# 20 messages/s, without then with 20 counsellors watching live, twice
# (tools/bench/console.py; bench/results/console.json). Own ports (5405/5455). Needs a
# quiet machine.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CAPNUM_ROOT"
source "$CAPNUM_ROOT/scripts/servers.sh"
measurement_stack "${CAPNUM_BENCH_PORT:-5405}" "${CAPNUM_BENCH_ACTION_PORT:-5455}" bench-console
"$CAPNUM_ROOT/scripts/setup.sh"
"$CAPNUM_ROOT/scripts/train.sh"
trap stop_servers EXIT INT TERM
start_servers
python -m tools bench console --url "http://127.0.0.1:$CAPNUM_RASA_PORT" "$@"
