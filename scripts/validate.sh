#!/usr/bin/env bash
# Checks the project's data without training: Rasa's own validation (domain, NLU, stories,
# rules), the catalogue files (validated, nothing written) and the tests of the data files.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CAPNUM_ROOT"
"$CAPNUM_ROOT/scripts/setup.sh" >/dev/null
mkdir -p var
echo "==> rasa data validate"
rasa data validate 2>&1 | python -m tools.rasa_log >var/validate.log \
  || { cat var/validate.log; echo "ERREUR : données Rasa invalides" >&2; exit 1; }
echo "Données valides ($(grep -c UserWarning var/validate.log || true) avertissement(s) de Rasa, voir var/validate.log)"
echo "==> Catalogue (validation seule)"
capnum catalogue load --dry-run
echo "==> Tests des fichiers de données"
python -m pytest -q -p no:cacheprovider -m data
