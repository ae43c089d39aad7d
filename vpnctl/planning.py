"""`vpnctl plan` and `vpnctl deploy`: synth, then the real Terraform per environment,
against AWS or (with --local) against the local emulator."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpnctl.dev_pki import ensure_dev_pki, pki_folders
from vpnctl.gateway_moves import replace_options
from vpnctl.local_aws import LocalAws
from vpnctl.local_seed import seed_environment
from vpnctl.synth import stack_dir, synth_stacks
from vpnctl.terraform import Terraform, TerraformError, count_changes, find_provider_mirror, write_cli_config

LOCAL_OVERRIDE = "local_override.tf.json"
LOCAL_MAX_RETRIES = 2


@dataclass(frozen=True)
class RunFiles:
    """One run's files under build/: its saved plan (unique to the run, so two runs never share one) and its
    log (Terraform's words for the whole run, named in the output; one per environment and command)."""

    plan: Path
    log: Path


def run_files(build: Path, environment: str, command: str, fresh: bool = True) -> RunFiles:
    """`fresh`: the run starts here, so its log starts empty; else the run's log goes on (a second plan)."""
    build = build.resolve()
    log = build / "logs" / f"{environment}-{command}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w" if fresh else "a") as file:
        file.write(f"vpnctl {command} {environment}: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}\n")
    plan = build / "plans" / f"{environment}-{command}-{os.getpid()}-{time.monotonic_ns()}.tfplan"
    return RunFiles(plan, log)


def prepare(
    environment: LoadedEnvironment,
    outdir: Path,
    build: Path,
    aws: LocalAws | None,
    secret_values: dict[str, str] | None = None,
    *,
    progress=None,
    log_file: Path | None = None,
    backend_config: tuple[str, ...] = (),
    before_init: Callable[[], None] | None = None,
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
    terraform = Terraform(workdir, cli_config, env, emulator=aws, progress=progress, log_file=log_file,
                          name=environment.name)
    if progress is not None and log_file is not None:
        progress.say(f"Terraform's full output goes to {log_file}")
    if before_init is not None:  # once the local state bucket exists: a state move (vpnctl/state_move.py)
        before_init()
    terraform.init(backend_config=backend_config)
    return terraform


def plan_environment(
    environment: LoadedEnvironment,
    outdir: Path,
    build: Path,
    *,
    aws: LocalAws | None = None,
    secret_values: dict[str, str] | None = None,
    progress=None,
    command: str = "plan",
    fresh_log: bool = True,
    backend_config: tuple[str, ...] = (),
) -> dict:
    """Init, validate and plan one synthesized stack; returns the plan as `terraform show -json`."""
    files = run_files(build, environment.name, command, fresh_log)
    terraform = prepare(environment, outdir, build, aws, secret_values, progress=progress, log_file=files.log,
                        backend_config=backend_config)
    terraform.validate()
    synthesized = json.loads((stack_dir(outdir, environment.name) / "cdk.tf.json").read_text())
    return terraform.plan(files.plan, *replace_options(terraform, synthesized))


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


def local_emulator(
    stack: ExitStack, environment: LoadedEnvironment, build: Path, local: bool, progress=None
) -> LocalAws | None:
    """With `local`, an emulator for the environment's account that `stack` stops; else None (AWS)."""
    if not local:
        return None
    log = build.resolve() / f"emulator-{environment.name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    say = progress.say if progress else print
    return stack.enter_context(LocalAws(environment.config.account_id, log_file=log, progress=say))


def plan_environments(
    environments: list[LoadedEnvironment],
    outdir: Path,
    build: Path,
    *,
    local: bool,
    allow_replace: frozenset[str] = frozenset(),
    progress=None,
) -> int:
    with progress.step("", "synthesizing") if progress else nullcontext():
        synth_stacks(environments, outdir, allow_replace)
    failed = 0
    for environment in environments:
        with ExitStack() as stack:
            try:
                aws = local_emulator(stack, environment, build, local, progress)
                plan = plan_environment(environment, outdir, build, aws=aws, progress=progress)
            except TerraformError as exc:
                failed += 1
                print(f"{environment.name}: {exc}" + (f"; the whole run is in {exc.log_file}" if exc.log_file else ""),
                      file=sys.stderr)
                print(exc.output.rstrip(), file=sys.stderr)
                continue
        print(summary(environment.name, plan))
    return 1 if failed else 0
