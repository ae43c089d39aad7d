"""Which attributes replace a resource, and what a replacement, an update or a
destroy means for the people on the other end of the tunnel.

The one table of force-new attributes. Read from the ForceNew flags in
terraform-provider-aws's schemas (v5 line, checked against plans of provider
5.100.0 in tests/test_review_scenarios.py); an attribute path is written as in
a plan's `replace_paths`, nested blocks as "block.attribute".
"""

from __future__ import annotations

import re

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

# What replacing a resource of this type does, said to the reviewer.
REPLACED: dict[str, str] = {
    "aws_vpn_connection": "new tunnel outside IPs: the on-premises device must be reconfigured, "
    "and both tunnels stay down until it is",
    "aws_customer_gateway": "a new customer gateway; the VPN connection moves to it in place: "
    "both tunnels are down while AWS provisions new tunnel endpoints, same tunnel outside IPs",
    "aws_vpn_gateway": "a new virtual private gateway: its VPN connections move or are replaced, "
    "and VPC route propagation restarts",
    "aws_ec2_client_vpn_endpoint": "a new endpoint with a new DNS name: every connected user is dropped, "
    "and every user needs a new client profile",
    "aws_ec2_client_vpn_network_association": "the subnet is disassociated and associated again: "
    "no access through it for several minutes",
    "aws_ec2_client_vpn_authorization_rule": "the rule is revoked and authorized again: "
    "a short loss of access to its network",
    "aws_ec2_client_vpn_route": "the route is deleted and created again: a short loss of access to its destination",
    "aws_vpn_connection_route": "the static route is deleted and created again: "
    "a short loss of traffic to that network",
    "aws_cloudwatch_log_group": "a new log group: the old one's logs are deleted with it",
    "aws_acm_certificate": "a new certificate ARN: endpoints that use it switch to the new one",
    # The stacks' only terraform_data is the CRL import (modules/certificate_revocation.py).
    "terraform_data": "the endpoint's certificate revocation list is imported again (vpnctl import-crl): "
    "certificates it revokes can no longer connect, and AWS resets every connection of the endpoint",
}

DESTROYED: dict[str, str] = {
    "aws_vpn_connection": "the site's tunnels go away: the site loses its VPN",
    "aws_customer_gateway": "the site's customer gateway goes away",
    "aws_ec2_client_vpn_endpoint": "the endpoint goes away: every user loses remote access",
    "aws_ec2_client_vpn_authorization_rule": "users lose access to this rule's network",
    "aws_ec2_client_vpn_route": "users lose the route to this destination",
    "aws_ec2_client_vpn_network_association": "the endpoint stops serving through this subnet",
    "aws_vpn_connection_route": "traffic to this network stops using the VPN",
    "aws_cloudwatch_log_group": "its logs are deleted",
    "aws_vpc_security_group_egress_rule": "the endpoint's security group stops letting traffic out to this network",
}

# In-place updates worth a sentence: (resource type, attribute prefix) -> consequence. The tunnel
# impacts are AWS's ("Site-to-Site VPN tunnel endpoint replacements" in the Site-to-Site VPN guide).
UPDATED: dict[tuple[str, str], str] = {
    ("aws_vpn_connection", "customer_gateway_id"): "the connection moves to another customer gateway in place "
    "(ModifyVpnConnection): both tunnels are down while AWS provisions new tunnel endpoints, same tunnel outside IPs",
    ("aws_vpn_connection", "local_ipv"): "the connection's traffic selectors change (ModifyVpnConnectionOptions): "
    "both tunnels are down while AWS provisions new tunnel endpoints",
    ("aws_vpn_connection", "remote_ipv"): "the connection's traffic selectors change (ModifyVpnConnectionOptions): "
    "both tunnels are down while AWS provisions new tunnel endpoints",
    ("aws_vpn_connection", "tunnel1_"): "tunnel 1 is modified in place (ModifyVpnTunnelOptions): it is down during "
    "the update while tunnel 2 carries the traffic",
    ("aws_vpn_connection", "tunnel2_"): "tunnel 2 is modified in place (ModifyVpnTunnelOptions): it is down during "
    "the update while tunnel 1 carries the traffic",
    # No provider attribute skips the replacement (SkipTunnelReplacement is not in 5.100.0).
    ("aws_vpn_connection", "tunnel1_enable_tunnel_lifecycle_control"): "lifecycle control of tunnel 1 is turned on "
    "or off: AWS replaces tunnel 1's endpoint at once (same outside IP), so tunnel 1 is down until it is back up",
    ("aws_vpn_connection", "tunnel2_enable_tunnel_lifecycle_control"): "lifecycle control of tunnel 2 is turned on "
    "or off: AWS replaces tunnel 2's endpoint at once (same outside IP), so tunnel 2 is down until it is back up",
    ("aws_acm_certificate", "certificate_body"): "the certificate is re-imported in place under the same ARN",
    ("aws_ec2_client_vpn_endpoint", "server_certificate_arn"): "the endpoint presents a new server certificate; "
    "profiles keep working if the same CA signed it",
}


def forces_replacement(resource_type: str, path: str) -> bool:
    """True if changing `path` ("a" or "a.b") replaces a resource of `resource_type`."""
    table = FORCE_NEW.get(resource_type, frozenset())
    parts = re.sub(r"\[\d+\]", "", path).split(".")
    return any(".".join(parts[: n + 1]) in table for n in range(len(parts)))


def update_notes(resource_type: str, paths: list[str]) -> list[str]:
    """The sentences for an in-place update touching `paths`, each said once."""
    notes = []
    for (kind, prefix), note in UPDATED.items():
        if kind == resource_type and any(path.startswith(prefix) for path in paths) and note not in notes:
            notes.append(note)
    return notes
