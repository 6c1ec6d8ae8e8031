#!/usr/bin/env bash
# The release build of a package: `swift build -c release` with the checkout's folder mapped
# to `.` in everything the compilers write (#file strings, debug information, the clang
# modules' paths), so two clones of one commit in different folders build byte-identical
# binaries, and so byte-identical packages (docs/BENCHMARKS.md, "Reproducible across
# folders"). -disable-incremental-llvm-codegen: without it every object file carries a
# `.swift_modhash` section, an MD5 of its LLVM module (whose source_filename is the absolute
# path), that lets a rebuild skip code generation; 2,960 bytes of the binary differed there.
# The GNU build ID is a hash of the linked file, so it then follows. Extra arguments go to
# swift build. scripts/package-deb.sh and .ci/run build with it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
exec swift build -c release \
    -Xswiftc -file-prefix-map -Xswiftc "$root=." \
    -Xcc "-ffile-prefix-map=$root=." \
    -Xswiftc -Xfrontend -Xswiftc -disable-incremental-llvm-codegen \
    "$@"
