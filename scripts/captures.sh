#!/usr/bin/env bash
# Regenerates the web chat screenshots in docs/: installs what is missing, starts the
# assistant on its own ports, plays a conversation in headless Chromium, stops.
set -euo pipefail
export CAPNUM_RASA_PORT="${CAPNUM_CAPTURES_PORT:-5015}" CAPNUM_ACTION_PORT="${CAPNUM_CAPTURES_ACTION_PORT:-5065}"
source "$(dirname "$0")/env.sh"
cd "$CAPNUM_ROOT"
"$CAPNUM_ROOT/scripts/setup.sh"
"$CAPNUM_ROOT/scripts/setup-browser.sh"
"$CAPNUM_ROOT/scripts/train.sh"
export CAPNUM_RASA_TOKEN="${CAPNUM_RASA_TOKEN:-$(python -c 'import secrets; print(secrets.token_hex(12))')}"
export CAPNUM_TRACKER_URL="sqlite:///$CAPNUM_ROOT/var/tracker-captures.db"
rm -f "$CAPNUM_ROOT/var/tracker-captures.db"
source "$CAPNUM_ROOT/scripts/servers.sh"
trap stop_servers EXIT
start_servers
python -m tools webchat captures --url "http://127.0.0.1:$CAPNUM_RASA_PORT" --sortie docs
