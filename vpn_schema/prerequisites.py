"""What an environment references but does not create: the VPC, its subnets and route tables, transit
gateways and their route tables, bring-your-own pre-shared key secrets, SAML providers, ACM certificates
named by ARN and the state bucket. The stacks never create these; a local run seeds them into the
emulator under the config's IDs (vpnctl/emulator_seed.py). cdktf-free.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from vpn_schema.pki_layout import certificate_sources

if TYPE_CHECKING:
    from vpn_schema.environment import Environment, Vpc


def network(config: Environment) -> dict:
    """The VPC, its subnets (a /24 each, in order, from the VPC's CIDR), route tables and transit gateways,
    in the shape the emulator's seed route takes."""
    vpcs = [_vpc(config.vpc)] if config.vpc is not None else []
    gateways: dict[str, set[str]] = {}
    for site in config.sites.values():
        if site.transit_gateway:
            tables_of = gateways.setdefault(site.transit_gateway.id, set())
            tables_of.update([site.transit_gateway.route_table_id, *site.transit_gateway.learning_route_table_ids])
    return {
        "region": config.region,
        "vpcs": vpcs,
        "transit_gateways": [{"id": gateway, "route_table_ids": sorted(ids)} for gateway, ids in gateways.items()],
    }


def _vpc(vpc: Vpc) -> dict:
    blocks = ipaddress.ip_network(vpc.cidr).subnets(new_prefix=max(24, ipaddress.ip_network(vpc.cidr).prefixlen + 4))
    subnets, tables = [], {table_id: [] for table_id in vpc.route_table_ids}
    for (subnet_id, subnet), block in zip(vpc.subnets.items(), blocks):
        subnets.append({"id": subnet_id, "cidr": str(block), "availability_zone": subnet.availability_zone})
        if subnet.route_table_id:
            tables.setdefault(subnet.route_table_id, []).append(subnet_id)
    return {
        "id": vpc.id,
        "cidr": vpc.cidr,
        "subnets": subnets,
        "route_tables": [{"id": table_id, "subnet_ids": ids} for table_id, ids in tables.items()],
    }


def preshared_key_secrets(config: Environment) -> list[str]:
    """The Secrets Manager secrets that sites name for their tunnels' keys, in config order."""
    names: list[str] = []
    for site in config.sites.values():
        for tunnel in site.tunnel:
            if tunnel.preshared_key_secret and tunnel.preshared_key_secret not in names:
                names.append(tunnel.preshared_key_secret)
    return names


def saml_provider_arns(config: Environment) -> list[str]:
    """The IAM SAML providers Client VPN endpoints authenticate with."""
    arns: list[str] = []
    for endpoint in config.client_vpn.values():
        for arn in (endpoint.saml_provider_arn, endpoint.self_service_saml_provider_arn):
            if arn and arn not in arns:
                arns.append(arn)
    return arns


def acm_certificate_arns(config: Environment) -> list[str]:
    """The ACM certificates Client VPN endpoints name by ARN (server or client root)."""
    return list(dict.fromkeys(source.acm_arn for source in certificate_sources(config) if source.acm_arn))
