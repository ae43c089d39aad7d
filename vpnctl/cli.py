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

from stacks.config import ConfigError, LoadedEnvironment, load_environments

EXIT_CONFIG = 2
EXIT_TERRAFORM = 1


def main(argv: list[str] | None = None) -> int:
    # Node 20 is what these machines have; jsii's end-of-life banner would drown the output.
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    args = _parser().parse_args(argv)
    from vpnctl.arguments import problems

    for line in problems(args):
        _usage_error(args, line)
    if getattr(args, "without_environments", False):
        return args.handler(args)
    try:
        environments = load_environments(args.environments, _names(args))
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG
    from vpnctl.checkout_lock import CheckoutBusy
    from vpnctl.interrupts import Interrupted
    from vpnctl.local_aws import EmulatorExited

    try:
        return args.handler(args, environments)
    except (EmulatorExited, CheckoutBusy) as exc:  # --local: the emulator died, its log says why; or busy
        print(f"vpnctl {args.command}: {exc}", file=sys.stderr)
        return EXIT_TERRAFORM
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

    validate = commands.add_parser("validate", help="check environment files; no cdktf, no Terraform")
    validate.add_argument("env", nargs="*", help="environment names (default: all)")
    validate.set_defaults(handler=_validate)

    synth = commands.add_parser("synth", help="write Terraform JSON to the output folder")
    synth.add_argument("env", nargs="*", help="environment names (default: all)")
    synth.add_argument("--out", type=Path, default=None, help="output folder (default: $CDKTF_OUTDIR or cdktf.out)")
    _allow_replace_option(synth)
    synth.set_defaults(handler=_synth)

    _terraform_command(
        commands, "plan", _plan, "synth, then terraform init, validate and plan",
        "plan against the local AWS emulator, seeded with what the environment names, instead of AWS",
    )
    deploy = _terraform_command(
        commands, "deploy", _deploy,
        "synth, plan, check the plan against prod's guard, apply it; prints tunnel outside IPs and Client VPN DNS names",
        "deploy to a local AWS emulator started for the run and stopped after it, instead of AWS",
    )
    _allow_destroy_option(deploy)
    _allow_change_option(deploy)
    deploy.add_argument(
        "--auto-approve", action="store_true",
        help="apply without asking; without it, a deploy to AWS shows the plan's review and applies only after "
             "'yes' typed on a terminal, and refuses at once (exit 2) with no terminal. --local never asks",
    )
    review = _terraform_command(
        commands, "review", _review, "plan, then explain it for a pull request: replacements, consequences, policy",
        "review a plan against the local AWS emulator instead of AWS",
    )
    _allow_destroy_option(review)
    _allow_change_option(review)
    review.add_argument("--markdown", type=Path, default=None, help="also write the review as Markdown to this file")
    review.add_argument("--no-policy", action="store_true", help="skip the checkov policy pack")

    policy = commands.add_parser("policy", help="synth, then run the checkov policy pack; exit 1 on a failed check")
    policy.add_argument("env", nargs="*", help="environment names (default: all)")
    policy.add_argument("--out", type=Path, default=None, help="output folder (default: $CDKTF_OUTDIR or cdktf.out)")
    policy.set_defaults(handler=_policy)

    diff = commands.add_parser(
        "diff", help="compare the synthesized JSON of two git refs, offline; marks changes that force replacement"
    )
    diff.add_argument("env", nargs="*", help="environment names (default: all)")
    diff.add_argument("--base", required=True, help="git ref to compare against, e.g. origin/main")
    diff.add_argument("--head", default=None, help="git ref to compare (default: the working tree)")
    diff.add_argument("--markdown", type=Path, default=None, help="also write the diff as Markdown to this file")
    diff.set_defaults(handler=_diff)

    from vpnctl.pki.command import add_parser as add_pki_parser

    add_pki_parser(commands, _pki)
    from vpnctl.client_profile import add_parser as add_client_config_parser
    from vpnctl.device.command import add_parser as add_device_config_parser
    from vpnctl.revocation import add_parser as add_import_crl_parser

    add_client_config_parser(commands, _client_config)
    add_device_config_parser(commands, _device_config)
    add_import_crl_parser(commands, _import_crl)
    return parser


