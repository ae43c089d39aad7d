"""The project's import graph, read from the source with `ast`: which project module imports which, at any
depth of the file (an import inside a function is a dependency too)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGES = ("vpn_schema", "stacks", "modules", "vpnctl", "aws_emulator")


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(root: Path, path: Path) -> set[str]:
    """Every dotted name the file imports; `from a import b` counts as `a.b` when that is a module."""
    importer, names = module_name(root, path), set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, importer, path.name == "__init__.py")
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def project_files(root: Path) -> list[Path]:
    files = [root / "main.py"]
    for package in PACKAGES:
        files += sorted((root / package).rglob("*.py"))
    return files


def graph(root: Path) -> dict[str, set[str]]:
    """Project module -> the project modules it imports (names that aren't modules are dropped)."""
    files = project_files(root)
    known = {module_name(root, path) for path in files}
    return {module_name(root, path): {name for name in imports_of(root, path) if name in known}
            for path in files}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), or a module importing itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1 or node in edges.get(node, ()):
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found
