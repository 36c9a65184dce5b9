#!/usr/bin/env bash
# Dependency audit: pip-audit on requirements.lock (exact pins, not re-resolved), judged
# against the reviewed accepted risks (security/accepted-risks.yml) by tools.audit.
#   exit 0: every pinned package audited, every finding accepted
#   exit 1: a vulnerability not accepted, or an accepted risk past its review date
#   exit 3: the audit did not happen (vulnerability database unreachable, package unknown)
# pip-audit runs in its own environment (.venv-audit, requirements-audit.lock): it needs a
# newer `packaging` than Rasa 3.6 allows. CAPNUM_AUDIT_SERVICE: pypi (default) or osv.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CAPNUM_ROOT"
AUDIT_VENV="${CAPNUM_AUDIT_VENV:-$CAPNUM_ROOT/.venv-audit}"
SERVICE="${CAPNUM_AUDIT_SERVICE:-pypi}"

source "$CAPNUM_ROOT/scripts/tool-venv.sh"
ensure_tool_venv "$AUDIT_VENV" requirements-audit.lock pip-audit

mkdir -p var/audit
report=var/audit/pip-audit.json
rm -f "$report"
echo "==> pip-audit -r requirements.lock (service : $SERVICE)"
if ! "$AUDIT_VENV/bin/pip-audit" -r requirements.lock --no-deps --disable-pip \
  --vulnerability-service "$SERVICE" --progress-spinner off --format json --output "$report" \
  >var/audit/pip-audit.log 2>&1 || [ ! -s "$report" ]; then
  # pip-audit exits 1 when it finds vulnerabilities (the report is written: judged below);
  # without a report it could not run at all (service unreachable, bad lock file).
  if [ ! -s "$report" ]; then
    tail -5 var/audit/pip-audit.log >&2
    echo "ERREUR : AUDIT DES DÉPENDANCES NON FAIT : pip-audit n'a pas pu interroger le service" \
      "« $SERVICE » (voir var/audit/pip-audit.log)." >&2
    exit 3
  fi
fi
status=0
"$CAPNUM_VENV/bin/python" -m tools.audit "$report" security/accepted-risks.yml || status=$?
if [ "$status" -eq 3 ]; then
  echo "ERREUR : AUDIT DES DÉPENDANCES NON FAIT : aucune base de vulnérabilités n'a répondu" \
    "pour ces paquets (docs/security.md, « Audit des dépendances »)." >&2
fi
exit "$status"
