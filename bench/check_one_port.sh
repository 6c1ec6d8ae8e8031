#!/bin/sh
# check's cost for N services publishing one port (one finding), and for a realistic tree.
# Usage: bench/check_one_port.sh PORTREG_BINARY [N...]   (default N: 1000 3000)
# Prints, per case: wall seconds, max RSS (KiB), exit status, findings and JSON bytes.
set -eu
binary=${1:?usage: check_one_port.sh PORTREG_BINARY [N...]}
shift
[ $# -gt 0 ] || set -- 1000 3000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PORTREG_DB="$work/registry.db"
here=$(cd "$(dirname "$0")" && pwd)
measure() {
    label=$1
    shift
    /usr/bin/time -v "$binary" check --format json "$@" >"$work/out.json" 2>"$work/time.txt" || true
    status=$(sed -n 's/.*Exit status: //p' "$work/time.txt")
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
    findings=$(grep -c '"kind": "collision"' "$work/out.json" || true)
    bytes=$(wc -c <"$work/out.json")
    echo "$label: wall $wall, max RSS $rss KiB, exit $status, $findings collision findings, $bytes bytes of JSON"
}
for n in "$@"; do
    tree="$work/one-port-$n"
    i=0
    while [ "$i" -lt "$n" ]; do
        mkdir -p "$tree/app$i"
        printf 'services:\n  web%s:\n    image: nginx\n    ports:\n      - "8080:80"\n' "$i" >"$tree/app$i/compose.yaml"
        i=$((i + 1))
    done
    measure "$n services on 8080/tcp" --ephemeral-range none "$tree"
done
python3 "$here/gen_compose.py" "$work/realistic" 1000 10000 >/dev/null
measure "realistic tree (gen_compose.py: 1,000 files, 10,000 ports)" "$work/realistic"
