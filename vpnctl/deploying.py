"""`vpnctl deploy`: synth, then `terraform apply` per environment, and what a network
engineer needs next: each site's tunnel outside IPs and each Client VPN DNS name."""

from __future__ import annotations

import os
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpnctl.pki.store import crl_warnings
from vpnctl.planning import local_emulator, prepare
from vpnctl.review.changes import resource_changes
from vpnctl.review.removals import unguarded_destroys, unused_allowances
from vpnctl.review.report import EXIT_FAILED, EXIT_REFUSED
from vpnctl.synth import synth_stacks
from vpnctl.terraform import TerraformError


def deploy_summary(environment: LoadedEnvironment, outputs: dict, seconds: float) -> str:
    lines = [f"{environment.name}: deployed in {seconds:.0f} s"]
    for site in sorted(environment.config.sites):
        tunnels = outputs.get(f"site_{site}_tunnels", {})
        lines.append(
            f"  site {site}: tunnel 1 {tunnels.get('tunnel1_address', '?')}, tunnel 2 {tunnels.get('tunnel2_address', '?')}"
        )
    for name in sorted(environment.config.client_vpn):
        endpoint = outputs.get(f"client_vpn_{name}", {})
        lines.append(f"  client_vpn {name}: {endpoint.get('dns_name', '?')} ({endpoint.get('id', '?')})")
    return "\n".join(lines)


class DeployRefused(RuntimeError):
    """The plan destroys guarded resources nobody allowed; nothing was applied."""


def deploy_environment(
    environment: LoadedEnvironment,
    outdir: Path,
    build: Path,
    aws=None,
    allow_destroy: frozenset[str] = frozenset(),
) -> dict:
    """Plans, checks the plan against the prod guard, applies exactly that plan; returns the outputs.

    Applying the saved plan, not a fresh one, means what was checked is what runs.
    """
    terraform = prepare(environment, outdir, build, aws)
    pki_dir = terraform.env.get("TF_VAR_pki_dir") or os.environ.get("TF_VAR_pki_dir")
    for warning in crl_warnings(environment.config, Path(pki_dir)) if pki_dir else []:
        print(f"{environment.name}: warning: {warning}", file=sys.stderr)
    plan_file = build.resolve() / "plans" / f"{environment.name}-deploy.tfplan"
    try:
        changes = resource_changes(terraform.plan(plan_file, keep=True), {})
        refused = unguarded_destroys(changes, environment.config.prevent_destroy, allow_destroy)
        unused = unused_allowances(changes, allow_destroy)
        if refused or unused:
            raise DeployRefused(
                "; ".join(
                    [f"the plan destroys {a}, guarded; if intended, add --allow-destroy {a}" for a in refused]
                    + [f"--allow-destroy {a}: the plan destroys no such resource" for a in unused]
                )
            )
        terraform.apply(str(plan_file))
    finally:
        plan_file.unlink(missing_ok=True)
    return terraform.outputs()


def deploy_environments(
    environments: list[LoadedEnvironment],
    outdir: Path,
    build: Path,
    *,
    local: bool,
    allow_replace: frozenset[str] = frozenset(),
    allow_destroy: frozenset[str] = frozenset(),
) -> int:
    synth_stacks(environments, outdir, allow_replace)
    status = 0
    for environment in environments:
        with ExitStack() as stack:
            started = time.monotonic()
            try:
                aws = local_emulator(stack, environment, build, local)
                outputs = deploy_environment(environment, outdir, build, aws, allow_destroy)
            except DeployRefused as exc:
                status = status or EXIT_REFUSED
                print(f"{environment.name}: refused by the prod guard: {exc}", file=sys.stderr)
                continue
            except TerraformError as exc:
                status = EXIT_FAILED
                print(f"{environment.name}: {exc}", file=sys.stderr)
                print(exc.output.rstrip(), file=sys.stderr)
                continue
            print(deploy_summary(environment, outputs, time.monotonic() - started))
    return status
