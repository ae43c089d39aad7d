"""The one-way flow, read from the import statements: the local AWS follows AWS's documentation and never
the project's rules (so a wrong rule of ours meets an emulator that disagrees), and config code never
imports cdktf."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT


def imported(folder: Path) -> dict[str, set[str]]:
    """Each file under `folder` -> the top-level packages it imports."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(("folder", "forbidden"), [
    ("aws_emulator", {"modules", "stacks", "vpnctl"}),  # its own package: AWS's limits in aws_limits.py
    ("stacks/config", {"cdktf", "constructs", "jsii", "cdktf_cdktf_provider_aws"}),
])
def test_a_layer_imports_nothing_from_the_layers_it_must_not_know(folder, forbidden):
    wrong = {path: sorted(names & forbidden) for path, names in imported(ROOT / folder).items() if names & forbidden}
    assert wrong == {}
