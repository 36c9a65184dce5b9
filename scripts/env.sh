# Shared settings for the project's scripts (sourced, not run). Safe local defaults;
# every value can be overridden from the environment (see README and .env.example).
CAPNUM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CAPNUM_ROOT
export CAPNUM_VENV="${CAPNUM_VENV:-$CAPNUM_ROOT/.venv}"
export CAPNUM_DATABASE_URL="${CAPNUM_DATABASE_URL:-sqlite:///$CAPNUM_ROOT/var/capnum.db}"
export CAPNUM_TRACKER_URL="${CAPNUM_TRACKER_URL:-sqlite:///$CAPNUM_ROOT/var/tracker.db}"
export CAPNUM_ACTION_PORT="${CAPNUM_ACTION_PORT:-5055}"
export CAPNUM_RASA_PORT="${CAPNUM_RASA_PORT:-5005}"
export CAPNUM_ACTION_URL="${CAPNUM_ACTION_URL:-http://127.0.0.1:$CAPNUM_ACTION_PORT/webhook}"
# Public address of the Rasa server (links sent to users, e.g. the privacy page) and how
# long an inactive conversation is kept (days; `capnum donnees purger`).
export CAPNUM_PUBLIC_URL="${CAPNUM_PUBLIC_URL:-http://127.0.0.1:$CAPNUM_RASA_PORT}"
export CAPNUM_RETENTION_DAYS="${CAPNUM_RETENTION_DAYS:-30}"
export CAPNUM_WEB_ORIGINS="${CAPNUM_WEB_ORIGINS:-}"
# Web chat messages a minute from one client address (a class behind one NAT: be generous).
export CAPNUM_WEB_RATE_ADDRESS="${CAPNUM_WEB_RATE_ADDRESS:-300}"
# ... and from one conversation (after a burst of 8).
export CAPNUM_WEB_RATE_CONVERSATION="${CAPNUM_WEB_RATE_CONVERSATION:-20}"
export CAPNUM_CHROMIUM="${CAPNUM_CHROMIUM:-/usr/bin/chromium}"
# Telegram channel (docs/channels.md): empty token and secret = channel off (webhook 503).
export CAPNUM_TELEGRAM_TOKEN="${CAPNUM_TELEGRAM_TOKEN:-}"
export CAPNUM_TELEGRAM_SECRET="${CAPNUM_TELEGRAM_SECRET:-}"
export CAPNUM_TELEGRAM_API_URL="${CAPNUM_TELEGRAM_API_URL:-https://api.telegram.org}"
export CAPNUM_TELEGRAM_BOT_USERNAME="${CAPNUM_TELEGRAM_BOT_USERNAME:-}"
export PATH="$CAPNUM_VENV/bin:$PATH"
# Rasa and TensorFlow: no telemetry, quiet logs, everything offline.
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL=2
export HF_HUB_OFFLINE=1
export SQLALCHEMY_SILENCE_UBER_WARNING=1
# Deprecation notices of the libraries (TensorFlow, pkg_resources, SQLAlchemy 2.0) are not
# ours to fix and drown the logs.
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore::DeprecationWarning}"
