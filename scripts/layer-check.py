#!/usr/bin/env python3
"""Checks that the library's folders depend on each other one way only.

Reads every Swift file under Sources/PortRegistry, collects the top-level declarations
(types, protocols, type aliases, functions, lets) of each folder, and then the identifiers
each file uses (comments and string literals removed, string interpolations kept). A folder
that uses a name declared in another folder depends on it. Reported as errors:
  - a use of a folder of a higher layer than the user's (LAYERS below);
  - a dependency cycle between folders (also among folders of one layer);
  - a folder that LAYERS does not know.
Exit status 1 when there is any error, so that .ci/run fails.

Usage: scripts/layer-check.py [--verbose] [ROOT]   (ROOT defaults to Sources/PortRegistry)
"""
import os
import re
import sys

# Lower layers first; a folder may use folders of lower layers, and folders of its own
# layer as long as that makes no cycle.
LAYERS = [
    ["Model"],
    ["Formats", "System"],
    ["Storage", "PostgreSQL"],
    ["Catalog", "Assignments"],
    ["Conflicts", "Search", "Exchange", "ConfigScan", "Map"],
    ["Registry"],
]
RANK = {folder: index for index, layer in enumerate(LAYERS) for folder in layer}

DECLARATION = re.compile(
    r"^(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|fileprivate|private|final|indirect|nonisolated)\s+)*"
    r"(?:struct|class|enum|protocol|typealias|actor|func|let|var)\s+([A-Za-z_]\w*)"
)
IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def code_only(text):
    """The text with comments and string literals blanked; interpolated code is kept."""
    out = []
    i, n = 0, len(text)
    stack = []  # for each open string: [delimiter, interpolation depth stack]

    def in_string():
        return stack and stack[-1][1] == 0

    while i < n:
        if stack and stack[-1][1] == 0:
            delimiter = stack[-1][0]
            if text.startswith("\\(", i):
                stack[-1][1] = 1
                out.append(" (")
                i += 2
            elif text[i] == "\\":
                out.append("  ")
                i += 2
            elif text.startswith(delimiter, i):
                stack.pop()
                out.append(" " * len(delimiter))
                i += len(delimiter)
            else:
                out.append("\n" if text[i] == "\n" else " ")
                i += 1
            continue
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i)
            end = n if end < 0 else end + 2
            out.append("".join("\n" if c == "\n" else " " for c in text[i:end]))
            i = end
        elif text.startswith('"""', i):
            stack.append(['"""', 0])
            out.append("   ")
            i += 3
        elif text[i] == '"':
            stack.append(['"', 0])
            out.append(" ")
            i += 1
        else:
            if stack:  # inside an interpolation
                if text[i] == "(":
                    stack[-1][1] += 1
                elif text[i] == ")":
                    stack[-1][1] -= 1
                    if stack[-1][1] == 0:
                        out.append(" ")
                        i += 1
                        continue
            out.append(text[i])
            i += 1
    return "".join(out)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    verbose = "--verbose" in sys.argv
    root = args[0] if args else os.path.join(os.path.dirname(__file__), "..", "Sources", "PortRegistry")
    files = {}
    for directory, _, names in os.walk(root):
        for name in names:
            if name.endswith(".swift"):
                path = os.path.join(directory, name)
                relative = os.path.relpath(path, root)
                folder = relative.split(os.sep)[0] if os.sep in relative else "."
                with open(path, encoding="utf-8") as handle:
                    files[relative] = (folder, code_only(handle.read()))

    errors = []
    declared = {}
    for relative, (folder, code) in files.items():
        if folder not in RANK:
            errors.append(f"{relative}: folder '{folder}' is not in scripts/layer-check.py's LAYERS")
        for line in code.splitlines():
            match = DECLARATION.match(line)
            if match:
                declared.setdefault(match.group(1), set()).add(folder)
    owner = {name: next(iter(folders)) for name, folders in declared.items() if len(folders) == 1}

    edges = {}
    for relative, (folder, code) in sorted(files.items()):
        for name in sorted(set(IDENTIFIER.findall(code))):
            target = owner.get(name)
            if target is None or target == folder:
                continue
            edges.setdefault((folder, target), []).append((relative, name))

    for (source, target), uses in sorted(edges.items()):
        if source in RANK and target in RANK and RANK[target] > RANK[source]:
            shown = ", ".join(sorted({name for _, name in uses})[:6])
            where = sorted({path for path, _ in uses})[0]
            errors.append(f"{where}: error: {source} uses {target} (a higher layer): {shown}")

    graph = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
    # Cycles: strongly connected components of more than one folder (Tarjan).
    index, low, on_stack, stack, components = {}, {}, set(), [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(set(graph) | {t for ts in graph.values() for t in ts}):
        if node not in index:
            visit(node)
    for component in components:
        errors.append(f"error: dependency cycle between {len(component)} folders: {', '.join(component)}")

    if verbose:
        for (source, target), uses in sorted(edges.items()):
            print(f"{source} -> {target}: {', '.join(sorted({name for _, name in uses}))}")
    for error in errors:
        print(error)
    folders = sorted({folder for folder, _ in files.values()})
    print(f"layer-check: {len(files)} files in {len(folders)} folders, {len(edges)} folder dependencies, "
          f"{len(components)} cycles, {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
