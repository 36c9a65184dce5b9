#!/usr/bin/env bash
# Profile of the hot path (issue 8): py-spy samples the Rasa server while one conversation
# runs as fast as it can (the benchmark's load), then `python -m tools bench profiling` writes the time
# of each stage, per message, to docs/benchmarks.md. Own ports (5405/5455). Needs a quiet
# machine and the right to trace a child process of the same user (or root).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CAPNUM_ROOT"
source "$CAPNUM_ROOT/scripts/servers.sh"
measurement_stack "${CAPNUM_PROFILE_PORT:-5405}" "${CAPNUM_PROFILE_ACTION_PORT:-5455}" profile
DUREE="${CAPNUM_PROFILE_DUREE:-30}"
PROFILE_VENV="$CAPNUM_ROOT/.venv-profile"

"$CAPNUM_ROOT/scripts/setup.sh"
source "$CAPNUM_ROOT/scripts/tool-venv.sh"
ensure_tool_venv "$PROFILE_VENV" requirements-profile.lock py-spy
"$CAPNUM_ROOT/scripts/train.sh"
mkdir -p var/profile
trap stop_servers EXIT INT TERM
start_servers
rasa_pid=$(cat "var/pids/rasa-$CAPNUM_RASA_PORT.pid")
url="http://127.0.0.1:$CAPNUM_RASA_PORT/webhooks/webchat/webhook"
load() {  # seconds: one conversation as fast as it goes; prints the messages answered
  python - "$url" "$1" <<'PY'
import asyncio, sys
from tools.bench.loadgen import load_scripts, run_load
result = asyncio.run(run_load(sys.argv[1], load_scripts(), 1, 0, float(sys.argv[2])))
print(len(result.latencies_ms))
PY
}
echo "==> Mise en route (10 s), puis profilage de $DUREE s"
load 10 >/dev/null
"$PROFILE_VENV/bin/py-spy" record --pid "$rasa_pid" --rate 200 --duration "$DUREE" --format raw \
  --output var/profile/rasa.raw >var/profile/py-spy.log 2>&1 &
spy=$!
sleep 1
messages=$(load "$((DUREE - 2))")
wait "$spy" || { cat var/profile/py-spy.log >&2; echo "ERREUR : py-spy n'a pas pu suivre le serveur Rasa (droits de ptrace ?)." >&2; exit 1; }
python -m tools bench profiling --brut var/profile/rasa.raw --messages "$messages" --duree "$DUREE"
