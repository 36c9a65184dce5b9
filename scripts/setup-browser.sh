#!/usr/bin/env bash
# Installs what the browser tests need: Debian's Chromium (Playwright drives it; its own
# browser download does not work offline) and axe-core from npm (package-lock.json).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$CAPNUM_ROOT"

if [ ! -x "$CAPNUM_CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> Installation de Chromium (paquet Debian chromium)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q chromium >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
  fi
  if [ ! -x "$CAPNUM_CHROMIUM" ]; then
    echo "ERREUR : Chromium est introuvable ($CAPNUM_CHROMIUM)." >&2
    echo "Installez-le (« sudo apt-get install chromium ») ou indiquez son chemin dans CAPNUM_CHROMIUM." >&2
    exit 1
  fi
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "ERREUR : npm est introuvable ; il installe axe-core pour les tests d'accessibilité." >&2
  exit 1
fi
stamp=node_modules/.capnum-installed
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> Installation d'axe-core (npm ci)"
  npm ci --no-audit --no-fund --silent
  echo "$want" > "$stamp"
fi
echo "Chromium : $("$CAPNUM_CHROMIUM" --version 2>/dev/null | head -n1) ; axe-core $(node -p 'require("./node_modules/axe-core/package.json").version')"
