"""`vpnctl deploy dev --local --keep`: the local AWS outlives the deploy until Ctrl-C, recorded for the day-2
commands' `--local`; the run itself is a background pipeline (tests/keep_pipeline.py)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.terraform, pytest.mark.pipeline("deploy-kept")]


@pytest.fixture(scope="module")
def kept(lifecycle):
    return lifecycle.result("deploy-kept")


def test_the_kept_emulator_is_announced_once_the_deploy_succeeded(kept):
    assert kept["held"], kept["output"] + kept["errors"]
    assert "dev: deployed in" in kept["output"]
    line = next(line for line in kept["output"].splitlines() if "stays up" in line)
    assert "http://127.0.0.1:" in line and "vpnctl status|offboard|maintenance dev --local" in line
    assert "Ctrl-C stops it" in line


def test_the_record_of_the_kept_emulator_is_private(kept):
    assert kept["mode"] == 0o600


def test_a_day_2_command_reaches_the_deployed_connection_through_the_record(kept):
    names = [next(t["Value"] for t in c.get("Tags", []) if t["Key"] == "Name") for c in kept["connections"]
             if c["State"] == "available"]
    assert names == ["dev-lab-office"], kept["connections"]


def test_ctrl_c_stops_the_kept_emulator_with_exit_0_and_no_interrupted_run(kept):
    assert kept["status"] == 0, kept["errors"]
    assert "dev: SIGINT: stopping the local AWS" in kept["errors"]
    assert "interrupted" not in kept["errors"], kept["errors"]
    assert not kept["record_left"] and not kept["emulator_left"]


def test_a_local_day_2_command_without_a_kept_emulator_says_how_to_start_one(kept):
    after = kept["offboard_after"]
    assert after.returncode == 1, after.stdout + after.stderr
    assert after.stderr.startswith("vpnctl offboard: no local AWS is running for dev")
    assert "vpnctl deploy dev --local --keep" in after.stderr
