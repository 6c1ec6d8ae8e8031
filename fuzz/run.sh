#!/usr/bin/env bash
# libFuzzer targets for portreg's parsers (issue 8). From the repository root:
#   bash fuzz/run.sh                 # every target, 60 s each
#   bash fuzz/run.sh csv 300         # one target (csv, services, parsers) for 300 s
# Builds each target with `swiftc -sanitize=fuzzer,address` from the library's own source
# files (found by name, so a file that moves is still found), runs it on a copy of the seed
# corpus (fuzz/corpus/TARGET, committed) growing into fuzz/.work/TARGET (not committed), and
# keeps any crash input in fuzz/.work/crashes/. Not part of `swift build` or CI.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=${1:-"csv services parsers"}
seconds=${2:-60}
work=fuzz/.work
mkdir -p "$work/crashes"
# Library files the parsers need: no database code but DatabaseError (RegistryError wraps it).
sources=()
for name in CSVReader SHA256 ServicesFile CSVFormat IANARecord CatalogEntry PortRange PortSpec TransportProtocol ASCII SystemCall \
    BindAddress InternetAddress HostScope Assignment RegistryError Diagnostic Timestamp LeaseDuration LookupQuery DatabaseError; do
    file=$(find Sources/PortRegistry -name "$name.swift" | head -1)
    [ -n "$file" ] || { echo "fuzz: $name.swift not found under Sources/PortRegistry" >&2; exit 1; }
    sources+=("$file")
done
for target in $targets; do
    binary=$work/$target
    if [ ! -x "$binary" ] || [ -n "$(find "${sources[@]}" "fuzz/targets/$target.swift" -newer "$binary")" ]; then
        echo "== building $target"
        rm -f "$binary"
        swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name PortRegistry -package-name portreg \
            -I "$(dirname "$(find Sources -name module.modulemap | head -1)")" -lsqlite3 "${sources[@]}" "fuzz/targets/$target.swift" -o "$binary" 2>&1 | grep -v "Cannot export local symbol" || true
        [ -x "$binary" ] || { echo "fuzz: building $target failed" >&2; exit 1; }
    fi
    mkdir -p "$work/corpus-$target"
    echo "== running $target for ${seconds}s"
    # The Swift runtime's backtracer crashes under ASan and hides the report: leave it off.
    SWIFT_BACKTRACE=enable=no "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -max_len=4096 -print_final_stats=1 \
        -artifact_prefix="$work/crashes/$target-" "$work/corpus-$target" "fuzz/corpus/$target" 2>&1 \
        | grep -E "^#[0-9]+[[:space:]]+(INITED|DONE|pulse)|stat::|ERROR|SUMMARY|Test unit written|==[0-9]+==" | tail -30 || true
done
ls "$work/crashes" | sed 's/^/crash input: fuzz\/.work\/crashes\//' 
