"""Which attributes replace a resource.

The one table of force-new attributes. Read from the ForceNew flags in
terraform-provider-aws's schemas (v5 line, checked against plans of provider
5.100.0 in tests/test_review_scenarios.py); an attribute path is written as in
a plan's `replace_paths`, nested blocks as "block.attribute".
"""

from __future__ import annotations

import re

from vpnctl.review import impact_rules

_TGW_TABLE_LINK = frozenset({"transit_gateway_attachment_id", "transit_gateway_route_table_id"})
FORCE_NEW: dict[str, frozenset[str]] = {
    "aws_vpn_connection": frozenset({
        "type", "static_routes_only", "enable_acceleration", "tunnel_inside_ip_version",
        "tunnel1_inside_cidr", "tunnel2_inside_cidr", "tunnel1_inside_ipv6_cidr", "tunnel2_inside_ipv6_cidr",
    }),
    "aws_customer_gateway": frozenset({
        "type", "ip_address", "bgp_asn", "bgp_asn_extended", "certificate_arn", "device_name",
    }),
    "aws_vpn_gateway": frozenset({"amazon_side_asn", "availability_zone"}),
    "aws_vpn_gateway_attachment": frozenset({"vpc_id", "vpn_gateway_id"}),
    "aws_vpn_connection_route": frozenset({"destination_cidr_block", "vpn_connection_id"}),
    "aws_vpn_gateway_route_propagation": frozenset({"route_table_id", "vpn_gateway_id"}),
    "aws_ec2_client_vpn_endpoint": frozenset({
        "client_cidr_block", "transport_protocol", "authentication_options",
        "authentication_options.type", "authentication_options.root_certificate_chain_arn",
        "authentication_options.saml_provider_arn", "authentication_options.self_service_saml_provider_arn",
        "authentication_options.active_directory_id",
    }),
    "aws_ec2_client_vpn_network_association": frozenset({"client_vpn_endpoint_id", "subnet_id"}),
    "aws_ec2_client_vpn_authorization_rule": frozenset({
        "client_vpn_endpoint_id", "target_network_cidr", "access_group_id", "authorize_all_groups", "description",
    }),
    "aws_ec2_client_vpn_route": frozenset({
        "client_vpn_endpoint_id", "destination_cidr_block", "target_vpc_subnet_id", "description",
    }),
    "aws_acm_certificate": frozenset({
        "domain_name", "subject_alternative_names", "validation_method", "key_algorithm", "certificate_authority_arn",
    }),
    "aws_cloudwatch_log_group": frozenset({"name", "name_prefix", "log_group_class"}),
    "aws_ec2_transit_gateway_route_table_association": _TGW_TABLE_LINK,
    "aws_ec2_transit_gateway_route_table_propagation": _TGW_TABLE_LINK,
    # Terraform's own resource: any change of its triggers replaces it, which is the point.
    "terraform_data": frozenset({"triggers_replace"}),
}

# What replacing or destroying a resource of this type means, from the impact rules (vpnctl/review/impact_rules.py),
# for the offline diff, which has no plan to apply them to.
REPLACED: dict[str, str] = {kind: words for kind in FORCE_NEW if (words := impact_rules.replaced_words(kind))}
DESTROYED: dict[str, str] = {kind: words for kind in {r.resource_type for r in impact_rules.RULES}
                             if (words := impact_rules.destroyed_words(kind))}


def forces_replacement(resource_type: str, path: str) -> bool:
    """True if changing `path` ("a" or "a.b") replaces a resource of `resource_type`."""
    table = FORCE_NEW.get(resource_type, frozenset())
    parts = re.sub(r"\[\d+\]", "", path).split(".")
    return any(".".join(parts[: n + 1]) in table for n in range(len(parts)))
