"""`vpnctl validate`: check environment files; no cdktf, no Terraform."""

from __future__ import annotations

from stacks.config import LoadedEnvironment
from vpnctl.commands.options import environments_argument


def add_parser(commands) -> None:
    command = commands.add_parser("validate", help="check environment files; no cdktf, no Terraform")
    environments_argument(command)
    command.set_defaults(handler=run)


def run(args, environments: list[LoadedEnvironment]) -> int:
    for env in environments:
        sites, endpoints = len(env.config.sites), len(env.config.client_vpn)
        print(
            f"{env.source}: ok ({sites} site{'s' if sites != 1 else ''}, "
            f"{endpoints} Client VPN endpoint{'s' if endpoints != 1 else ''})"
        )
    return 0
