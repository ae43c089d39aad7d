"""A dead emulator fails whatever needs it at once, naming the emulator and showing the end of its
log: a boto3 client, a Terraform run in the provider's 4-minute association sleep, a pipeline and
the tests that read it, and a whole pytest run."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import ROOT
from tests.lifecycle import Runner
from tests.processes import command_line, descendants
from tests.scenarios import variant
from vpnctl.emulator_process import EmulatorExited, LocalAws

REGION = "eu-central-1"


def kill(aws: LocalAws) -> None:
    os.kill(aws.pid, signal.SIGKILL)


def assert_names_the_emulator_and_its_log(message: str) -> None:
    assert re.search(r"the local AWS emulator \(http://127\.0\.0\.1:\d+, account \d{12}\) exited with status -9", message)
    assert re.search(r"the end of its log \S+emulator[^:]*\.log:", message), message
    # Its log's last lines, each shown as "  | ..." (pytest's report puts its own "E" in front)
    assert re.search(r"\|\s+(listening on http://127\.0\.0\.1:|127\.0\.0\.1 - - \[)", message), message


@pytest.mark.emulator
def test_a_client_of_a_dead_emulator_fails_at_once_with_its_log(tmp_path):
    with LocalAws("111111111111", tmp_path / "emulator.log") as aws:
        ec2 = aws.client("ec2", REGION)
        assert ec2.describe_vpcs()["Vpcs"]
        kill(aws)
        with pytest.raises(EmulatorExited) as caught:
            ec2.describe_vpcs()
    assert_names_the_emulator_and_its_log(str(caught.value))


@pytest.mark.emulator
def test_a_pipeline_whose_emulator_dies_fails_the_tests_that_read_it(tmp_path):
    runner = Runner(tmp_path, progress=lambda _: None)

    def pipeline(run):
        with run.emulator("111111111111", "doomed") as aws:
            run.reached("up", aws)
            run.command(["sleep", "infinity"], aws=aws)  # stopped by the emulator's watcher

    try:
        runner.submit("doomed", pipeline)
        kill(runner.result("doomed:up"))
        with pytest.raises(EmulatorExited) as caught:
            runner.result("doomed")
    finally:
        runner.close()
    assert_names_the_emulator_and_its_log(str(caught.value))


@pytest.mark.terraform
def test_terraform_in_the_association_sleep_stops_when_the_emulator_dies(tmp_path):
    """Provider 5.100.0 sleeps 4 minutes after creating an association; the watcher ends the run at once."""
    from vpnctl.runner import prepare
    from vpnctl.synthesized import synth_stacks

    env = variant("dev", [], tmp_path / "environment")
    synth_stacks([env], tmp_path / "out")
    with LocalAws(env.config.account_id, tmp_path / "emulator.log") as aws:
        terraform = prepare(env, tmp_path / "out", tmp_path / "build", aws)
        failure: list[BaseException] = []
        applying = threading.Thread(target=lambda: _catch(terraform.apply, failure))
        applying.start()
        ec2 = aws.client("ec2", REGION)
        while not _associated(ec2):  # the provider is in its sleep from here on
            assert applying.is_alive(), failure
            time.sleep(0.5)
        killed = time.monotonic()
        kill(aws)
        applying.join()
    assert failure and isinstance(failure[0], EmulatorExited), failure
    assert time.monotonic() - killed < 60, "Terraform went on sleeping"
    assert_names_the_emulator_and_its_log(str(failure[0]))


def _catch(call, into: list) -> None:
    try:
        call()
    except BaseException as exc:  # noqa: BLE001 - handed to the test
        into.append(exc)


def _associated(ec2) -> bool:
    endpoints = ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"]
    return any(ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=e["ClientVpnEndpointId"])["ClientVpnTargetNetworks"]
               for e in endpoints)


@pytest.mark.terraform
def test_killing_a_pipelines_emulator_fails_its_tests_with_the_emulators_log():
    """A whole pytest run, as a developer starts it; its pipeline's emulator is killed from outside."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests/test_apply.py", "-k", "interrupted"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(process.stdout))
    reader.start()
    killed_at = None
    while process.poll() is None and killed_at is None:
        below = {pid: command_line(pid) for pid in descendants(process.pid)}
        emulators = [pid for pid, cmd in below.items() if "-m aws_emulator" in cmd]
        if emulators and any(cmd.startswith("terraform apply") for cmd in below.values()):
            os.kill(emulators[0], signal.SIGKILL)
            killed_at = time.monotonic()
        time.sleep(0.1)
    process.wait()
    reader.join()
    text = "".join(output)
    assert killed_at is not None, text
    assert process.returncode == 1, text
    assert time.monotonic() - killed_at < 120, text
    assert "EmulatorExited" in text
    assert_names_the_emulator_and_its_log(text)
