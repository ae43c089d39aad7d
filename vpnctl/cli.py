"""`vpnctl`: validate, synthesize, plan and deploy the VPN environments.

`validate` never imports cdktf, so it answers in well under a second. Every
command validates first: a bad config exits with status 2 and one
`file: key: rule` line per problem, before anything is written.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from stacks.config import ConfigError, LoadedEnvironment, load_environments

EXIT_CONFIG = 2
EXIT_TERRAFORM = 1


def main(argv: list[str] | None = None) -> int:
    # Node 20 is what these machines have; jsii's end-of-life banner would drown the output.
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    args = _parser().parse_args(argv)
    try:
        environments = load_environments(args.environments, _names(args))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG
    return args.handler(args, environments)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vpnctl", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--environments", type=Path, default=Path("environments"), help="folder of *.hcl files (default: ./environments)"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check environment files; no cdktf, no Terraform")
    validate.add_argument("env", nargs="*", help="environment names (default: all)")
    validate.set_defaults(handler=_validate)

    synth = commands.add_parser("synth", help="write Terraform JSON to the output folder")
    synth.add_argument("env", nargs="*", help="environment names (default: all)")
    synth.add_argument("--out", type=Path, default=None, help="output folder (default: $CDKTF_OUTDIR or cdktf.out)")
    synth.set_defaults(handler=_synth)

    _terraform_command(
        commands, "plan", _plan, "synth, then terraform init, validate and plan",
        "plan against the local AWS emulator, seeded with what the environment names, instead of AWS",
    )
    _terraform_command(
        commands, "deploy", _deploy, "synth, then terraform apply; prints tunnel outside IPs and Client VPN DNS names",
        "deploy to a local AWS emulator started for the run and stopped after it, instead of AWS",
    )
    return parser


def _terraform_command(commands, name: str, handler, summary: str, local_help: str) -> None:
    """`plan` and `deploy`: the same environment selection, folders and --local."""
    command = commands.add_parser(name, help=summary)
    command.add_argument("env", nargs="*", help="environment names")
    command.add_argument("--all", action="store_true", help="every environment")
    command.add_argument("--out", type=Path, default=None, help="output folder (default: $CDKTF_OUTDIR or cdktf.out)")
    command.add_argument("--build", type=Path, default=Path("build"), help="folder for CLI config and logs (default: build)")
    command.add_argument("--local", action="store_true", help=local_help)
    command.set_defaults(handler=handler)


def _names(args) -> list[str] | None:
    if args.command in ("plan", "deploy"):
        if not args.env and not args.all:
            raise SystemExit(f"vpnctl {args.command}: name an environment, or use --all")
        return None if args.all else args.env
    return args.env or None


def _outdir(args) -> Path:
    return args.out or Path(os.environ.get("CDKTF_OUTDIR") or "cdktf.out")


def _validate(args, environments: list[LoadedEnvironment]) -> int:
    for env in environments:
        sites, endpoints = len(env.config.sites), len(env.config.client_vpn)
        print(
            f"{env.source}: ok ({sites} site{'s' if sites != 1 else ''}, "
            f"{endpoints} Client VPN endpoint{'s' if endpoints != 1 else ''})"
        )
    return 0


def _synth(args, environments: list[LoadedEnvironment]) -> int:
    from vpnctl.synth import synth_stacks

    outdir = synth_stacks(environments, _outdir(args))
    for env in environments:
        print(f"{env.name}: {outdir / 'stacks' / env.name / 'cdk.tf.json'}")
    return 0


def _plan(args, environments: list[LoadedEnvironment]) -> int:
    from vpnctl.planning import plan_environments

    return plan_environments(environments, _outdir(args), args.build, local=args.local)


def _deploy(args, environments: list[LoadedEnvironment]) -> int:
    from vpnctl.deploying import deploy_environments

    return deploy_environments(environments, _outdir(args), args.build, local=args.local)


if __name__ == "__main__":
    sys.exit(main())
