#!/usr/bin/env bash
# N processes at once, each reserving ROUNDS services one after another, on one registry
# (a SQLite file or a postgres:// URL): the issue-10 bar is 50 x 20 with 0 lost, 0 doubled,
# 0 failed. Prints "N*ROUNDS requested, R reserved, D distinct, K recorded, F failed, T s".
# usage: concurrent_rounds.sh PORTREG_BINARY DB N ROUNDS
set -u
bin=$1 db=$2 n=$3 rounds=$4
out=$(mktemp -d)
"$bin" list --db "$db" >/dev/null  # created, migrated and seeded before the rush
start=$(date +%s.%N)
for i in $(seq 1 "$n"); do
    (
        for round in $(seq 1 "$rounds"); do
            "$bin" reserve --db "$db" "svc-$i-$round" --no-probe >>"$out/$i.out" 2>>"$out/$i.err" \
                || echo "exit $?" >>"$out/$i.failed"
        done
    ) &
done
wait
end=$(date +%s.%N)
failed=$(cat "$out"/*.failed 2>/dev/null | wc -l)
reserved=$(cat "$out"/*.out | wc -l)
distinct=$(cat "$out"/*.out | sort -u | wc -l)
recorded=$("$bin" list --db "$db" --format csv | tail -n +2 | grep -c '^svc-')
echo "$((n * rounds)) requested, $reserved reserved, $distinct distinct, $recorded recorded, $failed failed, $(echo "$end - $start" | bc) s"
cat "$out"/*.err | sort | uniq -c | head -5
rm -rf "$out"
[ "$reserved" -eq $((n * rounds)) ] && [ "$distinct" -eq "$reserved" ] && [ "$recorded" -eq "$reserved" ] && [ "$failed" -eq 0 ]
