#!/usr/bin/env bash
# The release build of a package: `swift build -c release` with the checkout's folder mapped
# to `.` in everything the compilers write (#file strings, debug information, the clang
# modules' paths), so two clones of one commit in different folders build byte-identical
# binaries, and so byte-identical packages (docs/BENCHMARKS.md, "Reproducible across
# folders"). The GNU build ID is a hash of the linked file, so it follows. Extra arguments go
# to swift build. scripts/package-deb.sh and .ci/run build with it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
exec swift build -c release \
    -Xswiftc -file-prefix-map -Xswiftc "$root=." \
    -Xcc "-ffile-prefix-map=$root=." \
    "$@"
