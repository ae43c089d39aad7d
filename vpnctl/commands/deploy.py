"""`vpnctl deploy`: synth, then per environment plan, show the plan's review, check it against prod's guard,
ask, and apply exactly that plan (vpnctl/plan_and_apply.py); then each site's tunnel outside IPs and each
Client VPN DNS name, and, for AWS, the guard manifest to commit."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpnctl.commands.options import (
    allow_change_option,
    allow_destroy_option,
    allow_impact_option,
    allowed,
    outdir,
    terraform_command,
    usage_error,
)
from vpnctl.commands.terraform_frame import identity_refused, watched


def add_parser(commands) -> None:
    command = terraform_command(
        commands, "deploy", run,
        "synth, plan, check the plan against prod's guard, apply it; prints tunnel outside IPs and Client VPN DNS names",
        "deploy to a local AWS emulator started for the run and stopped after it, instead of AWS",
    )
    allow_destroy_option(command)
    allow_change_option(command)
    allow_impact_option(command)
    command.add_argument(
        "--auto-approve", action="store_true",
        help="apply without asking; without it, a deploy to AWS shows the plan's review and applies only after "
             "'yes' typed on a terminal, and refuses at once (exit 2) with no terminal. --local never asks",
    )
    command.add_argument(
        "--keep", action="store_true",
        help="with --local and one environment: after a successful deploy, keep the local AWS running for "
             "`vpnctl status|offboard|maintenance ENV --local` until Ctrl-C",
    )


def run(args, environments: list[LoadedEnvironment]) -> int:
    from vpnctl.plan_and_apply import Approval

    automatic = args.local or args.auto_approve
    refused = identity_refused(args, environments, refuse=True)
    if refused:
        return refused
    if not automatic and not sys.stdin.isatty():
        usage_error(args, "a deploy to AWS shows its plan and asks before it applies, and there is no terminal "
                          "to ask on: run it on a terminal, or add --auto-approve where the plan was reviewed "
                          "another way (a pull request's `vpnctl review`)")

    def deploy(emulator=None) -> int:
        return watched(args, environments, lambda progress: deploy_environments(
            environments, outdir(args), args.build, local=args.local, allow_replace=allowed(args),
            allow_destroy=frozenset(args.allow_destroy), approval=Approval(automatic=automatic), progress=progress,
            allow_change=frozenset(args.allow_change), allow_impact=frozenset(args.allow_impact), emulator=emulator,
            parallelism=args.parallelism, stacks=getattr(args, "stacks", None),
        ))

    if args.keep:  # one environment, --local (vpnctl/arguments.py): the emulator outlives the deploy's frame
        from vpnctl.keeping import deploy_and_keep

        return deploy_and_keep(args.build, environments[0], deploy)
    return deploy()


def deploy_environments(
    environments: list[LoadedEnvironment],
    outdir: Path,
    build: Path,
    *,
    local: bool,
    allow_replace: frozenset[str] = frozenset(),
    approval=None,
    progress=None,
    emulator=None,
    stacks: dict[str, frozenset[str]] | None = None,
    **deploy_options,
) -> int:
    """Deploys each environment, every stack of it (`stacks`: per environment, the stacks to deploy; default
    all; `deploy_options`: allow_destroy, allow_change, allow_impact, parallelism, as
    vpnctl.plan_and_apply.deploy_environment takes them); the worst status. `approval`: default, asked
    unless `local`. `emulator`: a local AWS already running, for `--keep`."""
    from stacks.config import guard_manifest
    from vpnctl.plan_and_apply import Approval, DeployRefused, deploy_summary
    from vpnctl.runner import run_environments
    from vpnctl.stack_deploys import deploy_stacks

    approval = approval or Approval(automatic=local)

    def step(environment: LoadedEnvironment, aws) -> int:
        started = time.monotonic()
        try:
            outputs = deploy_stacks(environment, outdir, build, aws, approval=approval, progress=progress,
                                    stacks=(stacks or {}).get(environment.name), **deploy_options)
        except DeployRefused as exc:
            print(f"{environment.name}: refused: {exc}", file=sys.stderr)
            return exc.status
        print(deploy_summary(environment, outputs, time.monotonic() - started), flush=True)
        if not local:
            for line in guard_manifest.write(Path(environment.source), environment.name, environment.config):
                print(f"{environment.name}: {line}; commit it", flush=True)
        return 0

    return run_environments(environments, outdir, build, step, local=local, allow_replace=allow_replace,
                            progress=progress, emulator=emulator)
