#!/usr/bin/env bash
# Installs what is missing, trains if needed, starts the action server and the Rasa
# server (HTTP API with token, bound to 127.0.0.1) under bot/supervisor.py, which restarts
# them if they stop, and prints where to chat. Ctrl+C stops everything.
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
# bot/supervisor.py starts the action server then the Rasa server (logs in var/), restarts
# one that stops (1 s, 2 s, 4 s… gives up after 5 fast crashes in a row) and runs the
# retention purge: conversations inactive for more than CAPNUM_RETENTION_DAYS days are
# deleted now and then every CAPNUM_PURGE_INTERVAL seconds (6 h by default; var/purge.log).
# In the background then `wait`, so that the trap runs at once on a signal to this script.
python -m bot.supervisor \
  --annonce "" \
  --annonce "Cap Num est prêt : ouvrez http://127.0.0.1:$CAPNUM_RASA_PORT/webhooks/webchat/" \
  --annonce "Démonstration du widget pour sites partenaires : http://127.0.0.1:$CAPNUM_RASA_PORT/webhooks/webchat/demo" \
  --annonce "Console des conseillers : http://127.0.0.1:$CAPNUM_RASA_PORT/webhooks/console/" \
  --annonce "  (aucun compte par défaut ; premier compte : capnum conseil creer-admin --structure \"Mission locale de …\" --identifiant … --nom \"…\")" \
  --annonce "Conservation des conversations : $CAPNUM_RETENTION_DAYS jours après le dernier message (var/purge.log)." \
  --annonce "API Rasa (jeton CAPNUM_RASA_TOKEN) : http://127.0.0.1:$CAPNUM_RASA_PORT   Ctrl+C pour arrêter." &
CAPNUM_PIDS+=($!)
wait "$!"
