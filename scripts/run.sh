#!/usr/bin/env bash
# Installs what is missing, trains if needed, starts the action server and the Rasa
# server (HTTP API with token, bound to 127.0.0.1) and prints where to chat.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CAPNUM_ROOT"
"$CAPNUM_ROOT/scripts/setup.sh"
"$CAPNUM_ROOT/scripts/train.sh"
if [ -z "${CAPNUM_RASA_TOKEN:-}" ]; then
  CAPNUM_RASA_TOKEN=$(python -c 'import secrets; print(secrets.token_urlsafe(24))')
  export CAPNUM_RASA_TOKEN
  echo "==> CAPNUM_RASA_TOKEN non défini : jeton généré pour cette session : $CAPNUM_RASA_TOKEN"
fi
source "$CAPNUM_ROOT/scripts/servers.sh"
trap stop_servers EXIT INT TERM
start_servers
# Retention: conversations inactive for more than CAPNUM_RETENTION_DAYS days are deleted
# now and then every CAPNUM_PURGE_INTERVAL seconds (6 h by default); see var/purge.log.
(
  while true; do
    capnum donnees purger --jours "$CAPNUM_RETENTION_DAYS" >>"$CAPNUM_ROOT/var/purge.log" 2>&1 || true
    sleep "${CAPNUM_PURGE_INTERVAL:-21600}"
  done
) &
CAPNUM_PIDS+=($!)
echo
echo "Cap Num est prêt : ouvrez http://127.0.0.1:$CAPNUM_RASA_PORT/webhooks/webchat/"
echo "Démonstration du widget pour sites partenaires : http://127.0.0.1:$CAPNUM_RASA_PORT/webhooks/webchat/demo"
echo "Conservation des conversations : $CAPNUM_RETENTION_DAYS jours après le dernier message (var/purge.log)."
echo "API Rasa (jeton CAPNUM_RASA_TOKEN) : http://127.0.0.1:$CAPNUM_RASA_PORT   Ctrl+C pour arrêter."
wait
