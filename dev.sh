#!/usr/bin/env bash
# One entry point for a fresh machine:
#   ./dev.sh app    set everything up, then run the app on the bundled sample organisation
#   ./dev.sh test   set everything up (browser included), lint and type-check, then run the whole test suite
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
  # The project's own bytecode, written ahead: this environment sets PYTHONDONTWRITEBYTECODE, so
  # otherwise every process (the app, each `python -m lib.cli`, its parser child) compiles lib/
  # from source again (about 0.1 s each). Only what changed is compiled again.
  "$PY" -m compileall -q -j 0 lib app_pages app.py >/dev/null
}

setup_browser() {
  # Debian's chromium for the Playwright browser tests (Playwright cannot download browsers here),
  # with an emoji font so screenshots show the page icons.
  if [ -x /usr/bin/chromium ] && [ -d /usr/share/fonts/truetype/noto ]; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian chromium for the browser tests…"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null
  else
    echo "note: cannot install chromium (not root, no sudo): browser tests will be skipped" >&2
  fi
}

setup_postgres() {
  # A throwaway PostgreSQL (Debian's package) for the workspace tests: a fresh cluster in a temp
  # dir on a free loopback port, stopped and removed when this script exits. Exports
  # TEST_DATABASE_URL for pytest; without it the PostgreSQL tests skip (and fail when CI is set).
  if [ -n "${TEST_DATABASE_URL:-}" ]; then return 0; fi
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bindir" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian postgresql for the database tests…"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  fi
  if [ -z "$bindir" ]; then
    echo "note: PostgreSQL is not installed (not root): PostgreSQL tests will be skipped" >&2
    return 0
  fi
  local as=()  # initdb refuses to run as root: run the cluster as the postgres user
  PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sld-postgres.XXXXXX")
  if [ "$(id -u)" = 0 ]; then chown postgres: "$PG_DIR"; as=(runuser -u postgres --); fi
  local port
  port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${as[@]}" "$bindir/initdb" -D "$PG_DIR/data" -U sld -A trust -E UTF8 --no-sync >/dev/null
  PG_STOP=("${as[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -m immediate stop)
  trap 'stop_postgres' EXIT
  "${as[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c fsync=off" start >/dev/null
  "${as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U sld sld_test
  export TEST_DATABASE_URL="postgresql+psycopg://sld@127.0.0.1:$port/sld_test"
}

stop_postgres() {
  "${PG_STOP[@]}" >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}

setup_java() {
  # Debian's Java runtime for Spark (python -m lib.cli ingest --engine spark, and the tests that
  # check Spark gives the same ties as DuckDB: tests/test_ingest_engines.py).
  if command -v java >/dev/null; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's Java runtime for the Spark tests…"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends default-jre-headless >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends default-jre-headless >/dev/null
  else
    echo "note: cannot install Java (not root, no sudo): the Spark tests will be skipped" >&2
  fi
}

setup_office() {
  # LibreOffice Impress and Calc (plus the Calibri-compatible Carlito font) for the tests that open
  # the exported deck and workbook; poppler-utils turns their PDFs into images to look at.
  if command -v soffice >/dev/null && { ! command -v dpkg >/dev/null || dpkg -s libreoffice-calc >/dev/null 2>&1; }; then
    return 0
  fi
  local pkgs="libreoffice-impress libreoffice-calc fonts-crosextra-carlito poppler-utils"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing LibreOffice Impress and Calc for the export tests (a few minutes)…"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
  else
    echo "note: cannot install LibreOffice (not root, no sudo): the deck-opens-in-LibreOffice test will be skipped" >&2
  fi
}

case "${1:-}" in
  app)
    setup_python requirements.txt
    # lib/app/serve.py: builds the sample's fast-loading copy and imports the first screen's code,
    # then runs `streamlit run app.py` in the same process (extra arguments go to streamlit)
    exec "$PY" -m lib.app.serve "${@:2}"
    ;;
  test)
    setup_python requirements-dev.txt
    setup_browser
    setup_office
    setup_java
    setup_postgres
    # The house plan first: lint, format and strict types (pyproject.toml), then every test.
    "$VENV/bin/ruff" check .
    "$VENV/bin/ruff" format --check .
    "$VENV/bin/mypy"
    "$PY" -m pytest "${@:2}"  # not exec: the EXIT trap stops the throwaway PostgreSQL
    ;;
  *)
    echo "usage: ./dev.sh app | ./dev.sh test [pytest args]" >&2
    exit 2
    ;;
esac
