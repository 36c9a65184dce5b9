#!/usr/bin/env bash
# Installs what is missing and runs every test layer; fails at the first failing layer.
#   1. ruff  2. unit tests (pytest, incl. PostgreSQL, Hypothesis)  2b. dependency audit
#   3. rasa data validate
#   4. training  5. end-to-end test conversations (rasa test core, real action server)
#   6. HTTP conversations against the real Rasa server  6b. 200 simulated conversations
#   (tools/simulation, invariants inv1 inv2 inv4 inv6 inv7 blocking)  6c. HTTP fuzzing (schemathesis)
#   7. the web chat in headless Chromium (Playwright, axe-core)  8. held-out NLU scores
#   9. database outage drill  10. scale-out deployment (nginx, two Rasa servers, PostgreSQL,
#   Redis)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CAPNUM_ROOT"
step() { echo; echo "==> [$(date -u +%T), ${SECONDS}s] $*"; }

step "Installation"
"$CAPNUM_ROOT/scripts/setup.sh"
"$CAPNUM_ROOT/scripts/setup-browser.sh"

step "Lint (ruff)"
ruff check bot tests tools

step "Tests unitaires et d'intégration sans serveur Rasa (pytest : tests/unit, tests/integration ; PostgreSQL, Redis, Hypothesis)"
python -m pytest -m "not server and not drill and not scale" -p no:cacheprovider

step "Audit des dépendances (pip-audit, security/accepted-risks.yml)"
# Exit 3 = no vulnerability database answered: a failure, unless CAPNUM_AUDIT_OFFLINE=warn.
audit=0; "$CAPNUM_ROOT/scripts/audit.sh" 2> >(grep -v "Location '" >&2) || audit=$?
if [ "$audit" -eq 3 ] && [ "${CAPNUM_AUDIT_OFFLINE:-}" = warn ]; then
  echo "AVERTISSEMENT : AUDIT DES DÉPENDANCES NON FAIT (CAPNUM_AUDIT_OFFLINE=warn)" >&2
elif [ "$audit" -ne 0 ]; then exit "$audit"; fi

step "Validation des données Rasa"
rasa data validate 2>&1 | python -m tools.rasa_log >var/validate.log \
  || { cat var/validate.log; echo "ERREUR : données Rasa invalides" >&2; exit 1; }
echo "Données valides ($(grep -c UserWarning var/validate.log || true) avertissement(s) de Rasa, voir var/validate.log)"

step "Entraînement (ignoré si rien n'a changé)"
"$CAPNUM_ROOT/scripts/train.sh"

export CAPNUM_RASA_TOKEN="${CAPNUM_RASA_TOKEN:-test-$(python -c 'import secrets; print(secrets.token_hex(8))')}"
export CAPNUM_TRACKER_URL="sqlite:///$CAPNUM_ROOT/var/tracker-test.db"
rm -f "$CAPNUM_ROOT/var/tracker-test.db"
# A partner site for the browser tests, on an origin the web chat allows.
export CAPNUM_PARTNER_URL="http://localhost:${CAPNUM_PARTNER_PORT:-5099}"
export CAPNUM_WEB_ORIGINS="$CAPNUM_PARTNER_URL"
# Every test client comes from 127.0.0.1: the per-address limit is tested in
# tests/unit/test_webchat.py, the per-conversation one over HTTP.
export CAPNUM_WEB_RATE_ADDRESS=100000
# The same for the console (its sign-in limit is tested in tests/unit/test_console_routes.py).
export CAPNUM_CONSOLE_RATE_ADDRESS=100000 CAPNUM_CONSOLE_RATE_LOGIN=1000
# Telegram channel: the fake Bot API of the tests (tests/support/fake_telegram.py), never a real bot.
export CAPNUM_TELEGRAM_API_URL="http://127.0.0.1:${CAPNUM_TELEGRAM_FAKE_PORT:-5181}"
export CAPNUM_TELEGRAM_TOKEN="123456:test-token" CAPNUM_TELEGRAM_BOT_USERNAME=""
export CAPNUM_TELEGRAM_SECRET="test-$(python -c 'import secrets; print(secrets.token_hex(16))')"
# The test servers log to var/*-test.log (the live var/rasa.log is left alone); the
# security tests read the Rasa log to check that no conversation id stays in it.
export CAPNUM_LOG_SUFFIX=-test CAPNUM_RASA_LOG="$CAPNUM_ROOT/var/rasa-test.log"
source "$CAPNUM_ROOT/scripts/servers.sh"
trap stop_servers EXIT
step "Démarrage du serveur d'actions et du serveur Rasa"
start_servers

