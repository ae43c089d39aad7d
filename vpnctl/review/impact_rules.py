"""What a planned change does to traffic: one table of rules, each with the AWS document it comes from.

A rule matches a resource type, a plan action and, for an in-place update, the attributes that
change (by prefix; a changed attribute belongs to the rule with the longest matching prefix, so
`tunnel1_enable_tunnel_lifecycle_control` is not also a plain tunnel-1 option). Some rules also
need a fact from the rest of the plan (`when`): whether the endpoint a route belongs to is split
tunnel, whether an association is the endpoint's last. vpnctl/review/impact.py applies them. A
change no rule matches has no traffic impact; a tag-only change matches none.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Impact(IntEnum):
    """Impact classes, the worst last: a subject's impact is the worst of its changes'."""

    NONE = 0
    ONE_TUNNEL = 1
    ACCESS_LOST = 2
    SESSIONS_RESET = 3
    BOTH_TUNNELS = 4
    NEW_PROFILES = 5
    NEW_OUTSIDE_IPS = 6
    REMOVED = 7


LABELS = {
    Impact.NONE: "no traffic impact",
    Impact.ONE_TUNNEL: "one tunnel renegotiates; the other carries the traffic",
    Impact.ACCESS_LOST: "a network loses its path",
    Impact.SESSIONS_RESET: "every Client VPN session on the endpoint resets",
    Impact.BOTH_TUNNELS: "both tunnels down for minutes",
    Impact.NEW_PROFILES: "every user needs a new profile",
    Impact.NEW_OUTSIDE_IPS: "new tunnel outside IPs: the on-premises device must be reconfigured",
    Impact.REMOVED: "removed: it stops carrying traffic",
}
# What a production-tier environment refuses unless allowed by name (vpnctl/review/impact.py).
GUARDED = frozenset({Impact.BOTH_TUNNELS, Impact.NEW_OUTSIDE_IPS, Impact.NEW_PROFILES})


@dataclass(frozen=True)
class Source:
    title: str
    url: str


_S2S = "https://docs.aws.amazon.com/vpn/latest/s2svpn/"
_CVPN = "https://docs.aws.amazon.com/vpn/latest/clientvpn-admin/"
_EC2_API = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/"
_PROVIDER = "https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/"
ENDPOINT_REPLACEMENTS = Source("Site-to-Site VPN User Guide: tunnel endpoint replacements",
                               _S2S + "endpoint-replacements.html")
CONNECTION_OPTIONS = Source("EC2 API Reference: ModifyVpnConnectionOptions", _EC2_API + "API_ModifyVpnConnectionOptions.html")
TUNNEL_OPTIONS = Source("EC2 API Reference: ModifyVpnTunnelOptions", _EC2_API + "API_ModifyVpnTunnelOptions.html")
LIFECYCLE_CONTROL = Source("Site-to-Site VPN User Guide: tunnel endpoint lifecycle control",
                           _S2S + "tunnel-endpoint-lifecycle.html")
TUNNELS = Source("Site-to-Site VPN User Guide: tunnel options (outside IP addresses)", _S2S + "VPNTunnels.html")
NEW_CONNECTION = Source("Terraform AWS provider 5.100.0: aws_vpn_connection (arguments that force a new connection)",
                        _PROVIDER + "vpn_connection")
NEW_CUSTOMER_GATEWAY = Source("Terraform AWS provider 5.100.0: aws_customer_gateway (arguments that force a new one)",
                              _PROVIDER + "customer_gateway")
DELETE_CONNECTION = Source("EC2 API Reference: DeleteVpnConnection", _EC2_API + "API_DeleteVpnConnection.html")
DETACH_GATEWAY = Source("EC2 API Reference: DetachVpnGateway", _EC2_API + "API_DetachVpnGateway.html")
ROUTING = Source("Site-to-Site VPN User Guide: static and dynamic routing, route propagation", _S2S + "VPNRoutingTypes.html")
TGW_ROUTES = Source("Transit Gateway Guide: transit gateway route tables",
                    "https://docs.aws.amazon.com/vpc/latest/tgw/tgw-route-tables.html")
NEW_ENDPOINT = Source("Terraform AWS provider 5.100.0: aws_ec2_client_vpn_endpoint (arguments that force a new endpoint)",
                      _PROVIDER + "ec2_client_vpn_endpoint")
PROFILE = Source("Client VPN Administrator Guide: export the client configuration (it names the endpoint's DNS "
                 "name and port)", _CVPN + "cvpn-working-endpoint-export.html")
DELETE_ENDPOINT = Source("EC2 API Reference: DeleteClientVpnEndpoint", _EC2_API + "API_DeleteClientVpnEndpoint.html")
MODIFY_ENDPOINT = Source("EC2 API Reference: ModifyClientVpnEndpoint (\"Modifying the DNS server resets existing "
                         "client connections\")", _EC2_API + "API_ModifyClientVpnEndpoint.html")
SPLIT_TUNNEL_ROUTES = Source("Client VPN Administrator Guide: routes, considerations for split-tunnel endpoints",
                             _CVPN + "cvpn-working-routes.html")
MUTUAL_AUTH = Source("Client VPN Administrator Guide: mutual authentication", _CVPN + "mutual.html")
DISASSOCIATE = Source("EC2 API Reference: DisassociateClientVpnTargetNetwork",
                      _EC2_API + "API_DisassociateClientVpnTargetNetwork.html")
AUTHORIZATION = Source("Client VPN Administrator Guide: authorization rules", _CVPN + "cvpn-working-rules.html")
SECURITY_GROUP_RULES = Source("Amazon VPC User Guide: security group rules",
                              "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html")
IMPORT_CRL = Source("EC2 API Reference: ImportClientVpnClientCertificateRevocationList",
                    _EC2_API + "API_ImportClientVpnClientCertificateRevocationList.html")
REIMPORT = Source("AWS Certificate Manager User Guide: reimport a certificate (same ARN)",
                  "https://docs.aws.amazon.com/acm/latest/userguide/import-reimport.html")
DELETE_LOG_GROUP = Source("CloudWatch Logs API Reference: DeleteLogGroup",
                          "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DeleteLogGroup.html")


@dataclass(frozen=True)
class Rule:
    resource_type: str
    actions: frozenset[str]
    impact: Impact
    words: str
    sources: tuple[Source, ...]
    attributes: tuple[str, ...] = ()  # for "update": the changed attributes (prefixes) the rule owns
    when: str | None = None  # a fact from the rest of the plan: impact.CONDITIONS


def _rule(resource_type: str, actions: str, impact: Impact, words: str, *sources: Source, attributes=(),
          when=None) -> Rule:
    return Rule(resource_type, frozenset(actions.split()), impact, words, sources, tuple(attributes), when)


_CONNECTION, _ENDPOINT = "aws_vpn_connection", "aws_ec2_client_vpn_endpoint"
_GONE, _BACK = "replace delete", "replace"
_TUNNEL_WORDS = ("tunnel {n}'s options change (ModifyVpnTunnelOptions): tunnel {n} is re-established while tunnel "
                 "{other} carries the traffic")
_LIFECYCLE_WORDS = ("lifecycle control of tunnel {n} is turned on or off: AWS replaces tunnel {n}'s endpoint at once "
                    "(same outside IP), so tunnel {n} is down until it is back up")
_ROUTE_TABLE = ("aws_ec2_transit_gateway_route", "aws_ec2_transit_gateway_route_table_association",
                "aws_ec2_transit_gateway_route_table_propagation")

RULES: tuple[Rule, ...] = (
    # ---- Site-to-Site VPN
    _rule(_CONNECTION, _BACK, Impact.NEW_OUTSIDE_IPS, "a new VPN connection: new tunnel outside IPs, so the on-premises "
          "device must be reconfigured, and the site is down until it is", NEW_CONNECTION, TUNNELS),
    _rule(_CONNECTION, "delete", Impact.REMOVED, "the connection and both its tunnels are deleted: the site loses "
          "its VPN", DELETE_CONNECTION),
    _rule(_CONNECTION, "update", Impact.BOTH_TUNNELS, "the connection moves to another customer gateway in place "
          "(ModifyVpnConnection): both tunnels are down while AWS provisions new tunnel endpoints; the outside IPs "
          "stay", ENDPOINT_REPLACEMENTS, attributes=("customer_gateway_id",)),
    _rule(_CONNECTION, "update", Impact.BOTH_TUNNELS, "the connection moves to another gateway in place "
          "(ModifyVpnConnection): both tunnels are down while AWS provisions new tunnel endpoints",
          ENDPOINT_REPLACEMENTS, attributes=("vpn_gateway_id", "transit_gateway_id")),
    _rule(_CONNECTION, "update", Impact.BOTH_TUNNELS, "the connection's traffic selectors change "
          "(ModifyVpnConnectionOptions): the connection is unavailable while it is updated; the outside IPs and tunnel "
          "options stay", CONNECTION_OPTIONS, ENDPOINT_REPLACEMENTS,
          attributes=("local_ipv4_network_cidr", "remote_ipv4_network_cidr", "local_ipv6_network_cidr",
                      "remote_ipv6_network_cidr")),
    *(_rule(_CONNECTION, "update", Impact.ONE_TUNNEL, _LIFECYCLE_WORDS.format(n=n), LIFECYCLE_CONTROL, TUNNEL_OPTIONS,
            attributes=(f"tunnel{n}_enable_tunnel_lifecycle_control",)) for n in (1, 2)),
    *(_rule(_CONNECTION, "update", Impact.ONE_TUNNEL, _TUNNEL_WORDS.format(n=n, other=3 - n), ENDPOINT_REPLACEMENTS,
            TUNNEL_OPTIONS, attributes=(f"tunnel{n}_",)) for n in (1, 2)),
    _rule("aws_customer_gateway", _BACK, Impact.BOTH_TUNNELS, "a new customer gateway (its IP address or ASN "
          "changed); the connection moves onto it in place, so both tunnels are down while AWS provisions new tunnel "
          "endpoints; the outside IPs stay", NEW_CUSTOMER_GATEWAY, ENDPOINT_REPLACEMENTS),
    _rule("aws_customer_gateway", "delete", Impact.REMOVED, "the site's customer gateway is deleted",
          DELETE_CONNECTION),
    _rule("aws_vpn_gateway", _BACK, Impact.BOTH_TUNNELS, "a new virtual private gateway: every connection on it "
          "moves to it (ModifyVpnConnection) or is replaced, and VPC route propagation starts again",
          ENDPOINT_REPLACEMENTS, ROUTING),
    _rule("aws_vpn_gateway", "delete", Impact.REMOVED, "the VPC's virtual private gateway is deleted: no site "
          "reaches the VPC through it", DETACH_GATEWAY),
    _rule("aws_vpn_gateway_attachment", _GONE, Impact.ACCESS_LOST, "the virtual private gateway is detached from "
          "the VPC: no site reaches the VPC until it is attached again", DETACH_GATEWAY),
    _rule("aws_vpn_gateway_route_propagation", _GONE, Impact.ACCESS_LOST, "the route table stops learning the VPN's "
          "routes: subnets using it lose their path to the sites", ROUTING),
    _rule("aws_vpn_connection_route", _GONE, Impact.ACCESS_LOST, "the static route is removed (or removed and "
          "added again): traffic to that network stops using the VPN meanwhile", ROUTING),
    *(_rule(kind, _GONE, Impact.ACCESS_LOST, "the transit gateway route table loses this entry: traffic it carried "
            "stops meanwhile", TGW_ROUTES) for kind in _ROUTE_TABLE),
    # ---- Client VPN
    _rule(_ENDPOINT, _BACK, Impact.NEW_PROFILES, "a new endpoint with a new DNS name: every connected user is "
          "dropped, and every user needs a new client profile", NEW_ENDPOINT, PROFILE),
    _rule(_ENDPOINT, "delete", Impact.REMOVED, "the endpoint is deleted: every user loses remote access",
          DELETE_ENDPOINT),
    _rule(_ENDPOINT, "update", Impact.SESSIONS_RESET, "the endpoint's DNS servers change: AWS resets every existing "
          "client connection", MODIFY_ENDPOINT, attributes=("dns_servers",)),
    _rule(_ENDPOINT, "update", Impact.NEW_PROFILES, "the endpoint's port changes: every profile names the old port, "
          "so every user needs a new profile", MODIFY_ENDPOINT, PROFILE, attributes=("vpn_port",)),
    _rule(_ENDPOINT, "update", Impact.SESSIONS_RESET, "split tunnel is switched: clients receive their routes when "
          "they connect, so connected users keep the old routing until their session is reset", SPLIT_TUNNEL_ROUTES,
          attributes=("split_tunnel",)),
    _rule(_ENDPOINT, "update", Impact.NONE, "the endpoint presents a new server certificate; profiles keep working "
          "if the same CA signed it", MUTUAL_AUTH, attributes=("server_certificate_arn",)),
    _rule("aws_ec2_client_vpn_network_association", _GONE, Impact.SESSIONS_RESET, "the endpoint's last subnet is "
          "disassociated: every active connection is terminated, and no one can connect until a subnet is associated "
          "again", DISASSOCIATE, when="last_association"),
    _rule("aws_ec2_client_vpn_network_association", _GONE, Impact.ACCESS_LOST, "the subnet is disassociated (and "
          "associated again if replaced): the endpoint stops serving through it for several minutes", DISASSOCIATE,
          when="other_associations"),
    _rule("aws_ec2_client_vpn_route", "create delete replace", Impact.SESSIONS_RESET, "the routes of a split-tunnel "
          "endpoint change: clients receive routes when they connect, so every session must be reset for users to "
          "get the change", SPLIT_TUNNEL_ROUTES, when="split_tunnel"),
    _rule("aws_ec2_client_vpn_route", _GONE, Impact.ACCESS_LOST, "the route is removed (or removed and added "
          "again): users lose the way to its destination meanwhile", SPLIT_TUNNEL_ROUTES),
    _rule("aws_ec2_client_vpn_authorization_rule", _GONE, Impact.ACCESS_LOST, "the rule is revoked (and authorized "
          "again if replaced): its users lose access to its network meanwhile", AUTHORIZATION),
    _rule("aws_vpc_security_group_egress_rule", _GONE, Impact.ACCESS_LOST, "the endpoint's security group stops "
          "letting traffic out to this network", SECURITY_GROUP_RULES),
    _rule("terraform_data", "create replace", Impact.SESSIONS_RESET, "the certificate revocation list is imported "
          "(vpnctl import-crl): certificates it revokes can no longer connect, and AWS resets every connection of the "
          "endpoint", IMPORT_CRL, when="endpoint_kept"),
    _rule("aws_acm_certificate", "update", Impact.NONE, "the certificate is re-imported in place under the same ARN",
          REIMPORT, attributes=("certificate_body", "private_key", "certificate_chain")),
    _rule("aws_cloudwatch_log_group", _GONE, Impact.NONE, "the log group's logs are deleted with it",
          DELETE_LOG_GROUP),
)

# Attributes no config sets, which a plan may show as changing: never a cause of their own.
COMPUTED = frozenset({
    "arn", "routes", "vgw_telemetry", "customer_gateway_configuration", "transit_gateway_attachment_id",
    "core_network_arn", "core_network_attachment_arn", "tags_all",
    *(f"tunnel{n}_{suffix}" for n in (1, 2)
      for suffix in ("address", "cgw_inside_address", "vgw_inside_address", "bgp_asn", "bgp_holdtime")),
})


def replaced_words(resource_type: str) -> str | None:
    """What replacing a resource of this type means, when a plain rule says it."""
    return next((r.words for r in RULES if r.resource_type == resource_type and "replace" in r.actions
                 and not r.attributes and r.when is None), None)


def destroyed_words(resource_type: str) -> str | None:
    """What destroying a resource of this type means, when a plain rule says it."""
    return next((r.words for r in RULES if r.resource_type == resource_type and r.actions == {"delete"}
                 and r.when is None), None) or next(
        (r.words for r in RULES if r.resource_type == resource_type and "delete" in r.actions and r.when is None), None)