def _allow_replace_option(command) -> None:
    command.add_argument(
        "--allow-replace", action="append", default=[], metavar="ADDRESS",
        help="lift prod's prevent_destroy for exactly this reviewed change, ADDRESS@DIGEST as the review prints it (repeatable; one environment only)",
    )


def _allow_change_option(command) -> None:
    command.add_argument(
        "--allow-change", action="append", default=[], metavar="KEY=VALUE",
        help="let a production environment's identity change to exactly this value (tier, account_id, region, "
             "state.bucket, state.region, vpc.id, file), as the refusal names it (repeatable)",
    )


def _allow_destroy_option(command) -> None:
    command.add_argument(
        "--allow-destroy", action="append", default=[], metavar="ADDRESS",
        help="let the plan destroy this guarded resource, whose block was removed (repeatable; one environment only)",
    )


def _terraform_command(commands, name: str, handler, summary: str, local_help: str) -> None:
    """`plan` and `deploy`: the same environment selection, folders and --local."""
    command = commands.add_parser(name, help=summary)
    command.add_argument("env", nargs="*", help="environment names")
    command.add_argument("--all", action="store_true", help="every environment")
    command.add_argument("--out", type=Path, default=None,
                         help="output folder (default: $CDKTF_OUTDIR or cdktf.out; with --local, BUILD/local/cdktf.out)")
    command.add_argument("--build", type=Path, default=Path("build"), help="folder for CLI config and logs (default: build)")
    command.add_argument("--local", action="store_true", help=local_help)
    _allow_replace_option(command)
    command.set_defaults(handler=handler)
    return command


def _names(args) -> list[str] | None:
    allowing = getattr(args, "allow_replace", None) or getattr(args, "allow_destroy", None)
    if allowing and (getattr(args, "all", False) or len(args.env) != 1):
        _usage_error(args, "--allow-replace and --allow-destroy name addresses of one environment: name exactly one")
    if args.command in ("pki", "client-config", "device-config"):
        return [args.env]
    if args.command in ("plan", "deploy", "review"):
        if not args.env and not args.all:
            _usage_error(args, "name an environment, or use --all")
        return None if args.all else args.env
    return args.env or None


def _usage_error(args, message: str):
    print(f"vpnctl {args.command}: {message}", file=sys.stderr)
    raise SystemExit(EXIT_CONFIG)


def _allowed(args) -> frozenset[str]:
    return frozenset(getattr(args, "allow_replace", None) or ())


def _guarded(run):
    """Runs a synth-and-more step; an --allow-replace address that names no guarded resource exits 2."""
    from stacks.guard import GuardError

    try:
        return run()
    except GuardError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG


def _outdir(args) -> Path:
    """--out; else, for a --local run, a folder of its own under the build folder: what only a local run
    writes (vpnctl.planning.LOCAL_OVERRIDE) must never land where `cdktf deploy` runs Terraform; else
    $CDKTF_OUTDIR or cdktf.out."""
    if args.out:
        return args.out
    if getattr(args, "local", False):
        return args.build / "local" / "cdktf.out"
    return Path(os.environ.get("CDKTF_OUTDIR") or "cdktf.out")


def _validate(args, environments: list[LoadedEnvironment]) -> int:
    for env in environments:
        sites, endpoints = len(env.config.sites), len(env.config.client_vpn)
        print(
            f"{env.source}: ok ({sites} site{'s' if sites != 1 else ''}, "
            f"{endpoints} Client VPN endpoint{'s' if endpoints != 1 else ''})"
        )
    return 0


def _synth(args, environments: list[LoadedEnvironment]) -> int:
    from vpnctl.checkout_lock import holding
    from vpnctl.synth import synth_stacks

    outdir = _outdir(args)

    def write() -> int:
        synth_stacks(environments, outdir, _allowed(args))
        return 0

    with holding(outdir, [env.name for env in environments], "synth"):
        status = _guarded(write)
    if status:
        return status
    for env in environments:
        print(f"{env.name}: {outdir / 'stacks' / env.name / 'cdk.tf.json'}")
    return 0


