"""Client VPN with certificate (mutual TLS) authentication, built from the constructs directly.

The server certificate and its CA chain are imported into ACM from PEM files
that Terraform reads with file() at plan time, from the folder the `pki_dir`
variable names: neither key material nor a machine path is synthesized. Clients
present certificates signed by that CA. The endpoint reaches its VPC and, through
a route added after creation, an on-premises network; an alarm watches failed
logins through the endpoint's metric helper. Values are documentation examples.
"""

from __future__ import annotations

import os

from stacks.bindings import load_lazily

load_lazily()  # optional speed-up: import only the AWS binding modules in use (~3.5 s instead of ~16 s)

from cdktf import App, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable
from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from modules.alarms import AlarmTopic
from modules.certificates import Certificates
from modules.client_vpn import ClientVpnEndpoint
from vpn_schema.client_vpn import AuthorizationRule, CertificateSource, ClientVpn, Route

REGION = "eu-central-1"
VPC_ID = "vpc-0123456789abcdef0"  # an existing VPC and two of its subnets in different zones (example IDs)
VPC_CIDR = "10.0.0.0/16"
SUBNET_IDS = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]
ON_PREMISES = "192.168.0.0/16"  # reached from the VPC through a Site-to-Site VPN


class CertificateClientVpnStack(TerraformStack):
    """A certificate-authenticated endpoint, its imported certificates and an alarm."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        AwsProvider(self, "aws", region=REGION)
        # Local state beside the synthesized stack, for trying it out (cdktf's default path would be absolute).
        LocalBackend(self, path="terraform.tfstate")
        pki_dir = TerraformVariable(self, "pki_dir", type="string", nullable=False,
                                    description="Folder holding vpn/server.crt, vpn/server.key and vpn/ca.crt")
        props = ClientVpn(
            client_cidr="10.100.0.0/22",
            authentication=["certificate"],
            server_certificate=CertificateSource(pki="vpn"),  # client certificates chain to its CA
            subnet_ids=SUBNET_IDS,
            dns_servers=["10.0.0.2"],
            authorization={"vpc": AuthorizationRule(networks=[VPC_CIDR], description="the VPC")},
        )
        certificates = Certificates(self, "certificates", name="example-vpn", server=props.server_certificate,
                                    pki_dir=pki_dir.string_value)
        endpoint = ClientVpnEndpoint(
            self,
            "client_vpn",
            name="vpn",
            props=props,
            environment="example",
            vpc_id=VPC_ID,
            vpc_cidr=VPC_CIDR,
            server_certificate_arn=certificates.server_certificate_arn,
            client_root_certificate_chain_arn=certificates.client_root_certificate_chain_arn,
        )
        # Extending the endpoint after creation: each addition waits for the one before.
        endpoint.add_route("on-premises", Route(destination=ON_PREMISES))
        endpoint.add_authorization_rule("on-premises", AuthorizationRule(networks=[ON_PREMISES]))

        topic = AlarmTopic(self, "alarm_topic", environment="example")
        CloudwatchMetricAlarm(
            self,
            "authentication_failures",
            alarm_name="client-vpn-example-authentication-failures",
            alarm_description="Many failed Client VPN logins: a revoked or expired certificate, or guessing",
            **endpoint.metric_authentication_failures().alarm_arguments(),
            evaluation_periods=1,
            comparison_operator="GreaterThanThreshold",
            threshold=20,
            treat_missing_data="notBreaching",
            alarm_actions=[topic.arn],
        )
        TerraformOutput(self, "endpoint_id", value=endpoint.endpoint_id)
        TerraformOutput(self, "dns_name", value=endpoint.dns_name)
        TerraformOutput(self, "server_certificate_not_after", value=certificates.imported["server"].not_after)


def main() -> None:
    app = App(outdir=os.environ.get("CDKTF_OUTDIR", "cdktf.out"))
    CertificateClientVpnStack(app, "client-vpn-certificate")
    app.synth()


if __name__ == "__main__":
    main()
