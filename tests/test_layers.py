"""The one-way flow, read from the import statements (tests/import_graph.py): each layer imports only the
layers below it, nothing imports in a circle, the local AWS follows AWS's documentation and never the
project's rules (so a wrong rule of ours meets an emulator that disagrees), config code never imports
cdktf, and constructs do no I/O."""

from __future__ import annotations

import ast
import sys

import pytest

from tests.conftest import ROOT
from tests.import_graph import PACKAGES, cycles, graph, imports_of, module_name, project_files

# Layer -> the project packages it may import (its own included). Lowest first.
MAY_IMPORT = {
    "vpn_schema": {"vpn_schema"},
    "stacks.config": {"vpn_schema", "stacks.config"},
    "modules": {"vpn_schema", "modules"},
    "stacks": {"vpn_schema", "stacks", "modules"},
    "main": {"stacks", "vpn_schema"},
    "vpnctl": {"vpn_schema", "stacks", "modules", "vpnctl", "aws_emulator"},  # it starts the emulator, names its settings
    "aws_emulator": {"aws_emulator"},
}
# Third-party packages a cdktf-free layer must not load.
CDKTF = {"cdktf", "constructs", "jsii", "cdktf_cdktf_provider_aws"}
CDKTF_FREE = ("vpn_schema", "stacks.config", "aws_emulator")
# What constructs may not touch: files, processes, the environment.
IO_MODULES = {"os", "pathlib", "subprocess", "shutil", "io", "tempfile", "socket", "urllib"}


def layer(module: str) -> str:
    """The most specific layer a module belongs to."""
    return max((name for name in MAY_IMPORT if module == name or module.startswith(name + ".")), key=len)


def _package(name: str) -> str:
    return "stacks.config" if name.startswith("stacks.config") else name.split(".")[0]


def test_each_layer_imports_only_the_layers_below_it():
    wrong = {}
    for module, targets in graph(ROOT).items():
        allowed = MAY_IMPORT[layer(module)]
        bad = sorted(t for t in targets if not any(t == a or t.startswith(a + ".") for a in allowed))
        if bad:
            wrong[module] = bad
    assert wrong == {}


def test_no_module_imports_itself_round_a_circle():
    assert cycles(graph(ROOT)) == []


def test_the_graph_sees_imports_inside_functions_and_relative_ones():
    """The checks above would pass vacuously on a reader that saw nothing."""
    edges = graph(ROOT)
    assert "vpnctl.arguments" in edges["vpnctl.cli"]  # imported inside main()
    assert "vpn_schema.aws_rules" in edges["vpn_schema.site"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("package", CDKTF_FREE)
def test_cdktf_free_layers_never_import_cdktf(package):
    files = [p for p in project_files(ROOT) if module_name(ROOT, p).startswith(package)]
    assert files
    wrong = {module_name(ROOT, p): sorted(n for n in imports_of(ROOT, p) if n.split(".")[0] in CDKTF)
             for p in files}
    assert {m: n for m, n in wrong.items() if n} == {}


def test_the_emulator_imports_nothing_of_the_project():
    files = [p for p in project_files(ROOT) if module_name(ROOT, p).startswith("aws_emulator")]
    ours = set(PACKAGES) - {"aws_emulator"}
    wrong = {module_name(ROOT, p): sorted(n for n in imports_of(ROOT, p) if n.split(".")[0] in ours) for p in files}
    assert {m: n for m, n in wrong.items() if n} == {}


def test_constructs_read_no_files_and_no_environment():
    """Constructs get everything through their props; Terraform reads files (`file()`), never the construct."""
    wrong = {}
    for path in sorted((ROOT / "modules").glob("*.py")):
        tree = ast.parse(path.read_text())
        io = {n for n in imports_of(ROOT, path) if n.split(".")[0] in IO_MODULES}
        calls = {node.func.id for node in ast.walk(tree)
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in {"open", "input"}}
        if io | calls:
            wrong[path.name] = sorted(io | calls)
    assert wrong == {}


def test_importing_the_schema_starts_no_jsii():
    import subprocess

    code = ("import sys, vpn_schema.environment, stacks.config; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in {'cdktf', 'jsii', 'constructs'}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                            timeout=120)
    assert result.stdout.strip() == "[]"
