#!/usr/bin/env bash
# The PostgreSQL numbers of docs/BENCHMARKS.md ("PostgreSQL"), each beside SQLite's:
#   bash bench/postgres.sh
# reserve, whole process, on a 100,000-assignment registry (local Unix socket), and
# 50 processes x 20 reservations at once on each backend. Uses $PORTREG_BENCH_POSTGRES_URL
# when set (a database portreg may write schemas in), else starts a throwaway cluster with
# scripts/postgres-test-server.sh and stops it at the end. Results: bench/out/postgres-*.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/bench/out
work=$(mktemp -d)
cleanup=('rm -rf "$work"')
trap 'for step in "${cleanup[@]}"; do eval "$step"; done' EXIT
mkdir -p "$out"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
swift build -c release >/dev/null
bin=$root/.build/release/portreg
url=${PORTREG_BENCH_POSTGRES_URL:-}
if [ -z "$url" ]; then
    eval "$(scripts/postgres-test-server.sh start)"
    cleanup+=('scripts/postgres-test-server.sh stop "$PORTREG_TEST_POSTGRES_DIR"')
    url=$PORTREG_TEST_POSTGRES_URL
fi
schema() {  # a fresh schema; prints the URL that reaches it
    psql "$url" -qAtX -v ON_ERROR_STOP=1 -c "DROP SCHEMA IF EXISTS $1 CASCADE" -c "CREATE SCHEMA $1" >/dev/null
    echo "$url$([[ $url == *\?* ]] && echo '&' || echo '?')options=-csearch_path%3D$1"
}
export HOME=$work/home PORTREG_CATALOG_DB=$work/catalog.db
hf() { hyperfine -N --warmup 5 --runs 40 --style basic "$@"; }

echo "== reserve on 100,000 assignments over 100 hosts"
python3 bench/gen_registry.py 100000 100 >"$work/r100k.csv"
pg100k=$(schema portreg_bench_100k)
"$bin" import --db "$pg100k" "$work/r100k.csv" >/dev/null
"$bin" import --db "$work/r100k.db" "$work/r100k.csv" >/dev/null
hf --export-markdown "$out/postgres-reserve.md" \
    --prepare "sh -c '$bin remove --db \"$pg100k\" bench-svc >/dev/null 2>&1 || true'" \
    -n "reserve, PostgreSQL (100k)" "$bin reserve --db $pg100k bench-svc --no-probe" \
    --prepare "sh -c '$bin remove --db $work/r100k.db bench-svc >/dev/null 2>&1 || true'" \
    -n "reserve, SQLite (100k)" "$bin reserve --db $work/r100k.db bench-svc --no-probe"
hf --export-markdown "$out/postgres-lookup.md" \
    -n "lookup 5432, PostgreSQL (100k)" "$bin lookup --db $pg100k 5432" \
    -n "lookup 5432, SQLite (100k)" "$bin lookup --db $work/r100k.db 5432"
echo "== export of 100,000 assignments"
# The last reserve run left bench-svc on each, with its own created_at.
"$bin" remove --db "$pg100k" bench-svc >/dev/null
"$bin" remove --db "$work/r100k.db" bench-svc >/dev/null
hyperfine -N --warmup 1 --runs 10 --style basic --export-markdown "$out/postgres-export.md" \
    -n "export, PostgreSQL (100k)" "$bin export --db $pg100k -o $work/pg.csv" \
    -n "export, SQLite (100k)" "$bin export --db $work/r100k.db -o $work/sq.csv"
cmp "$work/pg.csv" "$work/sq.csv" && cmp "$work/pg.csv" "$work/r100k.csv" && echo "exports byte-identical (and equal to the imported file)"

echo "== 50 processes x 20 reservations at once"
{
    echo "PostgreSQL: $(bash bench/concurrent_rounds.sh "$bin" "$(schema portreg_bench_rush)" 50 20)"
    echo "SQLite:     $(bash bench/concurrent_rounds.sh "$bin" "$work/rush.db" 50 20)"
} | tee "$out/postgres-concurrency.txt"
psql "$url" -qAtX -c "DROP SCHEMA portreg_bench_100k CASCADE" -c "DROP SCHEMA portreg_bench_rush CASCADE" >/dev/null
