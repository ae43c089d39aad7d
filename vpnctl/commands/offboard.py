"""`vpnctl offboard ENV USER`: revoke USER's certificate, import the new CRL on every endpoint that trusts
that PKI (a Terraform plan aimed at exactly those imports, shown and applied once approved), then end
USER's sessions and check none is left (vpnctl/offboarding.py). Run twice, it finds the user already
gone and exits 0; a user no pki folder of the environment issued exits 2.

With --local it works on the local AWS that `vpnctl deploy ENV --local --keep` left running, through
the same code path: the kept emulator's endpoint and credentials are set as a user sets AWS's.
"""

from __future__ import annotations

import sys
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpnctl.commands.options import PKI_DIR_HELP, outdir, usage_error
from vpnctl.commands.terraform_frame import watched
from vpnctl.exit_status import EXIT_CONFIG, EXIT_FAILED


def add_parser(commands) -> None:
    command = commands.add_parser(
        "offboard", help="revoke USER's certificate, import the new CRL on the endpoints (a plan aimed at it, "
                         "approved), terminate USER's connections",
    )
    command.add_argument("env", nargs=1, metavar="ENV", help="environment name")
    command.add_argument("user", help="user name (the certificate's CN; the directory or SAML user name)")
    command.add_argument("--local", action="store_true",
                         help="the local AWS `vpnctl deploy ENV --local --keep` left running, instead of AWS")
    command.add_argument(
        "--auto-approve", action="store_true",
        help="import the CRL without asking; without it, the plan is shown and applied only after 'yes' typed "
             "on a terminal, and with no terminal it refuses at once (exit 2). --local never asks",
    )
    command.add_argument("--pki-dir", type=Path, default=None, help=PKI_DIR_HELP + "; Terraform reads the CRL there")
    command.add_argument("--build", type=Path, default=Path("build"),
                         help="folder for CLI config, logs and the --local record (default: build)")
    command.add_argument("--out", type=Path, default=None,
                         help="output folder (default: $CDKTF_OUTDIR or cdktf.out; with --local, BUILD/local/cdktf.out)")
    command.set_defaults(handler=run)


def run(args, environments: list[LoadedEnvironment]) -> int:
    from vpnctl import kept_emulator
    from vpnctl.plan_and_apply import Approval

    automatic = args.local or args.auto_approve
    if not automatic and not sys.stdin.isatty():
        usage_error(args, "offboarding shows the plan that imports the new CRL and asks before it applies, and "
                          "there is no terminal to ask on: run it on a terminal, or add --auto-approve")
    approval = Approval(automatic=automatic)
    work = lambda progress: offboard(args, environments[0], approval, progress)
    if not args.local:
        return watched(args, environments, work)
    try:
        variables = kept_emulator.kept_environment(args.build, environments[0].name)
    except kept_emulator.NoKeptEmulator as exc:
        print(f"vpnctl offboard: {exc}", file=sys.stderr)
        return EXIT_FAILED
    with kept_emulator.pointed_at(variables):
        return watched(args, environments, work)


def offboard(args, environment: LoadedEnvironment, approval, progress) -> int:
    """Revoke, import, terminate, check; what was done on stdout. The exit status."""
    from botocore.exceptions import BotoCoreError, ClientError

    from vpnctl.aws_session import for_environment
    from vpnctl.client_connections import ConnectionsLeft
    from vpnctl.interrupts import Interrupted
    from vpnctl.offboarding import OffboardFailed, end_sessions, endpoints_trusting, report, revoke_everywhere
    from vpnctl.pki.store import PkiError, default_root
    from vpnctl.plan_and_apply import DeployRefused
    from vpnctl.runner import report_failure
    from vpnctl.terraform import TerraformError

    name, user = environment.name, args.user
    try:
        revoked = revoke_everywhere(environment, args.pki_dir or default_root(), user)
    except PkiError as exc:
        print(f"vpnctl offboard: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        ec2 = for_environment(environment.config).client("ec2")
        endpoints = endpoints_trusting(ec2, environment, revoked)
        imported = import_new_crl(args, environment, [e for e in endpoints if not e.listed], approval, progress)
        unlisted = [e.name for e in endpoints_trusting(ec2, environment, revoked) if not e.listed]
        if unlisted:
            raise OffboardFailed(f"the CRL client_vpn {', '.join(unlisted)} holds still doesn't list the serial")
        ended = end_sessions(ec2, endpoints, user, progress.say)
    except DeployRefused as exc:
        print(f'{name}: refused: {exc}; the PKI lists "{user}" as revoked, but the endpoints accept the certificate '
              f"until `vpnctl offboard {name} {user}` runs again and is applied", file=sys.stderr)
        return exc.status
    except TerraformError as exc:
        report_failure(environment, exc)
        return EXIT_FAILED
    except Interrupted as exc:  # what the apply left (vpnctl/state_lock.py); the CLI gives the exit status
        print(exc.report or f"{name}: {exc}", file=sys.stderr)
        raise
    except (OffboardFailed, ConnectionsLeft, BotoCoreError, ClientError) as exc:
        print(f"vpnctl offboard: {name}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print("\n".join(report(name, user, revoked, endpoints, imported, ended)), flush=True)
    return 0


def import_new_crl(args, environment: LoadedEnvironment, endpoints, approval, progress) -> list[str]:
    """The endpoints' CRL imports, planned and applied on the state the deploy used, from the same synth;
    the names of the endpoints imported to. Nothing runs when every endpoint's CRL lists the user."""
    from vpnctl.offboarding import revocation_addresses
    from vpnctl.pki.store import default_root
    from vpnctl.plan_and_apply import apply_targeted
    from vpnctl.runner import prepare, run_files
    from vpnctl.synthesized import read_stack, synth_stacks

    if not endpoints:
        return []
    folder = outdir(args)
    with progress.step("", "synthesizing"):
        synth_stacks([environment], folder)
    addresses = revocation_addresses(read_stack(folder, environment.name), [e.name for e in endpoints])
    files = run_files(args.build, environment.name, "offboard")
    terraform = prepare(environment, folder, args.build, None, progress=progress, log_file=files.log)
    terraform.env["TF_VAR_pki_dir"] = str((args.pki_dir or default_root()).resolve())  # where the new CRL is
    apply_targeted(environment, folder, terraform, files, list(addresses.values()), approval=approval,
                   progress=progress)
    return [e.name for e in endpoints]
