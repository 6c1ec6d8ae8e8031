#!/usr/bin/env bash
# Growth of `portreg check` with the size of one YAML collection (issue 15): 1x, 10x, 100x of
# a one-list Compose file, a wide ConfigMap, a many-service Compose file (9 MiB at 100x) and a
# many-document Kubernetes stream. Linear means each step costs about 10x the one before.
#
#   bench/yaml_growth.sh [PORTREG_BINARY]     (default .build/debug/portreg)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
binary=$(realpath "${1:-$here/../.build/debug/portreg}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '%-10s %8s %10s %8s %8s %9s\n' kind n bytes wall_s user_s max_kb
for spec in list:500 list:5000 list:50000 configmap:400 configmap:4000 configmap:40000 \
    services:200 services:2000 services:20000 documents:160 documents:1600 documents:16000; do
    kind=${spec%:*}
    n=${spec#*:}
    dir="$work/$kind-$n"
    mkdir -p "$dir"
    case $kind in list | services) file=compose.yaml ;; *) file=$kind.yaml ;; esac
    python3 "$here/gen_yaml_growth.py" "$kind" "$n" "$dir/$file"
    /usr/bin/time -f '%e %U %M' -o "$work/time" "$binary" check "$dir" --db "$work/db.sqlite" >"$work/out" 2>&1 || true
    read -r wall user kb <"$work/time"
    printf '%-10s %8s %10s %8s %8s %9s\n' "$kind" "$n" "$(stat -c %s "$dir/$file")" "$wall" "$user" "$kb"
done
