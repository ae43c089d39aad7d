"""`vpnctl stacks`: every Terraform stack of the environments, the base of each first, then its shards; with
--json, a list a CI matrix takes (`vpnctl review STACK` reviews one of them)."""

from __future__ import annotations

import json

from stacks.config import LoadedEnvironment
from vpn_schema.naming import stack_names
from vpnctl.commands.options import environments_argument


def add_parser(commands) -> None:
    command = commands.add_parser("stacks", help="list the Terraform stacks of the environments, each base first")
    environments_argument(command)
    command.add_argument("--json", action="store_true", help="one JSON list, for a CI matrix")
    command.set_defaults(handler=run)


def run(args, environments: list[LoadedEnvironment]) -> int:
    names = [stack for env in environments for stack in stack_names(env.name, env.config)]
    print(json.dumps(names) if args.json else "\n".join(names))
    return 0
