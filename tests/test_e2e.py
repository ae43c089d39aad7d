"""End-to-end: the README's main command and the cdktf CLI, run as a user runs them."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import subprocess
import time

import pytest

from tests.conftest import ENV_NAMES, ROOT

pytestmark = pytest.mark.e2e


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, **kwargs)


def test_make_run_deploys_dev_to_the_local_emulator_and_prints_what_the_device_needs():
    started = time.monotonic()
    result = run(["make", "run"])
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    deployed = re.search(r"^dev: deployed in (\d+) s$", result.stdout, re.M)
    assert deployed, result.stdout
    site = re.search(r"^  site lab-office: tunnel 1 ([\d.]+), tunnel 2 ([\d.]+)$", result.stdout, re.M)
    assert site, result.stdout
    tunnels = [ipaddress.ip_address(ip) for ip in site.groups()]
    assert tunnels[0] != tunnels[1] and all(ip in ipaddress.ip_network("198.18.0.0/15") for ip in tunnels)
    assert re.search(
        r"^  client_vpn developers: \*\.cvpn-endpoint-[0-9a-f]{17}\.prod\.clientvpn\.eu-central-1\.amazonaws\.com "
        r"\(cvpn-endpoint-[0-9a-f]{17}\)$",
        result.stdout,
        re.M,
    ), result.stdout
    assert "PRIVATE KEY" not in result.stdout + result.stderr
    print(f"make run: {seconds:.0f} s wall, deploy {deployed.group(1)} s")  # shown with -rP; see the README on timing
    assert (ROOT / "cdktf.out" / "stacks" / "dev" / "cdk.tf.json").is_file()


def test_cdktf_cli_synth_writes_the_same_three_stacks(tmp_path, synthesized_dir):
    result = run(["npx", "--no-install", "cdktf", "synth", "--output", str(tmp_path)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in (tmp_path / "stacks").iterdir()) == sorted(ENV_NAMES)
    for env in ENV_NAMES:
        ours = json.loads((synthesized_dir / "stacks" / env / "cdk.tf.json").read_text())
        cli = json.loads((tmp_path / "stacks" / env / "cdk.tf.json").read_text())
        assert cli == ours, env


def test_vpnctl_review_local_prints_the_terminal_view_and_writes_the_comment(tmp_path):
    """The review command as the README shows it: a fresh emulator has no state, so prod is all additions."""
    markdown = tmp_path / "review.md"
    result = run([".venv/bin/vpnctl", "review", "prod", "--local", "--build", str(tmp_path / "build"),
                  "--out", str(tmp_path / "out"), "--markdown", str(markdown)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("prod: 49 to add, 0 to change, 0 to replace, 0 to destroy\n")
    assert "  policy: 60 passed, 0 failed" in result.stdout
    text = markdown.read_text()
    assert text.startswith("<!-- vpnctl-review -->\n## VPN plan review\n\n### prod: 49 to add")
    assert "✅ checkov: 60 passed, 0 failed." in text
