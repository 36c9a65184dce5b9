#!/usr/bin/env bash
# Schemathesis against the project's own HTTP endpoints (docs/openapi-webchat.yaml) on the
# RUNNING Rasa server (CAPNUM_SERVER_URL, default http://127.0.0.1:$CAPNUM_RASA_PORT):
# no 5xx, documented statuses, content types and bodies, no stack trace.
# Excluded check: unsupported_method (Sanic 21.12's own 405 page has no Allow header; a
# protocol nicety, not a leak). Budget: CAPNUM_FUZZ_HTTP_EXAMPLES test cases per operation and phase (default 50).
# schemathesis runs in its own environment (.venv-fuzz, requirements-fuzz.lock).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CAPNUM_ROOT"
FUZZ_VENV="${CAPNUM_FUZZ_VENV:-$CAPNUM_ROOT/.venv-fuzz}"
URL="${CAPNUM_SERVER_URL:-http://127.0.0.1:$CAPNUM_RASA_PORT}"
EXAMPLES="${CAPNUM_FUZZ_HTTP_EXAMPLES:-50}"

source "$CAPNUM_ROOT/scripts/tool-venv.sh"
ensure_tool_venv "$FUZZ_VENV" requirements-fuzz.lock schemathesis

mkdir -p results/fuzz
echo "==> schemathesis : $URL, $EXAMPLES cas par opération et par phase"
PYTHONPATH="$CAPNUM_ROOT/tests/support" SCHEMATHESIS_HOOKS=schemathesis_hooks \
  "$FUZZ_VENV/bin/schemathesis" run docs/openapi-webchat.yaml --url "$URL" \
  --checks all --exclude-checks unsupported_method --max-examples "$EXAMPLES" --seed "${CAPNUM_FUZZ_SEED:-20261129}" \
  --workers 1 --request-timeout 60 --generation-database none \
  --report junit --report-junit-path results/fuzz/schemathesis.xml
