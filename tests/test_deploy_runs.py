"""`vpnctl deploy` as an operator meets it: progress through a pipe and on a terminal, the question
before a deploy to AWS, Ctrl-C with a slow state bucket, SIGTERM, and a failing apply. The runs
themselves are background pipelines (tests/deploy_pipelines.py); these tests read what they saw."""

from __future__ import annotations

import json
import re
from itertools import pairwise
from pathlib import Path

import pytest

from tests.conftest import LOCAL_STACKS, ROOT

pytestmark = pytest.mark.terraform
PROGRESS_PROMISE = 15.0  # seconds: the longest silence an operator may meet
CLOCK = re.compile(r"^\s*(\d+):(\d\d) ")  # vpnctl's own clock, as vpnctl/progress.py writes it
FINISHED = re.compile(r"\b(?:created|updated|destroyed) (\S+) in \d")


def longest_silence(record: dict) -> tuple[float, str]:
    """The longest time without a line, and the line that ended it.

    Between two of vpnctl's own lines the gap is read from the clock each one carries (the time it was
    written, which is what vpnctl controls: this pytest process reads the pipe in one of many busy threads,
    and on a loaded machine it reads lines seconds late). The clock has whole seconds, so a gap of g may be
    as long as g + 1. Before the first and after the last stamped line, the arrival times count."""
    stamped = [(int(m.group(1)) * 60 + int(m.group(2)), t, text) for t, name, text in record["lines"]
               if name == "err" for m in [CLOCK.match(text)] if m]
    if not stamped:
        return record["seconds"], "(exit)"
    gaps = [(b[0] - a[0] + 1.0, b[2]) for a, b in pairwise(stamped)]
    gaps += [(stamped[0][1], stamped[0][2]), (record["seconds"] - stamped[-1][1], "(exit)")]
    return max(gaps, key=lambda gap: gap[0])


def synthesized_resources(stack: Path) -> set[str]:
    document = json.loads(stack.read_text())
    return {f"{kind}.{name}" for kind, by_name in document.get("resource", {}).items() for name in by_name}


def finished(record: dict) -> set[str]:
    return {m.group(1) for _, _, text in record["lines"] for m in [FINISHED.search(text)] if m}


def assert_watched(record: dict, stack: Path) -> None:
    """The run succeeded, never fell silent for longer than promised, and said each resource finished."""
    assert record["status"] == 0, record["errors"]
    silence, after = longest_silence(record)
    assert silence <= PROGRESS_PROMISE, f"{silence:.1f} s without a line, until: {after}"
    assert finished(record) == synthesized_resources(stack)
    assert "\x1b[" not in record["errors"], "a pipe gets plain lines, no terminal escapes"


@pytest.mark.e2e
@pytest.mark.pipeline("make-run")
def test_make_run_shows_progress_through_the_association_wait_and_counts_every_resource(lifecycle):
    record = lifecycle.result("make-run")
    stack = ROOT / LOCAL_STACKS / "dev" / "cdk.tf.json"
    assert_watched(record, stack)
    total = len(synthesized_resources(stack))
    assert re.search(rf"created \S+ in \d+s \[{total}/{total}\]", record["errors"]), record["errors"]
    countdown = re.search(r"creating aws_ec2_client_vpn_network_association\.\S+ \(\S+; the AWS provider's fixed "
                          r"4-minute wait after associating a subnet: (\d+)m(\d\d)s left\)", record["errors"])
    assert countdown, record["errors"]


@pytest.mark.pipeline("deploy-approval")
def test_a_deploy_to_aws_on_a_terminal_shows_the_review_and_applies_only_after_yes(lifecycle):
    record = lifecycle.result("deploy-approval")
    declined, accepted = record["no"], record["yes"]
    assert declined["answered"] and declined["status"] == 1, declined["screen"]
    assert "not applied: the answer was not 'yes'" in declined["screen"]
    assert record["resources_after_no"]["vpn_connections"] == []
    assert accepted["answered"] and accepted["status"] == 0, accepted["screen"]
    for screen in (declined["screen"], accepted["screen"]):
        assert "dev: 10 to add, 0 to change, 0 to replace, 0 to destroy" in screen  # the review, before the question
        assert "+ site lab-office: VPN connection" in screen
        assert screen.index("+ site lab-office: VPN connection") < screen.index("Only 'yes' applies")
    assert "\x1b[" in accepted["screen"], "a terminal gets the live display"
    assert "dev: deployed in" in accepted["screen"]
    assert len(record["resources_after_yes"]["vpn_connections"]) == 1


@pytest.mark.pipeline("deploy-interrupted")
def test_ctrl_c_lets_terraform_save_its_state_and_release_the_lock_and_a_rerun_converges(lifecycle):
    record = lifecycle.result("deploy-interrupted")
    first = record["first"]
    assert first["fired"], first["errors"]
    assert first["status"] == 130, first["errors"]
    assert record["puts_after_interrupt"], "the state was saved through the slow bucket after the Ctrl-C"
    everything = first["output"] + first["errors"]
    assert "Traceback" not in everything
    assert "dev: interrupted (SIGINT) during the apply; Terraform stopped by itself and saved its state" in first["errors"]
    saved = re.search(r"the state holds (\d+) resources; the state lock is released;", first["errors"])
    assert saved and int(saved.group(1)) >= 4, first["errors"]  # at least the gateways, log group and topic
    assert "vpn/dev/terraform.tfstate" in record["objects_after_interrupt"]
    assert not [key for key in record["objects_after_interrupt"] if key.endswith(".tflock")]
    assert record["again"]["status"] == 0, record["again"]["errors"]
    resources = record["resources"]
    assert (len(resources["customer_gateways"]), len(resources["vpn_gateways"]), len(resources["vpn_connections"])) \
        == (1, 1, 1), resources


@pytest.mark.pipeline("deploy-terminated")
def test_sigterm_leaves_no_process_of_the_run_ten_seconds_later(lifecycle):
    record = lifecycle.result("deploy-terminated")
    assert record["fired"], record["errors"]
    assert record["status"] == 143, record["errors"]
    assert record["seconds"] - record["fired_at"] <= 10, "vpnctl itself exits within 10 s of SIGTERM"
    assert record["left"] == []
    assert "Traceback" not in record["output"] + record["errors"]


@pytest.mark.pipeline("deploy-failing")
def test_a_failed_apply_prints_terraform_s_error_in_full_and_names_the_log_that_holds_the_whole_run(lifecycle):
    record = lifecycle.result("deploy-failing")
    assert record["status"] == 1
    assert "InvalidVpcID.NotFound: VpcID vpc-0d1e2f3a4b5c60718 does not exist." in record["errors"]
    assert f"the whole run is in {record['log_path']}" in record["errors"]
    log = record["log"]
    for step in ("$ terraform init", "$ terraform plan", "$ terraform apply", "Creation errored after",
                 "InvalidVpcID.NotFound"):
        assert step in log, step
