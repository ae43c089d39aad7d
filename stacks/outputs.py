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
from vpn_schema.naming import (
    ALARM_TOPIC_OUTPUT,
    SHARD_STACKS_OUTPUT,
    VPN_GATEWAY_OUTPUT,
    client_vpn_output,
    site_output_names,
    site_tunnels_output,
)


def _output(scope, id: str, name: str, **settings) -> TerraformOutput:
    output = TerraformOutput(scope, id, **settings)
    output.override_logical_id(name)
    return output


def vpn_gateway_outputs(stack: TerraformStack, gateway: VpnGateway) -> None:
    _output(stack, VPN_GATEWAY_OUTPUT, VPN_GATEWAY_OUTPUT, value=gateway.id)


def alarm_topic_outputs(stack: TerraformStack, topic: AlarmTopic) -> None:
    _output(stack, ALARM_TOPIC_OUTPUT, ALARM_TOPIC_OUTPUT, value=topic.arn)


def shard_outputs(stack: TerraformStack, shard_stacks: list[str]) -> None:
    """A sharded environment's base: its shard stacks, so that a later run finds the sites of a shard whose
    block was removed (vpnctl/shard_moves.py)."""
    _output(stack, SHARD_STACKS_OUTPUT, SHARD_STACKS_OUTPUT, value=shard_stacks,
            description="The environment's shard stacks, each reading this stack's outputs")


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
        site_output_names(site.name)[1],
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