# Twice: with Cap Num's patches of Rasa (as the server runs), then with plain Rasa.
for patched in oui non; do
  step "Conversations de test de bout en bout (rasa test core, correctifs de Rasa : $patched)"
  CAPNUM_PATCHES=$patched python -m tools.patched_rasa test core --model models \
    --stories tests/e2e/conversations --endpoints endpoints.yml --out "results/core-$patched" \
    --fail-on-prediction-errors --no-plot --e2e >"var/test-core-$patched.log" 2>&1 \
    || { grep -A40 "WrongPrediction" "var/test-core-$patched.log" || tail -30 "var/test-core-$patched.log"; exit 1; }
  python -m tools.reports core "results/core-$patched"
done

step "Conversations HTTP contre le vrai serveur (pytest -m server)"
export CAPNUM_SERVER_URL="http://127.0.0.1:$CAPNUM_RASA_PORT"
python -m pytest -m "server and not browser" -p no:cacheprovider

step "Simulation de conversations (tools/simulation : 200 conversations, inv1 inv2 inv4 inv6 inv7 bloquants, docs/simulation.md)"
python -m tools.simulation --serveur "$CAPNUM_SERVER_URL" --conversations 200 --strict inv1,inv2,inv4,inv6,inv7

step "Fuzzing HTTP des points d'entrée du chat web (schemathesis, docs/openapi-webchat.yaml)"
"$CAPNUM_ROOT/scripts/fuzz-http.sh"

step "Chat web dans Chromium headless (Playwright, axe-core)"
rm -rf results/browser
python -m pytest -m browser -p no:cacheprovider
python -m tools.reports axe results/browser/axe.json

step "Jeu de test NLU mis de côté (tests/nlu/heldout/, jamais entraîné)"
python -m tools nlu evaluer --modele models/capnum.tar.gz --donnees tests/nlu/heldout \
  --sortie results/nlu/evaluation.json 2>var/evaluation-nlu.log \
  || { tail -20 var/evaluation-nlu.log; exit 1; }
step "Exercice de panne : PostgreSQL arrêté puis relancé sous un serveur Rasa"
CAPNUM_TRACKER_URL="${CAPNUM_TEST_PG_URL:-postgresql://postgres@127.0.0.1:5432/test}" \
  start_rasa "${CAPNUM_DRILL_PORT:-5025}" "$CAPNUM_ROOT/var/rasa-drill.log"
CAPNUM_DRILL_URL="http://127.0.0.1:${CAPNUM_DRILL_PORT:-5025}" \
  python -m pytest -m drill -p no:cacheprovider -s

step "Déploiement multi-serveurs : nginx, 2 serveurs Rasa, PostgreSQL, Redis (pytest -m scale)"
CAPNUM_SCALE_TEST=1 "$CAPNUM_ROOT/scripts/scale.sh" >var/scale-test.log 2>&1 \
  || { grep -vE "Location '|Processed|Epochs" var/scale-test.log | tail -n 80; exit 1; }
grep -E "^Cap Num sur|^Serveurs|^\| |^Rapport des débits|^CPU des serveurs|conversations, |passed" var/scale-test.log

echo
echo "==> Terminé en ${SECONDS}s : tous les tests sont passés."
