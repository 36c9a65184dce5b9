# Shared settings for the project's scripts (sourced, not run). Safe local defaults;
# every value can be overridden from the environment (see README and .env.example).
CAPNUM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CAPNUM_ROOT
export CAPNUM_VENV="${CAPNUM_VENV:-$CAPNUM_ROOT/.venv}"
# The settings' defaults live in bot/config.py (DEFAULTS), documented in .env.example.
for _py in "$CAPNUM_VENV/bin/python" python3 python3.10 python; do
  if command -v "$_py" >/dev/null 2>&1; then
    eval "$("$_py" "$CAPNUM_ROOT/bot/config.py")" && break
  fi
done
unset _py
[ -n "${CAPNUM_RASA_PORT:-}" ] || { echo "ERREUR : aucun interpréteur Python pour lire bot/config.py." >&2; return 1 2>/dev/null || exit 1; }
export PATH="$CAPNUM_VENV/bin:$PATH"
# Rasa and TensorFlow: no telemetry, quiet logs, everything offline.
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL=2
export HF_HUB_OFFLINE=1
export SQLALCHEMY_SILENCE_UBER_WARNING=1
# Deprecation notices of the libraries (TensorFlow, pkg_resources, SQLAlchemy 2.0) are not
# ours to fix and drown the logs.
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning}"
