#!/usr/bin/env bash
# libFuzzer targets for portreg's parsers (issue 8). From the repository root:
#   bash fuzz/run.sh                 # every target, 60 s each
#   bash fuzz/run.sh csv 300         # one target (csv, services, parsers, check, uri, checkenv, tree) for 300 s
# Builds the library's targets with SwiftPM (instrumented), links each fuzz target against
# them, runs it on a copy of the seed
# corpus (fuzz/corpus/TARGET, committed) growing into fuzz/.work/TARGET (not committed), and
# keeps any crash input in fuzz/.work/crashes/. Not part of `swift build` or CI.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=${1:-"csv services parsers check uri checkenv tree"}
seconds=${2:-60}
work=fuzz/.work
mkdir -p "$work/crashes"
# The library is built by SwiftPM from its own targets (the front door and every layer below
# it), instrumented for libFuzzer and ASan, into .build-fuzz (ignored by git); each target file
# imports the layers it exercises (`@testable`: a debug build, so `package` and internal
# declarations are reachable) and is linked with the layers' object files. No hand list of
# library files: a file added to a layer is in the next fuzz build.
scratch=.build-fuzz
# Coverage and ASan, not SwiftPM's --sanitize fuzzer: that one also builds the build plugins'
# tools (EmbedFiles, BuildCommit) without a main of their own. libFuzzer's main comes with the
# fuzz target's link (-sanitize=fuzzer there).
instrument=(-Xswiftc -O -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table)
echo "== building the library (instrumented, in $scratch)"
swift build --scratch-path "$scratch" "${instrument[@]}" --target PortRegistry 2>&1 \
    | grep -E "error|warning: unre" || true
products=$(swift build --scratch-path "$scratch" "${instrument[@]}" --show-bin-path)
objects=()
while IFS= read -r object; do objects+=("$object"); done < <(find "$products" -path '*/PortRegistry*.build/*.o' | sort)
[ ${#objects[@]} -gt 0 ] || { echo "fuzz: no library objects under $products" >&2; exit 1; }
modules=(-I "$products/Modules" -I "$products")
for map in $(find Sources -name module.modulemap | sort); do modules+=(-I "$(dirname "$map")"); done
for target in $targets; do
    binary=$work/$target
    if [ ! -x "$binary" ] || [ -n "$(find "${objects[@]}" "fuzz/targets/$target.swift" -newer "$binary")" ]; then
        echo "== building $target"
        rm -f "$binary"
        swiftc -O -sanitize=fuzzer,address -parse-as-library "${modules[@]}" "fuzz/targets/$target.swift" "${objects[@]}" \
            -lsqlite3 -Xlinker -l:libyaml.a -o "$binary" 2>&1 | grep -v "Cannot export local symbol" || true
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
