#!/usr/bin/env bash
# N processes at once, R rounds each, all reserving distinct services on one database.
# Prints "N*R reserved, D distinct, K recorded, F failures" and exits 1 unless all hold.
# usage: concurrent_reserve.sh PORTREG_BINARY DB N ROUNDS
set -u
bin=$1 db=$2 n=$3 rounds=$4
out=$(mktemp -d)
for round in $(seq 1 "$rounds"); do
    for i in $(seq 1 "$n"); do
        "$bin" reserve --db "$db" "svc-$round-$i" --no-probe >"$out/$round-$i.out" 2>"$out/$round-$i.err" &
    done
done
wait
failures=$(grep -L . "$out"/*.out | wc -l)
reserved=$(cat "$out"/*.out | wc -l)
distinct=$(cat "$out"/*.out | sort -u | wc -l)
recorded=$("$bin" list --db "$db" --format csv | tail -n +2 | wc -l)
echo "$((n * rounds)) requested, $reserved reserved, $distinct distinct, $recorded recorded, $failures failures"
cat "$out"/*.err | sort | uniq -c | head -5
rm -rf "$out"
[ "$reserved" -eq $((n * rounds)) ] && [ "$distinct" -eq "$reserved" ] && [ "$recorded" -eq "$reserved" ]
