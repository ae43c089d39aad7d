"""Client VPN with SAML (federated) authentication and the self-service portal, from the constructs directly.

Users sign in through the company's identity provider (an IAM SAML provider);
authorization rules grant networks by IdP group, and the self-service portal
(its own IAM SAML provider, for the portal's sign-in URL) lets users download
their client profile. The server certificate is an existing ACM certificate,
given by ARN. Values are documentation examples.
"""

from __future__ import annotations

import os

from stacks.bindings import load_lazily

load_lazily()  # optional speed-up: import only the AWS binding modules in use (~3.5 s instead of ~16 s)

from cdktf import App, LocalBackend, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from modules.client_vpn import ClientVpnEndpoint
from vpn_schema.client_vpn import AuthorizationRule, CertificateSource, ClientVpn

REGION = "eu-central-1"
ACCOUNT = "111122223333"  # AWS's documentation account ID
VPC_ID = "vpc-0123456789abcdef0"  # an existing VPC and two of its subnets in different zones (example IDs)
VPC_CIDR = "10.0.0.0/16"
SUBNET_IDS = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
SERVER_CERTIFICATE = f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


class SamlClientVpnStack(TerraformStack):
    """A SAML endpoint with group-based rules and the self-service portal."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        AwsProvider(self, "aws", region=REGION)
        # Local state beside the synthesized stack, for trying it out (cdktf's default path would be absolute).
        LocalBackend(self, path="terraform.tfstate")
        props = ClientVpn(
            client_cidr="10.100.0.0/22",
            authentication=["saml"],
            saml_provider_arn=f"arn:aws:iam::{ACCOUNT}:saml-provider/ExampleCorpIdP",
            self_service_saml_provider_arn=f"arn:aws:iam::{ACCOUNT}:saml-provider/ExampleCorpIdP-portal",
            self_service_portal=True,
            server_certificate=CertificateSource(acm_arn=SERVER_CERTIFICATE),
            subnet_ids=SUBNET_IDS,
            session_timeout_hours=12,
            login_banner="Example Corp network. Authorized use only; activity is logged.",
            authorization={
                "engineering": AuthorizationRule(networks=[VPC_CIDR], group="engineering"),
                "finance": AuthorizationRule(networks=["10.0.32.0/20"], group="finance"),
            },
        )
        endpoint = ClientVpnEndpoint(
            self,
            "client_vpn",
            name="staff",
            props=props,
            environment="example",
            vpc_id=VPC_ID,
            vpc_cidr=VPC_CIDR,
            server_certificate_arn=SERVER_CERTIFICATE,
        )
        TerraformOutput(self, "self_service_portal_url", value=endpoint.self_service_portal_url,
                        description="Where users sign in and download their Client VPN profile")
        TerraformOutput(self, "endpoint_id", value=endpoint.endpoint_id)


def main() -> None:
    app = App(outdir=os.environ.get("CDKTF_OUTDIR", "cdktf.out"))
    SamlClientVpnStack(app, "client-vpn-saml")
    app.synth()


if __name__ == "__main__":
    main()
