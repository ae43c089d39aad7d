"""`vpnctl plan`: synth, then Terraform init and plan per environment, against AWS or (with
--local) against the local emulator; a summary of each plan."""

from __future__ import annotations

from pathlib import Path

from stacks.config import LoadedEnvironment
from vpnctl.commands.options import allowed, jobs_option, outdir, terraform_command
from vpnctl.commands.terraform_frame import watched


def add_parser(commands) -> None:
    command = terraform_command(
        commands, "plan", run, "synth, then terraform init and plan",
        "plan against the local AWS emulator, seeded with what the environment names, instead of AWS",
    )
    jobs_option(command)


def run(args, environments: list[LoadedEnvironment]) -> int:
    return watched(args, environments, lambda progress: plan_environments(
        environments, outdir(args), args.build, local=args.local, allow_replace=allowed(args), progress=progress,
        parallelism=args.parallelism, jobs=args.jobs, stacks=getattr(args, "stacks", None),
    ))


def plan_environments(
    environments: list[LoadedEnvironment], outdir: Path, build: Path, *, local: bool,
    allow_replace: frozenset[str] = frozenset(), progress=None, parallelism: int | None = None, jobs: int = 1,
    stacks: dict[str, frozenset[str]] | None = None,
) -> int:
    """Plans each environment, every stack of it, base first (`stacks`: per environment the stacks to plan)."""
    from vpn_schema.naming import stack_names
    from vpnctl.runner import plan_environment, run_environments

    def step(environment: LoadedEnvironment, aws) -> int:
        for stack in stack_names(environment.name, environment.config):
            if stack in (stacks or {}).get(environment.name, {stack}):
                print(summary(stack, plan_environment(environment, outdir, build, aws=aws, progress=progress,
                                                      parallelism=parallelism, stack=stack)))
        return 0

    return run_environments(environments, outdir, build, step, local=local, allow_replace=allow_replace,
                            progress=progress, jobs=jobs)


def summary(name: str, plan: dict) -> str:
    from vpnctl.terraform import count_changes

    counts = count_changes(plan)
    totals = {action: sum(by_type.values()) for action, by_type in counts.items()}
    lines = [
        (f"{name}: {totals.get('create', 0)} to add, {totals.get('update', 0)} to change, "
         f"{totals.get('replace', 0)} to replace, {totals.get('delete', 0)} to destroy")
    ]
    for resource_type, count in sorted(counts.get("create", {}).items()):
        lines.append(f"  + {count:3d}  {resource_type}")
    return "\n".join(lines)
