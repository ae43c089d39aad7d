"""A BGP Site-to-Site VPN on an existing transit gateway, built from the constructs directly.

A data centre announces its networks over BGP; the VPN attachment is
associated with the transit gateway's VPN route table, and its routes
propagate into the route tables of the VPCs that may reach the data centre
(route domains). Both tunnels use the built-in "modern" crypto profile
(IKEv2, AES-256-GCM, SHA-2, DH 14+). Values are documentation examples.
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
from vpn_schema.crypto_profiles import BUILTIN_PROFILES
from vpn_schema.site import Site, TransitGatewayAttachment
from vpn_schema.tunnel import Tunnel

REGION = "eu-central-1"
TRANSIT_GATEWAY = TransitGatewayAttachment(
    id="tgw-0123456789abcdef0",  # an existing transit gateway (example IDs)
    route_table_id="tgw-rtb-0aaaaaaaaaaaaaaa0",  # routes what arrives from the data centre
    # The tables that learn the data centre's networks: shared services and production VPCs.
    propagation_route_table_ids=["tgw-rtb-0bbbbbbbbbbbbbbb0", "tgw-rtb-0ccccccccccccccc0"],
)


class TransitGatewayBgpStack(TerraformStack):
    """One BGP site on a transit gateway, with tunnel alarms."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        AwsProvider(self, "aws", region=REGION)
        # Local state beside the synthesized stack, for trying it out (cdktf's default path would be absolute).
        LocalBackend(self, path="terraform.tfstate")
        topic = AlarmTopic(self, "alarm_topic", environment="example")
        modern = BUILTIN_PROFILES["modern"]
        data_centre = SiteToSiteVpn(
            self,
            "data_centre",
            name="data-centre",
            site=Site(
                ip_address="198.51.100.20",
                routing="bgp",
                bgp_asn=65020,  # the data centre's private ASN
                transit_gateway=TRANSIT_GATEWAY,
                tunnel=[
                    Tunnel(inside_cidr="169.254.20.0/30", dpd_timeout_action="restart").with_profile(modern),
                    Tunnel(inside_cidr="169.254.20.4/30", dpd_timeout_action="restart").with_profile(modern),
                ],
            ),
            environment="example",
            alarm_topic_arn=topic.arn,
        )
        TerraformOutput(self, "tunnels", value=data_centre.tunnel_endpoints,
                        description="Tunnel and BGP peer addresses to configure the data centre's routers with")
        TerraformOutput(self, "transit_gateway_attachment_id",
                        value=data_centre.connection.transit_gateway_attachment_id)


def main() -> None:
    app = App(outdir=os.environ.get("CDKTF_OUTDIR", "cdktf.out"))
    TransitGatewayBgpStack(app, "tgw-bgp")
    app.synth()


if __name__ == "__main__":
    main()
