"""`vpnctl plan`: synth, then the real Terraform's init, validate and plan per environment."""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpnctl.dev_pki import ensure_dev_pki, pki_folders
from vpnctl.offline import MotoServer, seed_for_plan
from vpnctl.synth import stack_dir, synth_stacks
from vpnctl.terraform import Terraform, TerraformError, count_changes, find_provider_mirror, write_cli_config


def plan_environment(
    environment: LoadedEnvironment,
    outdir: Path,
    build: Path,
    *,
    offline: bool,
    secret_values: dict[str, str] | None = None,
) -> dict:
    """Init, validate and plan one synthesized stack; returns the plan as `terraform show -json`."""
    build = build.resolve()
    cli_config = write_cli_config(build, find_provider_mirror())
    with ExitStack() as stack:
        env: dict[str, str] = {}
        if offline:
            server = stack.enter_context(
                MotoServer(environment.config.account_id, log_file=build / f"moto-{environment.name}.log")
            )
            seed_for_plan(server, environment.config, secret_values)
            env = server.terraform_env()
            folders = pki_folders(environment.config)
            if folders and not os.environ.get("TF_VAR_pki_dir"):
                # Throwaway certificates, so file() has something to read. A PKI the user
                # names with TF_VAR_pki_dir is used as it is and never written to.
                pki_dir = (build / "pki").resolve()
                for folder in folders:
                    ensure_dev_pki(pki_dir, folder)
                env["TF_VAR_pki_dir"] = str(pki_dir)
        terraform = Terraform(stack_dir(outdir, environment.name), cli_config, env)
        terraform.init()
        terraform.validate()
        return terraform.plan(build / "plans" / f"{environment.name}.tfplan")


def summary(name: str, plan: dict) -> str:
    counts = count_changes(plan)
    totals = {action: sum(by_type.values()) for action, by_type in counts.items()}
    lines = [
        f"{name}: {totals.get('create', 0)} to add, {totals.get('update', 0)} to change, "
        f"{totals.get('replace', 0)} to replace, {totals.get('delete', 0)} to destroy"
    ]
    for resource_type, count in sorted(counts.get("create", {}).items()):
        lines.append(f"  + {count:3d}  {resource_type}")
    return "\n".join(lines)


def plan_environments(environments: list[LoadedEnvironment], outdir: Path, build: Path, *, offline: bool) -> int:
    synth_stacks(environments, outdir)
    failed = 0
    for environment in environments:
        try:
            plan = plan_environment(environment, outdir, build, offline=offline)
        except TerraformError as exc:
            failed += 1
            print(f"{environment.name}: {exc}", file=sys.stderr)
            print(exc.output.rstrip(), file=sys.stderr)
            continue
        print(summary(environment.name, plan))
    return 1 if failed else 0
