#!/usr/bin/env bash
# Benchmarks for docs/BENCHMARKS.md. Run from the repository root on an idle machine:
#   bash bench/run.sh            # everything (a few minutes)
# Needs ../shared/data (the IANA CSV, /etc/services); installs hyperfine and a Python venv
# with port-for and sqlite-utils for the side-by-side numbers. Results: bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
data=${PORTREG_BENCH_DATA:-$root/../shared/data}
out=$root/bench/out
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
iana=$data/service-names-port-numbers.csv
[ -f "$iana" ] || { echo "bench: $iana not found (the IANA CSV from ../shared/data)"; exit 66; }

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
if [ ! -x bench/.venv/bin/sqlite-utils ]; then
    python3 -m venv bench/.venv
    bench/.venv/bin/pip install -q port-for sqlite-utils
fi
swift build -c release >/dev/null
bin=$root/.build/release/portreg
hf() { hyperfine -N --warmup 3 --style basic "$@"; }
export PORTREG_DB=$work/lookup.db

echo "== start-up and one lookup (catalog: full IANA + built-in common)"
"$bin" import "$iana" >/dev/null
sqlite3 "$work/plain.db" ".import --csv $iana t" "CREATE INDEX t_port ON t(\"Port Number\")"
hf --export-markdown "$out/lookup.md" \
    "$bin lookup 5432" \
    "getent services 5432" \
    "sqlite3 $work/plain.db \"SELECT * FROM t WHERE \\\"Port Number\\\" = '5432'\"" \
    "$root/bench/.venv/bin/port-for --list"

echo "== 10,000 lookups in one process"
python3 - "$work/queries.txt" <<'PY'
import random, sys
random.seed(7)
names = ["postgresql", "x11", "http", "ssh", "domain", "mysql", "redis", "kerberos", "www", "nosuch"]
qs = []
for _ in range(10000):
    r = random.random()
    if r < 0.5: qs.append(str(random.randint(1, 65535)))
    elif r < 0.7: qs.append("%d/udp" % random.randint(1, 65535))
    elif r < 0.8:
        a = random.randint(1, 65000); qs.append("%d-%d" % (a, a + random.randint(0, 20)))
    else: qs.append(random.choice(names))
open(sys.argv[1], "w").write("\n".join(qs) + "\n")
PY
hf --export-markdown "$out/bulk-lookup.md" -i "sh -c '$bin lookup - < $work/queries.txt > /dev/null 2>&1'"

echo "== import of the IANA CSV into a new database"
hf --export-markdown "$out/import.md" --prepare "rm -f $work/i.db $work/i.db-wal $work/i.db-shm $work/s.db $work/u.db" \
    "env PORTREG_DB=$work/i.db $bin import $iana" \
    "sqlite3 $work/s.db '.import --csv $iana t'" \
    "$root/bench/.venv/bin/sqlite-utils insert $work/u.db t $iana --csv"
rm -f "$work"/i.db*
/usr/bin/time -f "portreg import peak RSS: %M KB" env PORTREG_DB=$work/i.db "$bin" import "$iana" 2>&1 >/dev/null | tail -1 | tee "$out/import-memory.txt"

echo "== concurrency: 64 processes x 5 rounds of reserve"
rm -f "$work"/c.db*
"$bin" catalog --db "$work/c.db" >/dev/null
bash bench/concurrent_reserve.sh "$bin" "$work/c.db" 64 5 | tee "$out/concurrency.txt"

echo "== conflicts and reserve on 10k and 100k assignments over 100 hosts"
for n in 10000 100000; do
    python3 bench/gen_registry.py $n 100 > "$work/a$n.csv"
    rm -f "$work"/r$n.db*
    "$bin" import --db "$work/r$n.db" "$work/a$n.csv" >/dev/null
done
hf --export-markdown "$out/conflicts.md" -i \
    "$bin conflicts --db $work/r10000.db" \
    "$bin conflicts --db $work/r100000.db"
hf --export-markdown "$out/reserve.md" --prepare "sh -c '$bin remove --db $work/r100000.db bench-svc >/dev/null 2>&1 || true'" \
    "$bin reserve --db $work/r100000.db bench-svc"

echo "== 1,000,000-row registry CSV"
python3 bench/gen_registry.py 1000000 100 > "$work/a1m.csv"
rm -f "$work"/m.db*
/usr/bin/time -f "import 1M: %e s, peak RSS %M KB" "$bin" import --db "$work/m.db" "$work/a1m.csv" 2>&1 >/dev/null | tail -1 | tee "$out/million.txt"
/usr/bin/time -f "export 1M: %e s, peak RSS %M KB" "$bin" export --db "$work/m.db" -o "$work/e1m.csv" 2>&1 | tail -1 | tee -a "$out/million.txt"
cmp "$work/a1m.csv" "$work/e1m.csv" && echo "export is byte-identical to the imported file" | tee -a "$out/million.txt"
echo "== check: 1,000 Compose files, 10,000 port mappings"
python3 bench/gen_compose.py "$work/compose-tree" 1000 10000
printf 'service,port,protocol,host,bind,owner,note,created_at,expires_at\n' > "$work/empty-ports.csv"
hf --export-markdown "$out/check.md" -i \
    "$bin check $work/compose-tree" \
    "$bin check --assignments $work/empty-ports.csv $work/compose-tree"
echo "results in $out"
