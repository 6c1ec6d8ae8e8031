#!/usr/bin/env python3
"""Checks what SwiftPM's targets alone cannot: that Package.swift declares the library's layers
in order (docs/ARCHITECTURE.md).

The compiler already refuses an upward reference (a layer imports only the targets it depends
on; .ci/run builds with --explicit-target-dependency-import-check=error) and SwiftPM refuses a
cycle. What is left is the manifest itself, where an upward dependency would be one edit away:
  - every folder of Sources/PortRegistry is a target PortRegistry<Folder> (Registry is the front
    door, PortRegistry) and every such target is in LAYERS;
  - a layer depends only on layers below it, or beside it in the same row;
  - the executable depends on no storage layer (Storage, PostgreSQL) nor on a C library, and
    imports none (SwiftPM lets a target import any module of its dependencies' closure).
Exit status 1 when there is any error, so that .ci/run fails.

Usage: scripts/layer-check.py [--verbose]   (reads `swift package dump-package`)
"""
import json
import os
import subprocess
import sys

# Lower layers first; a layer may depend on layers of lower rows and of its own row.
LAYERS = [
    ["Model"],
    ["System"],
    ["Formats", "Storage", "PostgreSQL"],
    ["Catalog"],
    ["Assignments"],
    ["Conflicts", "Search", "Exchange", "Map"],
    ["ConfigScan"],
    ["Registry"],
]
RANK = {name: index for index, row in enumerate(LAYERS) for name in row}
STORAGE = {"Storage", "PostgreSQL"}
SYSTEM_LIBRARIES = {"CSQLite", "CLibPQ", "CYAML"}


def layer_of(target):
    if target == "PortRegistry":
        return "Registry"
    if target.startswith("PortRegistry") and target[len("PortRegistry"):] in RANK:
        return target[len("PortRegistry"):]
    return None


def dependencies(target):
    names = []
    for dependency in target.get("dependencies", []):
        for kind in ("byName", "target", "product"):
            if kind in dependency:
                names.append(dependency[kind][0])
    return names


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    manifest = json.loads(subprocess.run(
        ["swift", "package", "dump-package"], cwd=root, check=True, capture_output=True, text=True).stdout)
    targets = {target["name"]: target for target in manifest["targets"]}
    errors = []
    folders = sorted(entry for entry in os.listdir(os.path.join(root, "Sources", "PortRegistry"))
                     if os.path.isdir(os.path.join(root, "Sources", "PortRegistry", entry)))
    for folder in folders:
        name = "PortRegistry" if folder == "Registry" else "PortRegistry" + folder
        if folder not in RANK:
            errors.append(f"Sources/PortRegistry/{folder}: error: not a layer of scripts/layer-check.py's LAYERS")
        elif name not in targets:
            errors.append(f"Package.swift: error: Sources/PortRegistry/{folder} is not the target {name}")
    edges = 0
    for name, target in sorted(targets.items()):
        layer = layer_of(name)
        for dependency in dependencies(target):
            used = layer_of(dependency)
            if layer and used:
                edges += 1
                if RANK[used] > RANK[layer]:
                    errors.append(f"Package.swift: error: {name} depends on {dependency}, a higher layer")
                if args_verbose:
                    print(f"{layer} -> {used}")
            if name == "portreg" and (used in STORAGE or dependency in SYSTEM_LIBRARIES):
                errors.append(f"Package.swift: error: the executable depends on {dependency}: it must go through the front door")
    forbidden = {"PortRegistry" + name for name in STORAGE} | SYSTEM_LIBRARIES
    for directory, _, names in os.walk(os.path.join(root, "Sources", "portreg")):
        for file in sorted(names):
            path = os.path.join(directory, file)
            with open(path, encoding="utf-8") as handle:
                for number, line in enumerate(handle, 1):
                    words = line.split()
                    if len(words) >= 2 and words[-2] == "import" and words[-1] in forbidden:
                        errors.append(f"{os.path.relpath(path, root)}:{number}: error: the executable imports "
                                      f"{words[-1]}: it must go through the front door")
    for error in errors:
        print(error)
    print(f"layer-check: {len(folders)} layers, {edges} dependencies between them, {len(errors)} errors")
    return 1 if errors else 0


args_verbose = "--verbose" in sys.argv
if __name__ == "__main__":
    sys.exit(main())
