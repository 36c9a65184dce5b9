# Tools whose dependencies clash with Rasa 3.6's pins (pip-audit, schemathesis) get a
# virtual environment of their own, installed exactly from a lock file (sourced).
# shellcheck shell=bash

ensure_tool_venv() {  # venv folder, lock file, tool name
  local venv=$1 lock=$2 name=$3
  local stamp="$venv/.capnum-installed" want
  want=$(sha256sum "$lock" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "==> Installation de $name ($lock) dans $venv"
    rm -rf "$venv"
    "$CAPNUM_VENV/bin/python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet "pip==24.0" 2> >(grep -v "Location '" >&2)
    "$venv/bin/python" -m pip install --quiet --no-deps -r "$lock" 2> >(grep -v "Location '" >&2)
    "$venv/bin/python" -m pip check
    echo "$want" >"$stamp"
  fi
}
