#!/usr/bin/env bash
# Scale-out deployment on this machine, with the configuration files a production
# deployment uses: PostgreSQL (catalogue and conversations), Redis lock store, several
# Rasa servers behind nginx, one action server. `make scale` keeps it running;
# CAPNUM_SCALE_TEST=1 runs the scale-out tests (pytest -m scale) and stops.
set -euo pipefail
source "$(dirname "$0")/env.sh"
# Own ports, so that it can run beside `make run` or the test servers.
export CAPNUM_ACTION_PORT="${CAPNUM_SCALE_ACTION_PORT:-5065}"
export CAPNUM_ACTION_URL="http://127.0.0.1:$CAPNUM_ACTION_PORT/webhook"
cd "$CAPNUM_ROOT"

SERVERS="${CAPNUM_SCALE_SERVERS:-2}"
FIRST_PORT="${CAPNUM_SCALE_FIRST_PORT:-5006}"
LB_PORT="${CAPNUM_LB_PORT:-5080}"
export CAPNUM_DATABASE_URL="${CAPNUM_SCALE_PG_URL:-postgresql://postgres@127.0.0.1:5432/test}"
export CAPNUM_TRACKER_URL="$CAPNUM_DATABASE_URL"
export CAPNUM_ENDPOINTS=endpoints-scale.yml
export CAPNUM_REDIS_HOST="${CAPNUM_REDIS_HOST:-127.0.0.1}" CAPNUM_REDIS_PORT="${CAPNUM_REDIS_PORT:-6379}"
export CAPNUM_REDIS_DB="${CAPNUM_REDIS_DB:-1}"
# Rate limits, replay memory and console versions shared by the servers (bot/shared_state.py).
export CAPNUM_REDIS_URL="redis://$CAPNUM_REDIS_HOST:$CAPNUM_REDIS_PORT/$CAPNUM_REDIS_DB"
# Behind nginx: the client's address is the one nginx puts in X-Forwarded-For.
export SANIC_PROXIES_COUNT=1
# A lock left by a killed server blocks its conversation this long (Rasa's default: 60 s).
export TICKET_LOCK_LIFETIME="${TICKET_LOCK_LIFETIME:-10}"
export CAPNUM_PUBLIC_URL="${CAPNUM_SCALE_PUBLIC_URL:-http://127.0.0.1:$LB_PORT}"

if [ "${CAPNUM_SCALE_TEST:-}" = 1 ]; then
  # The test load comes from this machine's address and replays conversations quickly:
  # exempt from the limits, which the tests check with other (forwarded) addresses at the
  # default rates (set here: `make test` lifts them for its single-server steps).
  export CAPNUM_WEB_RATE_EXEMPT=127.0.0.1 CAPNUM_WEB_RATE_ADDRESS=300 CAPNUM_WEB_RATE_CONVERSATION=20
fi

"$CAPNUM_ROOT/scripts/setup.sh"
if ! command -v nginx >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installation de nginx (paquet Debian nginx-light, sans démarrer son service)"
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >/dev/null; }
    rm -f /usr/sbin/policy-rc.d
  fi
  command -v nginx >/dev/null 2>&1 || { echo "ERREUR : nginx est introuvable (sudo apt-get install nginx-light)." >&2; exit 1; }
fi
python - <<'PY' || { echo "ERREUR : Redis ne répond pas sur $CAPNUM_REDIS_HOST:$CAPNUM_REDIS_PORT." >&2; exit 1; }
import os, redis
redis.Redis(host=os.environ["CAPNUM_REDIS_HOST"], port=int(os.environ["CAPNUM_REDIS_PORT"])).ping()
PY
capnum catalogue migrate
capnum catalogue load --if-changed
"$CAPNUM_ROOT/scripts/train.sh"
export CAPNUM_RASA_TOKEN="${CAPNUM_RASA_TOKEN:-$(python -c 'import secrets; print(secrets.token_urlsafe(24))')}"

source "$CAPNUM_ROOT/scripts/servers.sh"
trap stop_servers EXIT INT TERM
start_actions
urls=() upstreams=""
for i in $(seq 0 $((SERVERS - 1))); do
  port=$((FIRST_PORT + i))
  start_rasa "$port" "$CAPNUM_ROOT/var/rasa-$port.log"
  urls+=("http://127.0.0.1:$port")
  upstreams+="        server 127.0.0.1:$port max_fails=1 fail_timeout=10s;"$'\n'
done
run="$CAPNUM_ROOT/var/nginx"
mkdir -p "$run"
python - "$run" "$LB_PORT" "$upstreams" <<'PY'
import sys
from pathlib import Path
run, port, upstreams = sys.argv[1:]
text = Path("deploy/nginx.conf.template").read_text(encoding="utf-8")
text = text.replace("@RUNDIR@", run).replace("@PORT@", port).replace("@UPSTREAMS@", upstreams.rstrip())
Path(run, "nginx.conf").write_text(text, encoding="utf-8")
PY
nginx -t -q -c "$run/nginx.conf" -p "$run"
nginx -c "$run/nginx.conf" -p "$run" -g "daemon off;" &
CAPNUM_PIDS+=($!)
wait_for_url "http://127.0.0.1:$LB_PORT/webhooks/webchat/" 30 "nginx"
export CAPNUM_LB_URL="http://127.0.0.1:$LB_PORT"
CAPNUM_SCALE_URLS="$(IFS=,; echo "${urls[*]}")"
export CAPNUM_SCALE_URLS
echo
echo "Cap Num sur $SERVERS serveurs Rasa derrière nginx : $CAPNUM_LB_URL/webhooks/webchat/"
echo "Serveurs : $CAPNUM_SCALE_URLS ; conversations et catalogue : PostgreSQL ; verrous : Redis ($CAPNUM_REDIS_HOST:$CAPNUM_REDIS_PORT/$CAPNUM_REDIS_DB)"
if [ "${CAPNUM_SCALE_TEST:-}" = 1 ]; then
  # Throughput of one server against all of them (docs/deployment.md), then the tests
  # (the last one kills a server).
  python -m tools bench serveurs --un "${urls[0]}" --repartiteur "$CAPNUM_LB_URL" --serveurs "$SERVERS" \
    --duree "${CAPNUM_SCALE_BENCH_DUREE:-15}"
  python -m pytest -m scale -p no:cacheprovider -s
  exit
fi
wait
