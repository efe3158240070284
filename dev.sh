#!/usr/bin/env bash
# One entry point for a fresh machine:
#   ./dev.sh app    set everything up, then run the app on the bundled sample organisation
#   ./dev.sh test   set everything up (browser included), then run the whole test suite
set -euo pipefail
cd "$(dirname "$0")"
VENV=.venv
PY="$VENV/bin/python"

setup_python() {
  local reqs=$1
  if [ ! -x "$PY" ]; then python3 -m venv "$VENV"; fi
  local stamp="$VENV/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)-$reqs"
  if [ ! -f "$stamp" ]; then
    "$PY" -m pip install --quiet --upgrade pip
    "$PY" -m pip install --quiet -r "$reqs"
    touch "$stamp"
  fi
}

setup_browser() {
  # Debian's chromium for the Playwright browser tests (Playwright cannot download browsers here).
  if [ -x /usr/bin/chromium ]; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian chromium for the browser tests…"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "note: cannot install chromium (not root, no sudo): browser tests will be skipped" >&2
  fi
}

case "${1:-}" in
  app)
    setup_python requirements.txt
    exec "$VENV/bin/streamlit" run app.py "${@:2}"
    ;;
  test)
    setup_python requirements-dev.txt
    setup_browser
    exec "$PY" -m pytest "${@:2}"
    ;;
  *)
    echo "usage: ./dev.sh app | ./dev.sh test [pytest args]" >&2
    exit 2
    ;;
esac
