"""`vpnctl client-config ENV USER -o FILE`: the OpenVPN profile a user loads into the VPN client.

The profile is the endpoint's own exported configuration
(ExportClientVpnClientConfiguration: remote, protocol, CA chain, options) with
the user's certificate and key added inline, as AWS's guide says to. It holds
a private key, so it is written mode 0600, and never for a user who is
unknown to the PKI or revoked.
"""

from __future__ import annotations

import sys
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpnctl.commands.options import PKI_DIR_HELP
from vpnctl.exit_status import EXIT_CONFIG, EXIT_FAILED
from vpnctl.pki.store import Pki, PkiError, default_root


def with_identity(exported: str, certificate_pem: str, key_pem: str) -> str:
    """The exported profile plus inline <cert> and <key> blocks."""
    if "<cert>" in exported or "<key>" in exported:
        raise ValueError("the exported configuration already carries a certificate or key")
    blocks = f"<cert>\n{certificate_pem.strip()}\n</cert>\n<key>\n{key_pem.strip()}\n</key>\n"
    return exported.rstrip("\n") + "\n\n" + blocks


def add_parser(commands) -> None:
    command = commands.add_parser(
        "client-config", help="write USER's OpenVPN profile: the endpoint's exported configuration plus cert and key"
    )
    command.add_argument("env", help="environment name")
    command.add_argument("user", help="user name, as issued with `vpnctl pki issue`")
    command.add_argument("-o", "--output", type=Path, required=True, help="profile file to write (mode 0600)")
    command.add_argument("--endpoint", default=None, help="client_vpn block, when the environment has several")
    command.add_argument("--pki-dir", type=Path, default=None, help=PKI_DIR_HELP)
    command.set_defaults(handler=run)


def _endpoint_name(environment: LoadedEnvironment, chosen: str | None) -> str:
    names = [name for name, endpoint in environment.config.client_vpn.items() if endpoint.client_pki]
    if chosen is not None:
        if chosen not in names:
            raise PkiError(f'{environment.source}: no client_vpn "{chosen}" with certificates from a pki folder '
                           f"(those with one: {', '.join(names) or 'none'})")
        return chosen
    if len(names) != 1:
        raise PkiError(f"{environment.source}: "
                       + (f"choose an endpoint with --endpoint: {', '.join(names)}" if names
                          else "no client_vpn authenticates with certificates from a pki folder"))
    return names[0]


def run(args, environments: list[LoadedEnvironment]) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from vpnctl.aws_session import for_environment
    from vpnctl.name_tags import NotDeployed, client_vpn_endpoint
    from vpnctl.secret_file import write_secret_file

    environment = environments[0]
    try:
        name = _endpoint_name(environment, args.endpoint)
        pki = Pki(args.pki_dir or default_root(), environment.config.client_vpn[name].client_pki)
        certificate_path, key_path = pki.client_files(args.user)
    except PkiError as exc:
        print(f"vpnctl client-config: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        ec2 = for_environment(environment.config).client("ec2")
        endpoint = client_vpn_endpoint(ec2, environment.name, name)
        exported = ec2.export_client_vpn_client_configuration(ClientVpnEndpointId=endpoint["ClientVpnEndpointId"])
    except (NotDeployed, BotoCoreError, ClientError) as exc:
        print(f"vpnctl client-config: {environment.name}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        text = with_identity(exported["ClientConfiguration"], certificate_path.read_text(), key_path.read_text())
        write_secret_file(args.output, text)
    except (OSError, ValueError) as exc:
        print(f"vpnctl client-config: {args.output}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f'{environment.name}: profile for "{args.user}" on {endpoint["ClientVpnEndpointId"]} in {args.output} (mode 0600)')
    return 0
