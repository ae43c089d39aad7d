"""Static-routing Site-to-Site VPN on a virtual private gateway, built from the constructs directly.

One branch office reaches an existing VPC through the VPC's virtual private
gateway: a customer gateway, a VPN connection with two tunnels, static routes
to the office's networks, route propagation into the VPC's route table, and
tunnel-down alarms to an SNS topic. Values are documentation examples
(RFC 5737 addresses, private ASNs, example IDs).
"""

from __future__ import annotations

import os

from stacks.bindings import load_lazily

load_lazily()  # optional speed-up: import only the AWS binding modules in use (~3.5 s instead of ~16 s)

from cdktf import App, LocalBackend, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from modules.alarms import AlarmTopic
from modules.site_to_site import SiteToSiteVpn
from modules.vpn_gateway import VpnGateway
from vpn_schema.site import Site
from vpn_schema.tunnel import Tunnel

REGION = "eu-central-1"
VPC_ID = "vpc-0123456789abcdef0"  # an existing VPC (example ID)
ROUTE_TABLE_IDS = ["rtb-0123456789abcdef0"]  # its route tables that should learn the office's networks


class StaticSiteStack(TerraformStack):
    """A virtual private gateway and one static-routing site."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        AwsProvider(self, "aws", region=REGION)
        # Local state beside the synthesized stack, for trying it out (cdktf's default path would be absolute).
        LocalBackend(self, path="terraform.tfstate")
        topic = AlarmTopic(self, "alarm_topic", environment="example", emails=["netops@example.com"])
        gateway = VpnGateway(self, "vpn_gateway", environment="example", vpc_id=VPC_ID,
                             route_table_ids=ROUTE_TABLE_IDS)
        office = SiteToSiteVpn(
            self,
            "branch_office",
            name="branch-office",
            site=Site(
                ip_address="203.0.113.10",  # the office router's public address
                routing="static",
                bgp_asn=65010,  # AWS needs an ASN even for static routing
                static_routes=["192.168.10.0/24", "192.168.11.0/24"],
                tunnel=[Tunnel(inside_cidr="169.254.10.0/30"), Tunnel(inside_cidr="169.254.10.4/30")],
            ),
            environment="example",
            alarm_topic_arn=topic.arn,
            vpn_gateway_id=gateway.id,
        )
        TerraformOutput(self, "tunnels", value=office.tunnel_endpoints,
                        description="Tunnel addresses to configure the office router with")
        # AWS's device configuration holds the pre-shared keys: sensitive, so only `terraform output -raw` shows it.
        TerraformOutput(self, "device_configuration", value=office.customer_gateway_configuration, sensitive=True)


def main() -> None:
    app = App(outdir=os.environ.get("CDKTF_OUTDIR", "cdktf.out"))
    StaticSiteStack(app, "static-vgw")
    app.synth()


if __name__ == "__main__":
    main()
