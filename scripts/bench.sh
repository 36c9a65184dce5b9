#!/usr/bin/env bash
# Conversational benchmark (issue 8): Cap Num and a reference assistant made by
# `rasa init`, trained and run on this machine, under the same load; writes
# bench/results/latest.json and the "Charge conversationnelle" section of docs/benchmarks.md.
# Own ports (5305/5355, reference 5395): it can run beside `make run`. Needs a quiet machine.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CAPNUM_ROOT"
source "$CAPNUM_ROOT/scripts/servers.sh"
measurement_stack "${CAPNUM_BENCH_PORT:-5305}" "${CAPNUM_BENCH_ACTION_PORT:-5355}" bench
REF_PORT="${CAPNUM_BENCH_REF_PORT:-5395}"
REF="$CAPNUM_ROOT/var/bench/reference"

"$CAPNUM_ROOT/scripts/setup.sh"
"$CAPNUM_ROOT/scripts/train.sh"
temps=""
if [ ! -d "$REF/models" ]; then
  echo "==> Assistant de référence : rasa init (projet d'exemple de Rasa 3.6, entraîné ici)"
  rm -rf "$REF" && mkdir -p "$REF"
  started=$SECONDS
  (cd "$REF" && rasa init --no-prompt --init-dir . >"$CAPNUM_ROOT/var/bench-reference-init.log" 2>&1)
  echo $((SECONDS - started)) >"$REF/.training-seconds"
fi
if [ -f "$REF/.training-seconds" ]; then
  temps+="reference_entrainement_s=$(cat "$REF/.training-seconds"),"
fi
rm -f "$REF/tracker.db"
if [ -f models/.full-training-seconds ]; then
  temps+="capnum_entrainement_s=$(cat models/.full-training-seconds),"
fi
# Same conditions as Cap Num: a SQL tracker store (SQLite), not rasa init's in-memory one.
printf 'tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: %s\n' "$REF/tracker.db" >"$REF/endpoints-bench.yml"

first_answer() {  # webhook URL: seconds until it answers 200
  python - "$1" <<'PY'
import json, secrets, sys, time, urllib.error, urllib.request
start = time.monotonic()
# A random id: the web chat refuses guessable ones such as "bench-start-0000000".
body = json.dumps({"sender": f"bench-start-{secrets.token_hex(16)}", "message": "bonjour"}).encode()
while time.monotonic() - start < 300:
    try:
        req = urllib.request.Request(sys.argv[1], data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            if r.status == 200:
                break
    except urllib.error.HTTPError as exc:
        if 400 <= exc.code < 500:  # refused, not starting: waiting would only hide it
            sys.exit(f"ERREUR : {sys.argv[1]} refuse le premier message ({exc.code}).")
        time.sleep(0.2)
    except Exception:
        time.sleep(0.2)
else:
    sys.exit(f"ERREUR : {sys.argv[1]} ne répond pas après 300 s.")
print(f"{time.monotonic() - start:.1f}")
PY
}

trap stop_servers EXIT INT TERM
start_actions
launched=$(date +%s.%N)
python -m bot.server --model models --endpoints endpoints.yml --credentials credentials.yml \
  --interface 127.0.0.1 --port "$CAPNUM_RASA_PORT" --enable-api \
  >"$CAPNUM_ROOT/var/rasa-bench.log" 2>&1 &
rasa_pid=$!
CAPNUM_PIDS+=("$rasa_pid")
waited=$(first_answer "http://127.0.0.1:$CAPNUM_RASA_PORT/webhooks/webchat/webhook")
temps+="capnum_demarrage_s=$(python -c "import time; print(round(time.time() - $launched, 1))"),"
echo "Cap Num répond (premier message après ${waited} s d'attente)."
launched=$(date +%s.%N)
(cd "$REF" && exec rasa run --model models --endpoints endpoints-bench.yml \
  --interface 127.0.0.1 --port "$REF_PORT" \
  >"$CAPNUM_ROOT/var/rasa-reference.log" 2>&1) &
ref_pid=$!
CAPNUM_PIDS+=("$ref_pid")
first_answer "http://127.0.0.1:$REF_PORT/webhooks/rest/webhook" >/dev/null
temps+="reference_demarrage_s=$(python -c "import time; print(round(time.time() - $launched, 1))")"
actions_pid=$(pgrep -f "bot.actions --port $CAPNUM_ACTION_PORT" | head -n1 || true)

python -m tools bench charge --url "http://127.0.0.1:$CAPNUM_RASA_PORT/webhooks/webchat/webhook" \
  --reference-url "http://127.0.0.1:$REF_PORT/webhooks/rest/webhook" \
  --action-url "http://127.0.0.1:$CAPNUM_ACTION_PORT/webhook" \
  --duree "${CAPNUM_BENCH_DUREE:-20}" --temps "$temps" \
  --pids "serveur Rasa=$rasa_pid,serveur d'actions=${actions_pid:-0},référence=$ref_pid"
