#!/usr/bin/env bash
# make demo: serve the bundled Bến Tre replica on 127.0.0.1, crawl it into demo.db, search it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
DB=${DEMO_DB:-demo.db}
rm -f "$DB" "$DB-wal" "$DB-shm"

urlfile=$(mktemp)
"$BIN/python" -m replicas.serve bentre --port 0 >"$urlfile" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$urlfile"' EXIT
for _ in $(seq 100); do [ -s "$urlfile" ] && break; sleep 0.1; done
url=$(head -n 1 "$urlfile")
[ -n "$url" ] || { echo "demo: the replica server did not start" >&2; exit 1; }
echo "Replica of truongchinhtribentre.edu.vn serving at $url"
echo

echo "\$ luutru crawl bentre --base-url $url --db $DB --delay 0 --concurrency 4"
"$BIN/luutru" crawl bentre --base-url "$url" --db "$DB" --delay 0 --concurrency 4
echo
echo "\$ luutru search \"sinh hoat chi bo\" --db $DB --limit 3"
"$BIN/luutru" search "sinh hoat chi bo" --db "$DB" --limit 3
echo "\$ luutru stats --db $DB"
"$BIN/luutru" stats --db "$DB"
