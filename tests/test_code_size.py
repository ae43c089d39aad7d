"""Small files with one job each, and functions a reader takes in at once: no project file over 300 lines and
no function over 60, outside tests. An exception must be named here with the reason it is better whole."""

from __future__ import annotations

import ast

from tests.conftest import ROOT
from tests.import_graph import project_files

MAX_FILE_LINES = 300
MAX_FUNCTION_LINES = 60
# "path" or "path:function" -> why it stays whole.
EXCEPTIONS: dict[str, str] = {}


def checked_files():
    files = project_files(ROOT) + [path for folder in ("examples", "benchmarks", "docs")
                                   for path in sorted((ROOT / folder).rglob("*.py"))]
    assert len(files) > 50  # the walk found the project
    return files


def test_no_file_is_over_300_lines():
    long = {str(p.relative_to(ROOT)): n for p in checked_files()
            if (n := len(p.read_text().splitlines())) > MAX_FILE_LINES}
    assert {path: n for path, n in long.items() if path not in EXCEPTIONS} == {}


def test_no_function_is_over_60_lines():
    long = {}
    for path in checked_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                key = f"{path.relative_to(ROOT)}:{node.name}"
                if length > MAX_FUNCTION_LINES and key not in EXCEPTIONS:
                    long[key] = length
    assert long == {}
