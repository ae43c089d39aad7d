"""`vpnctl status ENV [--local] [--json]`: is every tunnel up and every endpoint serving, and what needs action.

One screen per environment: per site each tunnel's outside IP, status, message, last change, BGP routes
and pending maintenance; per Client VPN endpoint its state, associations, connected users, certificate
and CRL expiry. Exit 0 when all is well, 1 when something needs action (or AWS could not be asked).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpnctl.commands.options import PKI_DIR_HELP
from vpnctl.day2_target import add_target_options, reaching
from vpnctl.exit_status import EXIT_FAILED, EXIT_OK


def add_parser(commands) -> None:
    command = commands.add_parser("status", help="tunnels, endpoints and what needs action, as deployed")
    add_target_options(command)
    command.add_argument("--json", action="store_true", help="the same facts as JSON, for machines")
    command.add_argument("--pki-dir", type=Path, default=None, help=PKI_DIR_HELP)
    command.set_defaults(handler=run)


def run(args, environments: list[LoadedEnvironment]) -> int:
    from botocore.exceptions import BotoCoreError, ClientError
    from rich.console import Console

    from vpnctl.aws_session import for_environment
    from vpnctl.kept_emulator import NoKeptEmulator
    from vpnctl.name_tags import NotDeployed
    from vpnctl.pki.store import default_root
    from vpnctl.status_report import PIPE_WIDTH, as_json, gather, render

    environment = environments[0]
    try:
        with reaching(args, environment.name):
            status = gather(for_environment(environment.config), environment.name, environment.config,
                            args.pki_dir or default_root())
    except (NoKeptEmulator, NotDeployed, BotoCoreError, ClientError) as exc:
        print(f"vpnctl status: {environment.name}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.json:
        print(json.dumps(as_json(status), indent=2))
    else:
        render(status, Console(file=sys.stdout, highlight=False, width=None if sys.stdout.isatty() else PIPE_WIDTH))
    return EXIT_FAILED if status.needs_action else EXIT_OK
