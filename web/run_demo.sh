#!/usr/bin/env bash
# Start the Setara web platform on the embedded defaults: gunicorn + the task worker.
# Used by `make demo`; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")"
BIN="${BIN:-../.venv/bin}"
HOST="${SETARA_HOST:-127.0.0.1}"
PORT="${SETARA_PORT:-8000}"
"$BIN/python" manage.py db_worker --interval 1 --no-reload &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
cat <<TEXT

  Setara is running at http://$HOST:$PORT/
  Demo logins (password: setara-demo-2026):
    admin.bappenas     agency admin, Bappenas
    manajer.bappenas   manager, Bappenas (share, publish, delete)
    analis.bappenas    analyst, Bappenas (upload, map, run)
    viewer.bappenas    viewer, Bappenas (read only)
    analis.jabar       analyst, Bappeda Jawa Barat (sees the shared economic diagnostic)
    partner.worldbank  viewer, World Bank (sees the shared economic diagnostic)
    viewer.ntt         viewer, Bappeda NTT (an outsider to Bappenas' work)
  Stop with Ctrl-C.

TEXT
"$BIN/gunicorn" setara_web.wsgi --bind "$HOST:$PORT" --workers "${SETARA_WEB_WORKERS:-4}" \
  --threads 2 --access-logfile - --log-level warning
