#!/usr/bin/env bash
# The cost cliffs of issue 8, for docs/BENCHMARKS.md. From the repository root:
#   bash bench/cliffs.sh [BINARY]      # default: a fresh release build
# Needs ../shared/data (the IANA CSV) and hyperfine. Prints mean times and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
data=${PORTREG_BENCH_DATA:-$root/../shared/data}
iana=$data/service-names-port-numbers.csv
[ -f "$iana" ] || { echo "bench: $iana not found (the IANA CSV from ../shared/data)"; exit 66; }
if [ $# -ge 1 ]; then bin=$1; else swift build -c release >/dev/null; bin=$root/.build/release/portreg; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rss() { /usr/bin/time -f "    %e s, peak RSS %M KB" "$@" 2>&1 >/dev/null | tail -1; }
hf() { hyperfine -N --warmup "${WARMUP:-1}" --runs "${RUNS:-5}" --style basic "$@" | grep -E "Time|±" | head -1; }

echo "== 1. lookup - with 10,000 unmatched names (IANA catalog)"
"$bin" import --db "$work/l.db" "$iana" >/dev/null
python3 - "$work/unmatched.txt" <<'PY'
import random, string, sys
random.seed(11)
words = set()
while len(words) < 10000:
    words.add("zq" + "".join(random.choice(string.ascii_lowercase) for _ in range(random.randint(4, 14))))
open(sys.argv[1], "w").write("\n".join(sorted(words)) + "\n")
PY
hf -i "sh -c '$bin lookup --db $work/l.db - < $work/unmatched.txt > /dev/null 2>&1'"

echo "== 2. add with 300 named catalog rows each covering 1-65535"
python3 - "$work/wide.csv" <<'PY'
import sys
rows = ["Service Name,Port Number,Transport Protocol,Description,Assignee,Contact,Registration Date,"
        "Modification Date,Reference,Service Code,Unauthorized Use Reported,Assignment Notes"]
rows += ["wide%d,1-65535,%s,everything,,,,,,,," % (i, "" if i % 2 else "tcp") for i in range(300)]
open(sys.argv[1], "w").write("\r\n".join(rows) + "\r\n")
PY
"$bin" import --db "$work/w.db" --source common "$work/wide.csv" >/dev/null
hf --prepare "sh -c '$bin remove --db $work/w.db myapp >/dev/null 2>&1 || true'" \
    "$bin add --db $work/w.db myapp 20000"
"$bin" remove --db "$work/w.db" myapp >/dev/null 2>&1 || true
rss "$bin" add --db "$work/w.db" myapp 20000

echo "== 3. import 15,000 claims of one port on distinct bind addresses"
python3 - "$work/binds.csv" <<'PY'
import sys
rows = ["service,port,protocol,host,bind,owner,note,created_at,expires_at"]
rows += ["svc%05d,8080,tcp,*,10.%d.%d.%d,,,2026-11-27T10:00:00Z," % (i, (i + 1) >> 16, ((i + 1) >> 8) & 255, (i + 1) & 255)
         for i in range(15000)]
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
PY
hf --prepare "rm -f $work/b.db $work/b.db-wal $work/b.db-shm" "$bin import --db $work/b.db $work/binds.csv"
rm -f "$work"/b.db*
rss "$bin" import --db "$work/b.db" "$work/binds.csv"

echo "== 4. search note over 1,000,000 assignments"
python3 bench/gen_registry.py 1000000 100 > "$work/a1m.csv"
"$bin" import --db "$work/m.db" "$work/a1m.csv" >/dev/null
hf "$bin search --db $work/m.db note"
rss "$bin" search --db "$work/m.db" note
