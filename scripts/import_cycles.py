"""Import circles among frontdesk's modules, counting imports inside functions.

Reads every ``frontdesk/**/*.py`` with ``ast`` (nothing is imported), resolves ``import x``,
``from x import y`` (``y`` a submodule when one exists) and relative imports to modules (importing a submodule
counts as importing the packages it lies in, whose ``__init__`` runs first), and
prints each strongly connected component of more than one module. Exits 1 when one lies
(wholly or partly) under a checked prefix.

    python scripts/import_cycles.py                      # the whole project
    python scripts/import_cycles.py frontdesk.channels.email frontdesk.core
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "frontdesk"


def modules(root: Path = ROOT) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if "migrations" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The longest known module that ``name`` is or lies in."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            # ``from a import b``: b is module a.b when there is one, else a name in a
            targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in known else source for a in node.names]
        for target in targets:
            if not target.startswith(PACKAGE):
                continue
            resolved = _resolve(target, known)
            if resolved is None:
                continue
            # importing a.b.c runs a.b's __init__ too, unless the importer already lives in a.b
            parts = resolved.split(".")
            for depth in range(2, len(parts) + 1):
                name = ".".join(parts[:depth])
                if name in known and name != module and not _under(module, name):
                    found.add(name)
    return found


def graph(root: Path = ROOT) -> dict[str, set[str]]:
    known = modules(root)
    return {module: imports_of(module, path, known) for module, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in edges:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return sorted(found)


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def cycles_under(prefixes: list[str], root: Path = ROOT) -> list[list[str]]:
    """The import circles with a module under one of ``prefixes`` (every circle when none given)."""
    found = cycles(graph(root))
    if not prefixes:
        return found
    return [c for c in found if any(_under(m, p) for m in c for p in prefixes)]


def main(argv: list[str]) -> int:
    found = cycles_under(argv)
    edges = graph()
    for component in found:
        members = set(component)
        print(f"import circle of {len(component)} modules:")
        for module in component:
            inside = sorted(edges[module] & members)
            print(f"  {module} -> {', '.join(inside)}")
    if found:
        return 1
    print("no import circles" + (f" under {', '.join(argv)}" if argv else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
