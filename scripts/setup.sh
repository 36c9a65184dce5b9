#!/usr/bin/env bash
# Installs what is missing: a Python 3.10 virtual environment in .venv with the pinned
# dependencies (requirements.lock), the project itself, and the catalogue database.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CAPNUM_ROOT"

find_python310() {
  local candidates=("${CAPNUM_PYTHON:-}" "$(command -v python3.10 || true)")
  if command -v pyenv >/dev/null 2>&1; then
    candidates+=("$(pyenv root)"/versions/3.10.*/bin/python3.10)
  fi
  candidates+=("$HOME"/.pyenv/versions/3.10.*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10)
  for py in "${candidates[@]}"; do
    if [ -n "$py" ] && [ -x "$py" ] && "$py" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  return 1
}

if [ ! -x "$CAPNUM_VENV/bin/python" ] || ! "$CAPNUM_VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
  if ! PY=$(find_python310); then
    echo "ERREUR : Python 3.10 est introuvable. Rasa 3.6 en a besoin." >&2
    echo "Installez-le (par exemple « pyenv install 3.10.13 ») ou indiquez son chemin dans CAPNUM_PYTHON." >&2
    exit 1
  fi
  echo "==> Création de l'environnement virtuel avec $PY"
  rm -rf "$CAPNUM_VENV"
  "$PY" -m venv "$CAPNUM_VENV"
fi

stamp="$CAPNUM_VENV/.capnum-installed"
want=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> Installation des dépendances (requirements.lock)"
  "$CAPNUM_VENV/bin/python" -m pip install --quiet --upgrade "pip==24.0"
  "$CAPNUM_VENV/bin/python" -m pip install --quiet -r requirements.lock
  "$CAPNUM_VENV/bin/python" -m pip install --quiet --no-deps --no-build-isolation -e .
  "$CAPNUM_VENV/bin/python" -m pip check
  echo "$want" > "$stamp"
fi

mkdir -p var
capnum catalogue migrate
capnum catalogue load --if-changed
