"""Progress and the frame of a Terraform run, without Terraform: the JSON UI read into counts and
countdowns, the heartbeat of plain output, the checkout lock, and the question before a deploy."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import ROOT
from vpnctl.checkout_lock import CheckoutBusy, holding
from vpnctl.plan_and_apply import Approval
from vpnctl.progress import Progress
from vpnctl.terraform_ui import RunState

ASSOCIATION = {"addr": "aws_ec2_client_vpn_network_association.a", "resource_type": "aws_ec2_client_vpn_network_association"}
GATEWAY = {"addr": "aws_customer_gateway.c", "resource_type": "aws_customer_gateway"}


def hook(kind: str, resource: dict, action: str = "create", **extra) -> dict:
    return {"type": kind, "hook": {"resource": resource, "action": action, **extra}}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_running_count_and_each_finished_resource_come_from_terraform_s_json_ui():
    state = RunState("apply")
    state.expect({"resource_changes": [{"change": {"actions": ["create"]}}, {"change": {"actions": ["delete", "create"]}},
                                       {"change": {"actions": ["no-op"]}}]})
    assert state.expected == 3  # a replacement is a delete and a create
    state.feed(hook("apply_start", GATEWAY))
    [event] = state.feed(hook("apply_complete", GATEWAY, elapsed_seconds=11))
    assert (event.kind, event.text) == ("done", "created aws_customer_gateway.c in 11s [1/3]")
    [failed] = state.feed(hook("apply_errored", GATEWAY, action="delete", elapsed_seconds=2))
    assert failed.kind == "failed" and "destroying aws_customer_gateway.c failed after 2s" in failed.text
    [summary] = state.feed({"type": "change_summary", "changes": {"add": 1, "change": 0, "remove": 1,
                                                                  "operation": "apply"}})
    assert summary.text == "apply: 1 added, 0 changed, 1 destroyed"


def test_the_provider_s_association_wait_is_counted_down_and_then_said_to_be_over():
    clock = Clock()
    state = RunState("apply", clock=clock)
    [started] = state.feed(hook("apply_start", ASSOCIATION))
    assert "then the AWS provider's fixed 4-minute wait after associating a subnet" in started.text
    clock.now += 70
    [waiting] = state.waiting_on()
    assert waiting == ("creating aws_ec2_client_vpn_network_association.a (1m10s; the AWS provider's fixed 4-minute "
                       "wait after associating a subnet: 2m50s left)")
    clock.now += 200
    assert "is over, checking the status" in state.waiting_on()[0]


def test_plain_progress_says_what_it_waits_for_when_nothing_else_was_printed():
    stream = io.StringIO()
    with Progress(stream=stream, live=False, heartbeat=0.2) as progress, progress.step("dev", "synthesizing"):
        deadline = time.monotonic() + 60  # a hang guard, not the expectation
        while "still synthesizing" not in stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
    lines = stream.getvalue().splitlines()
    assert lines[0].endswith("… dev: synthesizing")
    assert any("dev: still synthesizing (" in line for line in lines[1:]), lines
    assert "\x1b[" not in stream.getvalue()


def test_a_second_run_of_an_environment_in_one_checkout_is_refused_with_who_holds_it(tmp_path):
    with holding(tmp_path, ["dev", "prod"], "deploy"):
        with pytest.raises(CheckoutBusy, match=rf"dev: vpnctl deploy \(pid {os.getpid()}, since .*\) holds"), \
                holding(tmp_path, ["dev"], "review"):
            pass
        with holding(tmp_path, ["staging"], "plan"):  # another environment is free
            pass
    with holding(tmp_path, ["dev"], "review"):  # released with the first run
        pass


@pytest.mark.parametrize(("typed", "applies"), [("yes", True), ("y", False), ("YES please", False), ("", False)])
def test_only_yes_approves_a_deploy(typed, applies):
    from stacks.config import load_environment

    approval = Approval(automatic=False, ask=lambda question: typed)
    assert approval.granted(load_environment(ROOT / "environments" / "dev.hcl"), None) is applies


def test_a_deploy_to_aws_without_a_terminal_or_auto_approve_exits_2_before_terraform_runs(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    calls = tmp_path / "terraform-calls"
    (fake / "terraform").write_text(f"#!/bin/sh\necho \"$@\" >> {calls}\n")
    (fake / "terraform").chmod(0o755)
    result = subprocess.run(
        [sys.executable, "-m", "vpnctl", "deploy", "dev", "--build", str(tmp_path / "build"), "--out",
         str(tmp_path / "out")],
        cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False,
        env={**os.environ, "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"},
    )
    assert result.returncode == 2, result.stderr
    assert "there is no terminal to ask on" in result.stderr and "--auto-approve" in result.stderr
    assert not calls.exists() and not (tmp_path / "out").exists()


def test_a_run_of_an_environment_whose_stack_another_run_holds_is_refused_before_it_writes_anything(tmp_path):
    with holding(tmp_path / "out", ["dev"], "deploy"):
        result = subprocess.run(
            [sys.executable, "-m", "vpnctl", "plan", "dev", "--local", "--build", str(tmp_path / "build"), "--out",
             str(tmp_path / "out")],
            cwd=ROOT, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False,
        )
    assert result.returncode == 1, result.stderr
    assert f"dev: vpnctl deploy (pid {os.getpid()}" in result.stderr and "holds this environment" in result.stderr
    assert not (tmp_path / "out" / "stacks").exists()


def test_the_terminal_display_keeps_drawing_while_lines_are_printed_from_another_thread():
    """The display's refresh (rich's lock, then ours) and a printed line (ours, then rich's) must not deadlock."""
    import threading

    stream = io.StringIO()
    done = threading.Event()
    with Progress(stream=stream, live=True) as progress, progress.terraform("dev", RunState("apply")) as feed:
        def refresh() -> None:  # what rich's own refresh thread does, a thousand times a second
            while not done.is_set():
                progress._display.refresh()
                done.wait(0.001)

        def lines() -> None:
            for n in range(300):
                for kind in ("apply_start", "apply_complete"):
                    feed.line(json.dumps({"type": kind, "hook": {"resource": {"addr": f"aws_x.a{n}", "resource_type":
                                                                           "aws_x"}, "action": "create",
                                                              "elapsed_seconds": 1}}))
                progress.say(f"line {n}")

        refresher, printer = threading.Thread(target=refresh, daemon=True), threading.Thread(target=lines, daemon=True)
        refresher.start()
        printer.start()
        printer.join(timeout=120)  # a hang guard: the work takes well under a second
        done.set()
        assert not printer.is_alive(), "printing a line while the display redraws deadlocked"
    assert "line 299" in stream.getvalue()


def test_results_printed_during_the_display_stay_on_stdout_when_it_is_a_file(monkeypatch):
    results, display = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", results)
    with Progress(stream=display, live=True):
        print("dev: deployed in 12 s")
    assert results.getvalue() == "dev: deployed in 12 s\n"
    assert "deployed" not in display.getvalue()


def test_output_values_never_reach_the_log():
    from vpnctl.terraform_ui import readable

    message = {"type": "outputs", "@message": "Outputs: 1", "outputs": {"key": {"sensitive": False, "value": "x"}}}
    assert readable(message) == "(output values not logged)"


def test_environments_in_parallel_keep_their_own_names_and_the_heartbeat_names_each():
    stream = io.StringIO()
    ready, done = threading.Barrier(3), threading.Event()

    def work(name: str) -> None:
        with progress.step(name, "planning", announce=False):
            ready.wait()
            progress.say(f"{name} says")
            done.wait(60)

    with Progress(stream=stream, live=False, heartbeat=0.2) as progress:
        threads = [threading.Thread(target=work, args=(name,)) for name in ("dev", "prod")]
        for thread in threads:
            thread.start()
        ready.wait()
        deadline = time.monotonic() + 60  # a hang guard, not the expectation
        while "still planning" not in stream.getvalue() and time.monotonic() < deadline:
            time.sleep(0.05)
        done.set()
        for thread in threads:
            thread.join()
    text = stream.getvalue()
    assert "dev: dev says" in text and "prod: prod says" in text
    heartbeat = next(line for line in text.splitlines() if "still planning" in line)
    assert "dev: still planning" in heartbeat and "prod: still planning" in heartbeat
