"""`vpnctl synth`: write Terraform JSON to the output folder."""

from __future__ import annotations

from stacks.config import LoadedEnvironment
from vpnctl.commands.options import allow_replace_option, allowed, environments_argument, out_option, outdir
from vpnctl.commands.terraform_frame import guarded


def add_parser(commands) -> None:
    command = commands.add_parser("synth", help="write Terraform JSON to the output folder")
    environments_argument(command)
    out_option(command)
    allow_replace_option(command)
    command.set_defaults(handler=run)


def run(args, environments: list[LoadedEnvironment]) -> int:
    from vpn_schema.naming import stack_names
    from vpnctl.checkout_lock import holding
    from vpnctl.synthesized import stack_file, synth_stacks

    folder = outdir(args)

    def write() -> int:
        synth_stacks(environments, folder, allowed(args))
        return 0

    with holding(folder, [env.name for env in environments], "synth"):
        status = guarded(write)
    if status:
        return status
    for env in environments:
        for stack in stack_names(env.name, env.config):  # the base, then its shards' stacks
            print(f"{stack}: {stack_file(folder, stack)}")
    return 0
