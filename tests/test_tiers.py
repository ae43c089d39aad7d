"""Selecting part of the suite starts only what that part needs, and the run ends with its last test.

Each case runs pytest in a subprocess and watches, through /proc, every process below it: the
local AWS emulator, Terraform, the cdktf CLI, OpenVPN or strongSwan must not appear.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.processes import command_line, descendants

CHECK_TIER = re.search(r'^CHECK_TIER := (.+)$', (ROOT / "Makefile").read_text(), re.MULTILINE).group(1)
HEAVY = re.compile(r"(^|/)(terraform|openvpn|charon|swanctl)( |$)|-m vpnctl\.emulator|cdktf")
# Seconds of teardown a run may take after its last test: the old bug ran its pipelines on for minutes.
SECONDS_AFTER_LAST_TEST = 20.0


def watched_pytest(*args: str) -> tuple[subprocess.CompletedProcess, set[str], float]:
    """pytest `args` in a subprocess: its result, the heavy processes seen below it, and the seconds
    from its last test's result line to its exit."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    process = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-v", *args], cwd=ROOT,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[tuple[float, str]] = []
    reader = threading.Thread(target=lambda: lines.extend((time.monotonic(), line) for line in process.stdout))
    reader.start()
    seen: set[str] = set()
    while process.poll() is None:
        seen |= {cmd for cmd in map(command_line, descendants(process.pid)) if HEAVY.search(cmd)}
        time.sleep(0.1)  # anything heavy lives for seconds: an emulator takes one just to start
    ended = time.monotonic()
    reader.join()
    output = "".join(line for _, line in lines)
    results = [at for at, line in lines if re.search(r"\s(PASSED|FAILED|ERROR|SKIPPED)\b", line)]
    assert results, output
    return subprocess.CompletedProcess(process.args, process.returncode, output), seen, ended - results[-1]


def test_one_unit_test_selected_by_name_starts_nothing_heavy_and_ends_with_it():
    result, seen, after = watched_pytest("-k", "test_adding_a_site_keeps_existing_addresses")
    assert result.returncode == 0, result.stdout
    assert re.search(r"\d+ passed, \d+ deselected", result.stdout), result.stdout
    assert seen == set()
    assert after < SECONDS_AFTER_LAST_TEST, f"the run went on {after:.1f} s after its last test"


@pytest.mark.parametrize("expression", ["not terraform and not e2e", CHECK_TIER])
def test_the_files_with_pipelines_under_a_tier_expression_start_nothing_heavy(expression):
    """Every file whose tests read pipelines or run software, with one unit test file beside them: the
    expression deselects all of it but the units (and, for the shorter one, the emulator-marked
    tests of the chosen files: none here), so no pipeline may start."""
    files = [str(Path("tests") / name) for name in ("test_apply.py", "test_e2e.py", "test_prod_guard.py",
             "test_device_tunnels.py", "test_client_profiles.py", "test_terraform.py", "test_stable_ids.py")]
    result, seen, after = watched_pytest("-m", expression, *files)
    assert result.returncode == 0, result.stdout
    assert re.search(r"\d+ passed, \d+ deselected", result.stdout), result.stdout
    assert seen == set()
    assert after < SECONDS_AFTER_LAST_TEST, f"the run went on {after:.1f} s after its last test"


@pytest.mark.parametrize("starts, refusal", [
    ("LocalAws('111111111111', tmp_path / 'emulator.log').start()",
     "starts the local AWS emulator but is not marked emulator"),
    ("Terraform(tmp_path, tmp_path / 'terraform.rc').start('version')", "starts Terraform but is not marked terraform"),
], ids=["emulator", "terraform"])
def test_a_test_that_starts_heavy_software_without_its_marker_fails_and_says_so(tmp_path, starts, refusal):
    (tmp_path / "test_unmarked.py").write_text(
        "from vpnctl.emulator_process import LocalAws\nfrom vpnctl.terraform import Terraform\n\n"
        f"def test_unmarked(tmp_path):\n    {starts}\n"
    )
    # The file lies outside tests/, so the project's conftest comes in as a plugin.
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "tests.conftest",
                             str(tmp_path)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 1, result.stdout
    assert refusal in result.stdout
