#!/usr/bin/env bash
# The release build of a package: `swift build -c release` with the checkout's folder mapped
# to `.` in everything the compilers write (#file strings, debug information, the clang
# modules' paths), so two clones of one commit in different folders build byte-identical
# binaries, and so byte-identical packages (docs/BENCHMARKS.md, "Reproducible across
# folders"). -disable-incremental-llvm-codegen: otherwise each object file puts in the
# `.swift_modhash` section an MD5 of its LLVM module (whose source_filename is the absolute
# path), which lets a rebuild skip code generation; with the flag its entries are zeros
# (2,960 bytes of the binary differed there).
# -no-clang-module-breadcrumbs: the DWARF of each module otherwise names the clang modules
# it imports by their path in the module cache, whose folder is a hash of the compiler's
# options (absolute include paths among them): 2,575 bytes of .debug_info and .debug_str
# differed, which changed the build ID and the .debug file. The GNU build ID is a hash of
# the linked file, so it then follows. Extra arguments go to swift build.
# scripts/package-deb.sh and .ci/run build with it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
exec swift build -c release \
    -Xswiftc -file-prefix-map -Xswiftc "$root=." \
    -Xcc "-ffile-prefix-map=$root=." \
    -Xswiftc -Xfrontend -Xswiftc -disable-incremental-llvm-codegen \
    -Xswiftc -Xfrontend -Xswiftc -no-clang-module-breadcrumbs \
    "$@"
