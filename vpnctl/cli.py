"""`vpnctl`: validate, synthesize, plan, review and deploy the VPN environments.

`validate` never imports cdktf, so it answers in well under a second. Every
command validates first: a bad config exits with status 2 and one
`file: key: rule` line per problem, before anything is written.

Exit statuses: 0 done; 1 Terraform or a tool failed, or a deploy was not
approved; 2 bad config or arguments; 3 prod's guard refuses a replacement or
destroy (`review`, `deploy`); 130 and 143 interrupted (Ctrl-C, SIGTERM).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from stacks.config import ConfigError, load_environments
from vpnctl.commands import (
    client_config,
    comment,
    deploy,
    device_config,
    diff,
    import_crl,
    maintenance,
    offboard,
    pki,
    plan,
    policy,
    review,
    stacks,
    status,
    synth,
    validate,
)
from vpnctl.commands.options import usage_error
from vpnctl.exit_status import EXIT_CONFIG, EXIT_FAILED

# In the order `vpnctl --help` lists them.
COMMANDS = (validate, synth, stacks, plan, deploy, review, comment, policy, diff, pki, client_config, device_config,
            import_crl, offboard, status, maintenance)

ONE_ENVIRONMENT = ("pki", "client-config", "device-config")  # commands whose `env` names exactly one
TERRAFORM_COMMANDS = ("plan", "deploy", "review")  # commands that take `--all` rather than "all by default"


def main(argv: list[str] | None = None) -> int:
    # Node 20 is what these machines have; jsii's end-of-life banner would drown the output.
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    args = _parser().parse_args(argv)
    from vpnctl.arguments import problems

    for line in problems(args):
        usage_error(args, line)
    if getattr(args, "without_environments", False):
        return args.handler(args)
    if args.command in TERRAFORM_COMMANDS:  # each synthesizes: its process loads while the config is checked
        from vpnctl.synth_process import prestart

        prestart()
    try:
        names = _names(args)
        if args.command in TERRAFORM_COMMANDS:  # a shard's stack names its environment, and only that stack
            from vpnctl.stack_targets import exact, resolve

            if getattr(args, "stack", None):
                environments, args.stacks = exact(args.environments, args.stack)
                if len(environments) != 1 and _allowing(args):
                    usage_error(args, ONE_ENVIRONMENT_ALLOWANCES)
                return _run(args, environments)
            names, args.stacks = resolve(args.environments, names)
        environments = load_environments(args.environments, names)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG
    return _run(args, environments)


def _run(args, environments) -> int:
    """The command's handler; what stops it, as an exit status and one line."""
    from vpnctl.checkout_lock import CheckoutBusy
    from vpnctl.emulator_process import EmulatorExited
    from vpnctl.interrupts import Interrupted

    try:
        return args.handler(args, environments)
    except (EmulatorExited, CheckoutBusy) as exc:  # --local: the emulator died, its log says why; or busy
        print(f"vpnctl {args.command}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except Interrupted as exc:
        print(f"vpnctl {args.command}: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:  # outside a Terraform run (loading, synth): nothing to save
        print(f"vpnctl {args.command}: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vpnctl", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--environments", type=Path, default=Path("environments"), help="folder of *.hcl files (default: ./environments)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


ONE_ENVIRONMENT_ALLOWANCES = ("--allow-replace, --allow-destroy and --allow-impact name addresses of one "
                              "environment: name exactly one")


def _allowing(args) -> bool:
    return any(getattr(args, option, None) for option in ("allow_replace", "allow_destroy", "allow_impact"))


def _names(args) -> list[str] | None:
    """The environments to load: those named; None for all."""
    if getattr(args, "stack", None):  # the stacks name their environments (vpnctl/stack_targets.py)
        if args.env or args.all:
            usage_error(args, "--stack names the stacks to review itself: leave out environment names and --all")
        return None
    if _allowing(args) and (getattr(args, "all", False) or len(args.env) != 1):
        usage_error(args, ONE_ENVIRONMENT_ALLOWANCES)
    if args.command in ONE_ENVIRONMENT:
        return [args.env]
    if args.command in TERRAFORM_COMMANDS:
        if not args.env and not args.all:
            usage_error(args, "name an environment, or use --all" + (" or --stack" if hasattr(args, "stack") else ""))
        return None if args.all else args.env
    return args.env or None


if __name__ == "__main__":
    sys.exit(main())
