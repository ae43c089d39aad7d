"""The stack's outputs: what `terraform output` shows an operator, named after the config's names.

The constructs expose values; the stack chooses the outputs and their names, so two constructs of one
kind never compete for an output name. Each output is a child of the construct it describes: the
synthesized JSON records that path, and the logical ID set here is the name `terraform output` shows
(`site_berlin-hq_tunnels`). Values that hold secrets are sensitive.
"""

from __future__ import annotations

from cdktf import TerraformOutput, TerraformStack

from modules.alarms import AlarmTopic
from modules.certificates import Certificates
from modules.client_vpn import ClientVpnEndpoint
from modules.site_to_site import SiteToSiteVpn
from modules.vpn_gateway import VpnGateway
from vpn_schema.naming import client_vpn_output, site_tunnels_output


def _output(scope, id: str, name: str, **settings) -> TerraformOutput:
    output = TerraformOutput(scope, id, **settings)
    output.override_logical_id(name)
    return output


def vpn_gateway_outputs(stack: TerraformStack, gateway: VpnGateway) -> None:
    _output(stack, "vpn_gateway_id", "vpn_gateway_id", value=gateway.id)


def alarm_topic_outputs(stack: TerraformStack, topic: AlarmTopic) -> None:
    _output(stack, "alarm_topic_arn", "alarm_topic_arn", value=topic.arn)


def site_outputs(site: SiteToSiteVpn) -> None:
    """The tunnel endpoints to configure the device with, and AWS's device configuration (it holds the
    pre-shared keys, so it is sensitive)."""
    _output(
        site,
        "tunnels",
        site_tunnels_output(site.name),
        description=f'Tunnel endpoints of site "{site.name}", to configure the device',
        value=site.tunnel_endpoints,
    )
    _output(
        site,
        "customer_gateway_configuration",
        f"site_{site.name}_customer_gateway_configuration",
        description=f'AWS\'s device configuration for site "{site.name}"; holds the pre-shared keys',
        value=site.customer_gateway_configuration,
        sensitive=True,
    )


def certificate_outputs(certificates: Certificates, name: str) -> None:
    """The expiry of each certificate imported from files (one given by ACM ARN is renewed elsewhere)."""
    for role, certificate in certificates.imported.items():
        _output(
            certificates,
            f"{role}_not_after",
            f"client_vpn_{name}_{role}_certificate_not_after",
            value=certificate.not_after,
            description=f"Expiry of the {role} certificate of {name}",
        )


def client_vpn_outputs(endpoint: ClientVpnEndpoint) -> None:
    """Where clients connect, and the self-service portal (empty without one)."""
    _output(
        endpoint,
        "endpoint_output",
        client_vpn_output(endpoint.name),
        description=f"Client VPN endpoint {endpoint.name}",
        value={
            "id": endpoint.endpoint_id,
            "dns_name": endpoint.dns_name,
            "self_service_portal_url": endpoint.self_service_portal_url,
        },
    )
