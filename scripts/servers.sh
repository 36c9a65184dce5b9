# Start/stop helpers for the action server and the Rasa server (sourced). `make run` starts
# them through bot/supervisor.py (same commands: keep both in step), which restarts them.
# Logs: var/actions$CAPNUM_LOG_SUFFIX.log and var/rasa$CAPNUM_LOG_SUFFIX.log.
# shellcheck shell=bash
CAPNUM_PIDS=()

wait_for_url() {  # url, seconds, what
  local url=$1 seconds=$2 what=$3
  for _ in $(seq 1 "$seconds"); do
    if python - "$url" <<'PY' 2>/dev/null; then return 0; fi
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2)
PY
    sleep 1
  done
  echo "ERREUR : $what ne répond pas sur $url après ${seconds}s (voir var/*.log)." >&2
  return 1
}

measurement_stack() {  # Rasa port, action port, name: a local stack for load measurements
  export CAPNUM_RASA_PORT="$1" CAPNUM_ACTION_PORT="$2"
  # Its own logs (var/actions-NAME.log, var/rasa-NAME.log): never those of `make run`.
  export CAPNUM_LOG_SUFFIX="-$3"
  export CAPNUM_ACTION_URL="http://127.0.0.1:$2/webhook"
  export CAPNUM_TRACKER_URL="sqlite:///$CAPNUM_ROOT/var/tracker-$3.db"
  # The load comes from 127.0.0.1 and replays whole conversations quickly: no rate limits.
  export CAPNUM_WEB_RATE_ADDRESS=100000000 CAPNUM_WEB_RATE_CONVERSATION=100000000
  export CAPNUM_CONSOLE_RATE_ADDRESS=100000000 CAPNUM_CONSOLE_RATE_LOGIN=100000000
  CAPNUM_RASA_TOKEN="${CAPNUM_RASA_TOKEN:-$3-$(python -c 'import secrets; print(secrets.token_hex(8))')}"
  export CAPNUM_RASA_TOKEN
  rm -f "$CAPNUM_ROOT/var/tracker-$3.db"
}

start_servers() {
  start_actions
  start_rasa "$CAPNUM_RASA_PORT" "$CAPNUM_ROOT/var/rasa${CAPNUM_LOG_SUFFIX:-}.log"
}

start_actions() {
  mkdir -p "$CAPNUM_ROOT/var"
  # rasa-sdk binds to SANIC_HOST (0.0.0.0 by default): keep it on the loopback.
  SANIC_HOST="$CAPNUM_ACTION_HOST" python -m bot.actions \
    --port "$CAPNUM_ACTION_PORT" >"$CAPNUM_ROOT/var/actions${CAPNUM_LOG_SUFFIX:-}.log" 2>&1 &
  CAPNUM_PIDS+=($!)
  mkdir -p "$CAPNUM_ROOT/var/pids"
  echo $! >"$CAPNUM_ROOT/var/pids/actions-$CAPNUM_ACTION_PORT.pid"
  wait_for_url "http://127.0.0.1:$CAPNUM_ACTION_PORT/health" 120 "le serveur d'actions"
}

start_rasa() {  # port, log file; tracker store and lock store from CAPNUM_ENDPOINTS
  # The API token: CAPNUM_RASA_TOKEN, read by bot.server (not on the command line: `ps`).
  mkdir -p "$CAPNUM_ROOT/var/pids"
  python -m bot.server --model models --endpoints "$CAPNUM_ENDPOINTS" \
    --credentials credentials.yml --interface 127.0.0.1 --port "$1" --enable-api \
    >"$2" 2>&1 &
  CAPNUM_PIDS+=($!)
  echo $! >"$CAPNUM_ROOT/var/pids/rasa-$1.pid"
  wait_for_url "http://127.0.0.1:$1/webhooks/webchat/" 300 "le serveur Rasa (port $1)"
}

stop_servers() {
  for pid in "${CAPNUM_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
