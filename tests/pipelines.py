"""The test pipelines, each on an emulator of its own; tests/lifecycle.py runs them side by side.

The critical path is the Client VPN subnet associations: provider 5.100.0 sleeps
a fixed 4 minutes after creating, and again after deleting, each one, and the
stacks chain them. So each pipeline creates or deletes at most two in a row:
the shipped environments (dev one association, staging and prod two) are applied and planned
again, nothing more; what needs more steps runs on a variant with one
association (AWS's minimum, allowed outside the production tier) or with no endpoint at all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.lifecycle import Run, environment
from vpnctl.runner import prepare
from vpnctl.terraform import Terraform, count_changes

ROOT = Path(__file__).resolve().parent.parent
VPNCTL = [sys.executable, "-m", "vpnctl"]
CDKTF_DEPLOY = ["npx", "--no-install", "cdktf", "deploy", "dev", "--auto-approve",
                # `terraform providers lock` asks the registry, ignoring the CLI config's mirror; with no
                # registry, a user skips it the same way.
                "--skip-provider-lock"]


def apply(run: Run, env, outdir: Path, aws, record: dict, build: Path | None = None) -> Terraform:
    """Seed, init and apply; record outputs, the emulator's resources and the state's addresses."""
    build = build or run.base / "build"
    with run.step(f"init {env.name}"):
        terraform = prepare(env, outdir, build, aws)
    with run.step(f"apply {env.name}"), run.sleeping_once_associated(aws, env.config.region):
        terraform.apply()
    record["outputs"] = terraform.outputs()
    record["resources"] = aws.resources(env.config.region)
    record["state"] = sorted(terraform.run("state", "list").stdout.split())
    return terraform


def plan_again(run: Run, terraform: Terraform, record: dict, key: str = "second_plan") -> None:
    with run.step("plan again"):
        record[key] = count_changes(terraform.plan_if_changing(run.base / f"{key}.tfplan"))


def shipped(run: Run, env, outdir: Path) -> dict:
    """A shipped environment applied, then planned again: nothing may be left to change."""
    record: dict = {}
    with run.emulator(env.config.account_id, env.name) as aws:
        plan_again(run, apply(run, env, outdir, aws, record), record)
    return record


def cdktf_user_env(aws, build: Path, pki_dir: Path, environments: Path | None = None) -> dict[str, str]:
    """What a user sets to point `cdktf deploy` at the emulator: its endpoint and its run's credentials."""
    from vpnctl.terraform_config import find_provider_mirror, write_cli_config

    extra = {
        **aws.terraform_env(),
        # As an activated virtualenv has it: the stack's CRL import runs `vpnctl`.
        "PATH": f"{Path(sys.executable).parent}:{environment()['PATH']}",
        "TF_CLI_CONFIG_FILE": str(write_cli_config(build, find_provider_mirror())),
        "TF_VAR_pki_dir": str(pki_dir),
        "VPNCTL_PKI_DIR": str(pki_dir),
        "CI": "1",
    }
    if environments is not None:
        extra["VPN_ENVIRONMENTS_DIR"] = str(environments)
    return environment(**extra)


def destroy(run: Run, env, outdir: Path) -> dict:
    """Apply, then destroy: nothing of the VPN or the Client VPN may be left."""
    record: dict = {}
    with run.emulator(env.config.account_id, env.name) as aws:
        terraform = apply(run, env, outdir, aws, record)
        with run.step(f"destroy {env.name}"):
            terraform.destroy()
        record["after_destroy"] = aws.resources(env.config.region)
    return record


def changes(run: Run, env, outdir: Path, cgw_env, cgw_out: Path, tgw_env, tgw_out: Path) -> dict:
    """dev without its endpoint (no 4-minute waits): an apply interrupted by Ctrl-C while a second one is
    refused by the state lock, the re-apply that converges, a new customer gateway IP, the site moved onto a
    transit gateway (reviewed, then deployed), then destroy."""
    record: dict = {}
    build = run.base / "build"
    with run.emulator(env.config.account_id, "changes") as aws:
        with run.step("init dev without its endpoint"):
            terraform = prepare(env, outdir, build, aws)
        with run.step("apply, interrupted once it creates the connection"):
            interrupted_apply(run, terraform, aws, record)
        with run.step("apply again"):
            terraform.apply()
        plan_again(run, terraform, record)
        record["outputs"] = terraform.outputs()
        record["resources"] = aws.resources(env.config.region)
        record["state"] = sorted(terraform.run("state", "list").stdout.split())
        with run.step("apply a new customer gateway IP"):
            moved = prepare(cgw_env, cgw_out, build, aws)
            moved.apply()
        record["outputs_after_cgw"] = moved.outputs()
        record["resources_after_cgw"] = aws.resources(env.config.region)
        with run.step("review and deploy the site moved onto a transit gateway"):
            onto_tgw = moved_onto_transit_gateway(tgw_env, tgw_out, build, aws, record)
        with run.step("destroy"):
            onto_tgw.destroy()
        record["after_destroy"] = aws.resources(env.config.region)
    return record


def moved_onto_transit_gateway(env, outdir: Path, build: Path, aws, record: dict) -> Terraform:
    """The review of the move (the connection replaced at vpnctl's request), the deploy, what AWS and the state
    hold after it, and a plan after it."""
    from tests.guard_pipeline import reviewed
    from vpnctl.plan_and_apply import AUTOMATIC, deploy_environment
    from vpnctl.review.plan_review import review_environment

    record["tgw_review"] = reviewed(review_environment(env, outdir, build, aws=aws, policy=False))
    record["tgw_outputs"] = deploy_environment(env, outdir, build, aws, approval=AUTOMATIC)
    terraform = prepare(env, outdir, build, aws)
    record["tgw_state"] = sorted(terraform.run("state", "list").stdout.split())
    record["tgw_connections"] = [(c["VpnConnectionId"], c.get("TransitGatewayId"), c.get("VpnGatewayId"))
                                 for c in aws.client("ec2", env.config.region).describe_vpn_connections()["VpnConnections"]
                                 if c["State"] != "deleted"]
    record["tgw_second_plan"] = count_changes(terraform.plan_if_changing(build / "tgw-again.tfplan"))
    return terraform


def interrupted_apply(run: Run, terraform: Terraform, aws, record: dict) -> None:
    """SIGINT (Ctrl-C, or a cancelled CI job) once Terraform says it creates the VPN connection; meanwhile a
    second apply must be refused by the lock. Waits on Terraform's own lines and its exit, nothing else."""
    first = terraform.start("apply", "-input=false", "-no-color", "-auto-approve", stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    run.runner.track_process(first)
    lines: list[str] = []
    with aws.watch(first):
        for line in first.stdout:
            lines.append(line)
            if "aws_vpn_connection." in line and "Creating..." in line:
                break
        else:
            first.wait()
            aws.check()
            raise AssertionError("the apply ended before it created the connection:\n" + "".join(lines))
        second = terraform.run("apply", "-input=false", "-no-color", "-auto-approve", "-lock-timeout=0s", check=False)
        record["second_apply_status"] = second.returncode
        record["second_apply_output"] = second.stdout + second.stderr
        os.killpg(first.pid, signal.SIGINT)
        lines.extend(first.stdout)  # to the end: Terraform finishes what is in flight, then exits
        record["interrupted_status"] = first.wait()
    record["interrupted_output"] = "".join(lines)
