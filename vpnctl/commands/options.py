"""What several commands share: their options, the output folder they write to, and how they refuse
arguments (exit 2, one line)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from vpnctl.exit_status import EXIT_CONFIG

PKI_DIR_HELP = "PKI root (default: $VPNCTL_PKI_DIR or ~/.local/share/vpn-as-code/pki)"


def environments_argument(command) -> None:
    command.add_argument("env", nargs="*", help="environment names (default: all)")


def out_option(command) -> None:
    command.add_argument("--out", type=Path, default=None, help="output folder (default: $CDKTF_OUTDIR or cdktf.out)")


def allow_replace_option(command) -> None:
    command.add_argument(
        "--allow-replace", action="append", default=[], metavar="ADDRESS",
        help="lift prod's prevent_destroy for exactly this reviewed change, ADDRESS@DIGEST as the review prints it (repeatable; one environment only)",
    )


def allow_change_option(command) -> None:
    command.add_argument(
        "--allow-change", action="append", default=[], metavar="KEY=VALUE",
        help="let a production environment's identity change to exactly this value (tier, account_id, region, "
             "state.bucket, state.region, vpc.id, file), as the refusal names it (repeatable)",
    )


def allow_destroy_option(command) -> None:
    command.add_argument(
        "--allow-destroy", action="append", default=[], metavar="ADDRESS",
        help="let the plan destroy this guarded resource, whose block was removed (repeatable; one environment only)",
    )


def allow_impact_option(command) -> None:
    command.add_argument(
        "--allow-impact", action="append", default=[], metavar="ADDRESS",
        help="in a production-tier environment, accept a change that takes both tunnels of a site down or makes "
             "users need new profiles, ADDRESS@DIGEST as the review prints it (repeatable)",
    )


def parallelism_option(command) -> None:
    command.add_argument(
        "--parallelism", type=int, default=None, metavar="N",
        help="how many resource operations Terraform runs at once in plan and apply (Terraform's -parallelism; "
             "default: Terraform's 10)",
    )


def jobs_option(command) -> None:
    command.add_argument(
        "--jobs", type=int, default=default_jobs(), metavar="N",
        help="how many environments to plan at once (default here: %(default)s, as many as the machine's free "
             "memory allows at 1 GiB each, at most 4 per core); 1 plans one after another",
    )


def terraform_command(commands, name: str, handler, summary: str, local_help: str):
    """`plan`, `deploy` and `review`: the same environment selection, folders, --local and --allow-replace."""
    command = commands.add_parser(name, help=summary)
    command.add_argument("env", nargs="*", help="environment names")
    command.add_argument("--all", action="store_true", help="every environment")
    command.add_argument("--out", type=Path, default=None,
                         help="output folder (default: $CDKTF_OUTDIR or cdktf.out; with --local, BUILD/local/cdktf.out)")
    command.add_argument("--build", type=Path, default=Path("build"), help="folder for CLI config and logs (default: build)")
    command.add_argument("--local", action="store_true", help=local_help)
    allow_replace_option(command)
    parallelism_option(command)
    command.set_defaults(handler=handler)
    return command


def usage_error(args, message: str):
    print(f"vpnctl {args.command}: {message}", file=sys.stderr)
    raise SystemExit(EXIT_CONFIG)


def allowed(args) -> frozenset[str]:
    """The --allow-replace addresses."""
    return frozenset(getattr(args, "allow_replace", None) or ())


def outdir(args) -> Path:
    """--out; else, for a --local run, a folder of its own under the build folder: what only a local run
    writes (vpnctl.runner.LOCAL_OVERRIDE) must never land where `cdktf deploy` runs Terraform; else
    $CDKTF_OUTDIR or cdktf.out."""
    if args.out:
        return args.out
    if getattr(args, "local", False):
        return args.build / "local" / "cdktf.out"
    return Path(os.environ.get("CDKTF_OUTDIR") or "cdktf.out")


def default_jobs(cpus: int | None = None, available_gib: float | None = None) -> int:
    """As many environments at once as memory allows, a GiB each (a plan's Terraform and provider, and its
    emulator), and at most four per core: a plan mostly waits on AWS's answers and the provider's sleeps."""
    cpus = cpus or os.cpu_count() or 1
    if available_gib is None:
        available_gib = _available_gib()
    return max(1, min(4 * cpus, int(available_gib)))


def _available_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 1.0
