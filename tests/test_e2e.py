"""End-to-end: the README's commands and the cdktf CLI, run as a user runs them. `make run` and the
review run as background pipelines (tests/plan_pipelines.py): the first waits on the provider's
association sleeps for minutes, and the other tests need not wait with it."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import subprocess

import pytest

from tests.conftest import ENV_NAMES, LOCAL_STACKS, ROOT

pytestmark = pytest.mark.e2e


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False, **kwargs)


@pytest.mark.pipeline("make-run")
def test_make_run_deploys_dev_to_the_local_emulator_and_prints_what_the_device_needs(lifecycle):
    result = lifecycle.result("make-run")
    assert result["status"] == 0, result["output"] + result["errors"]
    stdout = result["output"]
    deployed = re.search(r"^dev: deployed in (\d+) s$", stdout, re.MULTILINE)
    assert deployed, stdout
    site = re.search(r"^  site lab-office: tunnel 1 ([\d.]+), tunnel 2 ([\d.]+)$", stdout, re.MULTILINE)
    assert site, stdout
    tunnels = [ipaddress.ip_address(ip) for ip in site.groups()]
    assert tunnels[0] != tunnels[1] and all(ip in ipaddress.ip_network("198.18.0.0/15") for ip in tunnels)
    assert re.search(
        r"^  client_vpn developers: \*\.cvpn-endpoint-[0-9a-f]{17}\.prod\.clientvpn\.eu-central-1\.amazonaws\.com "
        r"\(cvpn-endpoint-[0-9a-f]{17}\)$",
        stdout,
        re.MULTILINE,
    ), stdout
    assert "PRIVATE KEY" not in stdout + result["errors"]
    print(f"make run: {result['seconds']:.0f} s wall, deploy {deployed.group(1)} s")  # shown with -rP
    # A --local run synthesizes under the build folder: its local-only override never lands in cdktf.out.
    assert (ROOT / LOCAL_STACKS / "dev" / "cdk.tf.json").is_file()
    assert not (ROOT / "cdktf.out" / "stacks" / "dev" / "local_override.tf.json").exists()


def test_cdktf_cli_synth_writes_the_same_three_stacks(tmp_path, synthesized_dir):
    result = run(["npx", "--no-install", "cdktf", "synth", "--output", str(tmp_path)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in (tmp_path / "stacks").iterdir()) == sorted(ENV_NAMES)
    for env in ENV_NAMES:
        ours = json.loads((synthesized_dir / "stacks" / env / "cdk.tf.json").read_text())
        cli = json.loads((tmp_path / "stacks" / env / "cdk.tf.json").read_text())
        assert cli == ours, env


@pytest.mark.pipeline("review-prod")
def test_vpnctl_review_local_prints_the_terminal_view_and_writes_the_comment(lifecycle):
    """The review command as the README shows it: a fresh emulator has no state, so prod is all additions."""
    result = lifecycle.result("review-prod")
    assert result["status"] == 0, result["output"] + result["errors"]
    assert result["output"].startswith("prod: 49 to add, 0 to change, 0 to replace, 0 to destroy\n"), result["output"]
    assert "  policy: 61 passed, 0 failed" in result["output"]
    text = result["markdown"]
    assert text.startswith("<!-- vpnctl-review -->\n## VPN plan review\n\n| environment | traffic impact | monthly cost |")
    # All additions: nothing that carries traffic today changes, and the bill grows by all of prod.
    assert "| prod | none | \\$498.00 a month + unpriced items | \\+\\$498.00 a month, plus what the unpriced" in text
    assert text.index("#### Impact") < text.index("#### Cost") < text.index("\n#### Added")
    assert "\n### prod: 49 to add" in text
    assert "✅ checkov: 61 passed, 0 failed." in text