def _watched(args, environments: list[LoadedEnvironment], work) -> int:
    """A Terraform command's frame: the environments held in this checkout, progress on stderr, and
    Ctrl-C and SIGTERM passed on to Terraform (vpnctl.interrupts); `work(progress)` does the rest."""
    from vpnctl.checkout_lock import holding
    from vpnctl.interrupts import forwarded
    from vpnctl.progress import Progress

    with holding(_outdir(args), [env.name for env in environments], args.command), Progress() as progress, \
            forwarded(lambda text: progress.say(text, "warning")):
        return _guarded(lambda: work(progress))


def _plan(args, environments: list[LoadedEnvironment]) -> int:
    from vpnctl.planning import plan_environments

    return _watched(args, environments, lambda progress: plan_environments(
        environments, _outdir(args), args.build, local=args.local, allow_replace=_allowed(args), progress=progress,
    ))


def _identity_refused(args, environments: list[LoadedEnvironment], *, refuse: bool) -> int:
    """Exit 2 for an --allow-change that matches no change of identity; with `refuse`, exit 3 (before synth)
    for a production environment whose identity changed against its guard manifest and isn't allowed. The
    review refuses in its own rendering instead (vpnctl/reviewing.py), for the pull request's comment."""
    from stacks.config.guard_manifest import identity_changes, refusals

    allowed = frozenset(args.allow_change)
    changes = {c.allowance for env in environments for c in identity_changes(Path(env.source), env.name, env.config)}
    if allowed - changes:
        _usage_error(args, f"--allow-change {', '.join(sorted(allowed - changes))}: no such change of identity")
    lines = [line for env in environments
             for line in refusals(env.source, env.name, env.config, allowed, "--allow-change {}")]
    if lines and refuse:
        print("\n".join(f"refused by the prod guard: {line}" for line in lines), file=sys.stderr)
        return 3
    return 0


def _deploy(args, environments: list[LoadedEnvironment]) -> int:
    from vpnctl.deploying import Approval, deploy_environments

    automatic = args.local or args.auto_approve
    refused = _identity_refused(args, environments, refuse=True)
    if refused:
        return refused
    if not automatic and not sys.stdin.isatty():
        _usage_error(args, "a deploy to AWS shows its plan and asks before it applies, and there is no terminal "
                           "to ask on: run it on a terminal, or add --auto-approve where the plan was reviewed "
                           "another way (a pull request's `vpnctl review`)")
    return _watched(args, environments, lambda progress: deploy_environments(
        environments, _outdir(args), args.build, local=args.local, allow_replace=_allowed(args),
        allow_destroy=frozenset(args.allow_destroy), approval=Approval(automatic=automatic), progress=progress,
        allow_change=frozenset(args.allow_change),
    ))


def _review(args, environments: list[LoadedEnvironment]) -> int:
    from vpnctl.reviewing import review_environments

    _identity_refused(args, environments, refuse=False)
    return _watched(args, environments, lambda progress: review_environments(
        environments, _outdir(args), args.build, local=args.local, allow_replace=_allowed(args),
        allow_destroy=frozenset(args.allow_destroy), markdown_file=args.markdown, policy=not args.no_policy,
        progress=progress, allow_change=frozenset(args.allow_change),
    ))


def _policy(args, environments: list[LoadedEnvironment]) -> int:
    from vpnctl.checkout_lock import holding
    from vpnctl.policy.command import check_environments

    with holding(_outdir(args), [env.name for env in environments], "policy"):
        return check_environments(environments, _outdir(args))


def _pki(args, environments: list[LoadedEnvironment]) -> int:
    from vpnctl.pki.command import run

    return run(args, environments[0])


def _client_config(args, environments: list[LoadedEnvironment]) -> int:
    from vpnctl.client_profile import run

    return run(args, environments[0])


def _device_config(args, environments: list[LoadedEnvironment]) -> int:
    from vpnctl.device.command import run

    return run(args, environments[0])


def _import_crl(args) -> int:
    from vpnctl.revocation import run

    return run(args)


def _diff(args, environments: list[LoadedEnvironment]) -> int:
    from vpnctl.review.offline_diff import diff_command

    names = [env.name for env in environments] if args.env else None  # None: both sides' environments
    return diff_command(args.environments, names, args.base, args.head, args.markdown)


if __name__ == "__main__":
    sys.exit(main())
