"""`vpnctl device-config ENV SITE --format strongswan|aws-xml -o FILE`.

Reads the deployed connection (DescribeVpnConnections, by its Name tag), its
customer gateway, and the pre-shared keys AWS runs (vpnctl/device/deployed_connection.py).
The file holds the keys, so it is written mode 0600 and never to standard output.
"""

from __future__ import annotations

import sys
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpnctl.exit_status import EXIT_CONFIG, EXIT_FAILED

FORMATS = ("strongswan", "aws-xml")


def add_parser(commands) -> None:
    command = commands.add_parser(
        "device-config", help="write the on-premises device's config for SITE from the deployed connection"
    )
    command.add_argument("env", help="environment name")
    command.add_argument("site", help="site block name")
    command.add_argument("--format", choices=FORMATS, default="strongswan",
                         help="strongswan: swanctl.conf for both tunnels; aws-xml: AWS's customer gateway document")
    command.add_argument("-o", "--output", type=Path, required=True, help="file to write (mode 0600: it holds the keys)")
    command.add_argument("--route-based", action="store_true",
                         help="strongswan: bind each tunnel to an XFRM interface even with explicit traffic selectors")
    command.set_defaults(handler=run)


def run(args, environments: list[LoadedEnvironment]) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from vpnctl.aws_session import for_environment
    from vpnctl.device.deployed_connection import DeviceConfigError, strongswan_config
    from vpnctl.name_tags import NotDeployed, vpn_connection
    from vpnctl.secret_file import write_secret_file

    environment = environments[0]
    if args.site not in environment.config.sites:
        known = ", ".join(environment.config.sites) or "none"
        print(f'vpnctl device-config: {environment.source}: no site "{args.site}" (sites: {known})', file=sys.stderr)
        return EXIT_CONFIG

    def warn(message: str) -> None:
        print(f"vpnctl device-config: warning: {message}", file=sys.stderr)

    try:
        session = for_environment(environment.config)
        ec2 = session.client("ec2")
        connection = vpn_connection(ec2, environment.name, args.site)
        if args.format == "aws-xml":
            text = connection["CustomerGatewayConfiguration"]
            if "<pre_shared_key>REDACTED</pre_shared_key>" in text:
                warn(f"AWS writes the keys as REDACTED in its document; they are in {connection.get('PreSharedKeyArn')}")
        else:
            (gateway,) = ec2.describe_customer_gateways(CustomerGatewayIds=[connection["CustomerGatewayId"]])[
                "CustomerGateways"
            ]
            text = strongswan_config(environment, args.site, connection, gateway, session.client("secretsmanager"),
                                     route_based=args.route_based, warn=warn)
        write_secret_file(args.output, text)
    except (NotDeployed, DeviceConfigError, BotoCoreError, ClientError, OSError) as exc:
        print(f"vpnctl device-config: {environment.name} site {args.site}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{environment.name}: {args.format} config for site {args.site} ({connection['VpnConnectionId']}) "
          f"in {args.output} (mode 0600)")
    return 0
