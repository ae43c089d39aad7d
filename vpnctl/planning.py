"""`vpnctl plan` and `vpnctl deploy`: synth, then the real Terraform per environment,
against AWS or (with --local) against the local emulator."""

from __future__ import annotations

import json
import os
import sys
from contextlib import ExitStack
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpnctl.dev_pki import ensure_dev_pki, pki_folders
from vpnctl.local_aws import LocalAws
from vpnctl.local_seed import seed_environment
from vpnctl.synth import stack_dir, synth_stacks
from vpnctl.terraform import Terraform, TerraformError, count_changes, find_provider_mirror, write_cli_config

LOCAL_OVERRIDE = "local_override.tf.json"
LOCAL_MAX_RETRIES = 2


def prepare(
    environment: LoadedEnvironment,
    outdir: Path,
    build: Path,
    aws: LocalAws | None,
    secret_values: dict[str, str] | None = None,
) -> Terraform:
    """Terraform for one synthesized stack, initialized; with `aws`, seeded and pointed at it.

    Locally, a Terraform override file keeps the provider's max_retries small (an
    unsupported call must fail in seconds, not minutes) without touching the
    synthesized JSON, and throwaway certificates stand in for a PKI unless the
    user names one with TF_VAR_pki_dir.
    """
    build = build.resolve()
    cli_config = write_cli_config(build, find_provider_mirror())
    workdir = stack_dir(outdir, environment.name)
    override = workdir / LOCAL_OVERRIDE
    env: dict[str, str] = {}
    if aws is None:
        override.unlink(missing_ok=True)
    else:
        pki_dir = (build / "pki").resolve()
        seed_environment(aws, environment.config, pki_dir, secret_values)
        env = aws.terraform_env()
        override.write_text(json.dumps({"provider": {"aws": {"max_retries": LOCAL_MAX_RETRIES}}}, indent=2) + "\n")
        if pki_folders(environment.config) and not os.environ.get("TF_VAR_pki_dir"):
            for folder in pki_folders(environment.config):
                ensure_dev_pki(pki_dir, folder)
            env["TF_VAR_pki_dir"] = str(pki_dir)
    terraform = Terraform(workdir, cli_config, env, emulator=aws)
    terraform.init()
    return terraform


def plan_environment(
    environment: LoadedEnvironment,
    outdir: Path,
    build: Path,
    *,
    aws: LocalAws | None = None,
    secret_values: dict[str, str] | None = None,
) -> dict:
    """Init, validate and plan one synthesized stack; returns the plan as `terraform show -json`."""
    terraform = prepare(environment, outdir, build, aws, secret_values)
    terraform.validate()
    return terraform.plan(build.resolve() / "plans" / f"{environment.name}.tfplan")


def summary(name: str, plan: dict) -> str:
    counts = count_changes(plan)
    totals = {action: sum(by_type.values()) for action, by_type in counts.items()}
    lines = [
        (f"{name}: {totals.get('create', 0)} to add, {totals.get('update', 0)} to change, "
        f"{totals.get('replace', 0)} to replace, {totals.get('delete', 0)} to destroy")
    ]
    for resource_type, count in sorted(counts.get("create", {}).items()):
        lines.append(f"  + {count:3d}  {resource_type}")
    return "\n".join(lines)


def local_emulator(stack: ExitStack, environment: LoadedEnvironment, build: Path, local: bool) -> LocalAws | None:
    """With `local`, an emulator for the environment's account that `stack` stops; else None (AWS)."""
    if not local:
        return None
    log = build.resolve() / f"emulator-{environment.name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    return stack.enter_context(LocalAws(environment.config.account_id, log_file=log))


def plan_environments(
    environments: list[LoadedEnvironment],
    outdir: Path,
    build: Path,
    *,
    local: bool,
    allow_replace: frozenset[str] = frozenset(),
) -> int:
    synth_stacks(environments, outdir, allow_replace)
    failed = 0
    for environment in environments:
        with ExitStack() as stack:
            try:
                plan = plan_environment(environment, outdir, build, aws=local_emulator(stack, environment, build, local))
            except TerraformError as exc:
                failed += 1
                print(f"{environment.name}: {exc}", file=sys.stderr)
                print(exc.output.rstrip(), file=sys.stderr)
                continue
        print(summary(environment.name, plan))
    return 1 if failed else 0
