"""End-to-end: the README's main command and the cdktf CLI, run as a user runs them."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from tests.conftest import ENV_NAMES, ROOT

pytestmark = pytest.mark.e2e


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, **kwargs)


def test_make_run_synthesizes_validates_and_plans_every_environment():
    result = run(["make", "run"])
    assert result.returncode == 0, result.stdout + result.stderr
    summaries = dict(re.findall(r"^(\w+): (\d+) to add, 0 to change, 0 to replace, 0 to destroy$", result.stdout, re.M))
    assert summaries == {"dev": "22", "staging": "37", "prod": "49"}
    assert re.search(r"^  \+   3  aws_vpn_connection$", result.stdout, re.M)
    assert re.search(r"^  \+   1  aws_ec2_client_vpn_endpoint$", result.stdout, re.M)
    for env in ENV_NAMES:
        assert (ROOT / "cdktf.out" / "stacks" / env / "cdk.tf.json").is_file()


def test_cdktf_cli_synth_writes_the_same_three_stacks(tmp_path, synthesized_dir):
    result = run(["npx", "--no-install", "cdktf", "synth", "--output", str(tmp_path)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in (tmp_path / "stacks").iterdir()) == sorted(ENV_NAMES)
    for env in ENV_NAMES:
        ours = json.loads((synthesized_dir / "stacks" / env / "cdk.tf.json").read_text())
        cli = json.loads((tmp_path / "stacks" / env / "cdk.tf.json").read_text())
        assert cli == ours, env
