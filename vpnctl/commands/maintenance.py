"""`vpnctl maintenance ENV [--local]`: AWS's pending tunnel maintenance, per tunnel with lifecycle control on;
`vpnctl maintenance ENV --apply SITE [--tunnel N] [--timeout S]`: apply it one tunnel at a time.

A tunnel is replaced only while the other one is UP, and the next only once the replaced one is UP again
(vpnctl/tunnel_maintenance.py), so the site keeps a tunnel throughout. Exit 0 done (or nothing pending);
1 refused (the other tunnel is down), timed out, or AWS could not be asked; 2 lifecycle control is off or
no such site.
"""

from __future__ import annotations

import datetime as dt
import sys

from stacks.config import LoadedEnvironment
from vpnctl.day2_target import add_target_options, reaching
from vpnctl.exit_status import EXIT_CONFIG, EXIT_FAILED, EXIT_OK
from vpnctl.tunnel_maintenance import TIMEOUT_SECONDS


def add_parser(commands) -> None:
    command = commands.add_parser("maintenance", help="list AWS's pending tunnel maintenance, or apply it tunnel by tunnel")
    add_target_options(command)
    command.add_argument("--apply", metavar="SITE", default=None,
                         help="replace SITE's tunnels that have maintenance pending, one at a time")
    command.add_argument("--tunnel", type=int, choices=(1, 2), default=None, help="with --apply: only this tunnel")
    command.add_argument("--timeout", type=float, default=TIMEOUT_SECONDS, metavar="SECONDS",
                         help=f"with --apply: how long a replaced tunnel may take to come back UP (default: {TIMEOUT_SECONDS:.0f})")
    command.set_defaults(handler=run)


def run(args, environments: list[LoadedEnvironment]) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from vpnctl.aws_session import for_environment
    from vpnctl.kept_emulator import NoKeptEmulator
    from vpnctl.name_tags import NotDeployed
    from vpnctl.tunnel_maintenance import LifecycleControlOff, MaintenanceRefused, MaintenanceTimedOut

    environment = environments[0]
    if args.tunnel is not None and args.apply is None:
        print("vpnctl maintenance: --tunnel goes with --apply SITE", file=sys.stderr)
        return EXIT_CONFIG
    if args.apply is not None and args.apply not in environment.config.sites:
        known = ", ".join(environment.config.sites) or "none"
        print(f'vpnctl maintenance: {environment.source}: no site "{args.apply}" (sites: {known})', file=sys.stderr)
        return EXIT_CONFIG
    try:
        with reaching(args, environment.name):
            ec2 = for_environment(environment.config).client("ec2")
            return _apply(args, environment, ec2) if args.apply else _list(environment, ec2)
    except LifecycleControlOff as exc:
        print(f"vpnctl maintenance: {environment.name}: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except (NoKeptEmulator, NotDeployed, MaintenanceRefused, MaintenanceTimedOut, BotoCoreError, ClientError) as exc:
        print(f"vpnctl maintenance: {environment.name}: {exc}", file=sys.stderr)
        return EXIT_FAILED


def _list(environment: LoadedEnvironment, ec2) -> int:
    """One row per tunnel: its lifecycle control, status, and the maintenance AWS holds for it."""
    from rich.console import Console
    from rich.table import Table

    from vpnctl.status_report import PIPE_WIDTH, maintenance_text
    from vpnctl.tunnel_maintenance import site_tunnels

    table = Table(title=f"{environment.name}: pending tunnel maintenance", title_justify="left")
    for column in ("Site", "Tunnel", "Outside IP", "Status", "Lifecycle control", "Maintenance", "Last applied"):
        table.add_column(column, overflow="fold")
    now = dt.datetime.now(dt.UTC)
    for site in environment.config.sites:
        _, tunnels = site_tunnels(ec2, environment.name, site)
        for tunnel in tunnels:
            last = tunnel.maintenance.last_applied if tunnel.maintenance else None
            table.add_row(site, str(tunnel.number), tunnel.outside_ip, tunnel.status,
                          "on" if tunnel.lifecycle_control else "off", maintenance_text(tunnel, now),
                          f"{last:%Y-%m-%d %H:%M} UTC" if last else "")
    Console(file=sys.stdout, highlight=False, width=None if sys.stdout.isatty() else PIPE_WIDTH).print(table)
    return EXIT_OK


def _apply(args, environment: LoadedEnvironment, ec2) -> int:
    from vpnctl.progress import Progress
    from vpnctl.tunnel_maintenance import apply_site

    with Progress() as progress:
        replaced = apply_site(ec2, environment.name, args.apply, progress, only=args.tunnel, timeout=args.timeout)
    if replaced:
        print(f"{environment.name} {args.apply}: maintenance applied to tunnel "
              f"{' then '.join(str(n) for n in replaced)}, each UP again")
    else:
        print(f"{environment.name} {args.apply}: no maintenance pending"
              + (f" for tunnel {args.tunnel}" if args.tunnel else ""))
    return EXIT_OK
