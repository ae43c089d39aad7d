"""Typed description of one on-premises site: its customer gateway and its VPN connection.

This is the props of `SiteToSiteVpn`, and the config schema of a `site` block
reuses it, so a rule is written once. Cross-field rules collect every problem
and raise them together, one `key: rule` line each, so a user sees all of them
in one run. cdktf-free.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from vpn_schema import aws_rules as rules
from vpn_schema.base import CrossCheckedModel, StrictModel
from vpn_schema.tunnel import Tunnel


class TransitGatewayAttachment(StrictModel):
    """An existing transit gateway the connection attaches to, and its route domains: the table the VPN
    attachment is associated with, and the tables that learn the site's networks."""

    id: rules.TransitGatewayId = Field(description=(
        "tgw- ID of an existing transit gateway. Tunnel inside CIDRs must be unique per transit gateway."))
    route_table_id: rules.TransitGatewayRouteTableId = Field(description=(
        "tgw-rtb- ID of the table the VPN attachment is associated with: it routes the traffic that arrives "
        "from the site."))
    propagation_route_table_ids: Annotated[
        list[rules.TransitGatewayRouteTableId], rules.Unique, Field(min_length=1)
    ] | None = Field(None, description=(
        "tgw-rtb- IDs, each once: the tables that learn the site's networks. With bgp, the attachment "
        "propagates into each; with static, each of static_routes becomes an aws_ec2_transit_gateway_route in "
        "each. Several make route domains (shared services, isolated VPCs). A table may belong to one transit "
        "gateway only across the file. Default: route_table_id alone."))

    @property
    def learning_route_table_ids(self) -> list[str]:
        """Where the site's networks go: the propagation tables, by default the association table."""
        return list(self.propagation_route_table_ids or [self.route_table_id])


# Connection-level arguments of aws_vpn_connection with no field of the same
# name here, and why.
CONNECTION_OPTIONS_LEFT_OUT = {
    "customer_gateway_id": "wired by the construct to the site's customer gateway",
    "vpn_gateway_id": "wired by the construct to the environment's virtual private gateway",
    "transit_gateway_id": "set from the transit_gateway block",
    "static_routes_only": "set from routing",
    "type": "ipsec.1 is the only type AWS offers",
    "tags": "set from the environment's tags and the site name",
    "tags_all": "computed by the provider from default tags",
    "id": "computed",
}


class Site(CrossCheckedModel):
    """An on-premises site: one customer gateway and one VPN connection with two tunnels.

    The name is 1 to 48 characters of lowercase letters, digits and `-`, and may not start or end with `-`.
    Static routes on the virtual private gateway become `aws_vpn_connection_route` resources; for transit
    gateway sites, see `transit_gateway`. Moving a site onto a transit gateway is planned with Terraform's
    `-replace`, because the provider can't plan the new attachment's route tables in place."""

    ip_address: rules.CustomerGatewayAddress = Field(description=(
        "The customer gateway device's IPv4 address: public, or private with outside_ip_address_type = "
        "PrivateIpv4. Changing it replaces the customer gateway."))
    routing: Literal["static", "bgp"] = Field(description=(
        "static: the routes listed in static_routes (the connection gets static_routes_only = true); bgp: the "
        "device announces its networks. Changing it replaces the connection."))
    bgp_asn: rules.BgpAsn = Field(65000, description=(
        "The device's ASN, 1 to 4294967295; AWS requires one for static routing too. Values above 2147483647 "
        "go to bgp_asn_extended. Must differ from the virtual private gateway's Amazon side ASN. Default: 65000."))
    device_name: Annotated[str, Field(min_length=1, max_length=255)] | None = Field(None, description=(
        "Free-text name of the device (vendor/model), 1 to 255 characters, shown in the console. Two sites may "
        "not share ip_address, bgp_asn and device_name all at once: AWS would hand both one customer gateway."))
    certificate_arn: rules.AcmCertificateArn | None = Field(None, description=(
        "An ACM (or ACM PCA) private certificate ARN, for certificate-based IKE authentication. Default: "
        "pre-shared keys."))
    static_routes: Annotated[list[rules.IPv4Cidr], rules.Unique] = Field([], description=(
        "On-premises IPv4 CIDRs reached through this connection; only with routing = \"static\", each once, "
        "none overlapping the VPC CIDR, and on a transit gateway none another site already routes in the same "
        "route table. On the virtual private gateway each becomes an aws_vpn_connection_route."))
    crypto_profile: str | None = Field(None, description=(
        "modern, compatible, or a crypto_profile defined in the file: it fills every crypto setting a tunnel "
        "leaves unset. Default: AWS's defaults (all algorithms)."))
    tunnel: list[Tunnel] = Field([], description=(
        "Up to two tunnel blocks (AWS: two tunnels per connection): the first is tunnel 1, the second tunnel 2. "
        "A missing block takes AWS's defaults."))
    transit_gateway: TransitGatewayAttachment | None = Field(None, description=(
        "Attach to this existing transit gateway instead of the environment's virtual private gateway. Moving "
        "a site onto or off a transit gateway replaces its VPN connection (new tunnel outside IPs)."))
    tunnel_lifecycle_control: bool | None = Field(None, description=(
        "Fills enable_tunnel_lifecycle_control of each tunnel that leaves it unset. On, AWS holds a tunnel "
        "endpoint replacement for maintenance until you apply it (vpnctl maintenance), one tunnel at a time, "
        "or its deadline passes; off, AWS replaces endpoints when it chooses. Turning it on or off for a "
        "deployed tunnel replaces that tunnel's endpoint at once (ModifyVpnTunnelOptions): change one tunnel at "
        "a time, in a reviewed change. Default: on in the production tier, off otherwise."))
    preshared_key_storage: Annotated[str, rules.check_one_of(rules.PRESHARED_KEY_STORAGE)] | None = Field(
        None, description=(
            "Where AWS keeps the pre-shared keys: Standard or SecretsManager. Default: SecretsManager, so no key "
            "sits in Terraform state; Standard for a site whose tunnels set preshared_key_secret. SecretsManager "
            "with your own keys is refused."))
    enable_acceleration: bool | None = Field(None, description=(
        "Global Accelerator for the tunnels; transit gateway only. Replaces the connection when changed. "
        "Default: AWS's (off)."))
    tunnel_inside_ip_version: Literal["ipv4", "ipv6"] | None = Field(None, description=(
        "ipv6 carries IPv6 inside the tunnels; transit gateway only. Default: AWS's, ipv4."))
    local_ipv4_network_cidr: rules.IPv4Cidr | None = Field(None, description=(
        "Traffic selector, on-premises side; not with ipv6. Default: AWS's, 0.0.0.0/0."))
    remote_ipv4_network_cidr: rules.IPv4Cidr | None = Field(None, description=(
        "Traffic selector, AWS side; not with ipv6. Default: AWS's, 0.0.0.0/0."))
    local_ipv6_network_cidr: rules.IPv6Cidr | None = Field(None, description=(
        "IPv6 traffic selector, on-premises side; only with tunnel_inside_ip_version = \"ipv6\". "
        "Default: AWS's, ::/0."))
    remote_ipv6_network_cidr: rules.IPv6Cidr | None = Field(None, description=(
        "IPv6 traffic selector, AWS side; only with tunnel_inside_ip_version = \"ipv6\". Default: AWS's, ::/0."))
    outside_ip_address_type: Literal["PublicIpv4", "PrivateIpv4"] | None = Field(None, description=(
        "PrivateIpv4 runs the VPN over Direct Connect; needs transit_gateway and "
        "transport_transit_gateway_attachment_id. Default: AWS's, PublicIpv4."))
    transport_transit_gateway_attachment_id: rules.TransitGatewayAttachmentId | None = Field(None, description=(
        "The tgw-attach- ID of the Direct Connect attachment the VPN runs over. Required with "
        "outside_ip_address_type = \"PrivateIpv4\", and allowed only then."))

    @field_validator("tunnel", mode="before")
    @classmethod
    def _at_most_two_tunnels(cls, value):
        if isinstance(value, list) and len(value) > 2:
            raise ValueError(f"a VPN connection has at most two tunnels, got {len(value)} tunnel blocks")
        return value

    def _problems(self):
        tgw = self.transit_gateway is not None
        if self.static_routes and self.routing != "static":
            yield 'static_routes: only allowed with routing = "static"'
        if self.enable_acceleration and not tgw:
            yield "enable_acceleration: only a transit gateway connection can be accelerated"
        ipv6 = self.tunnel_inside_ip_version == "ipv6"
        if ipv6 and not tgw:
            yield 'tunnel_inside_ip_version: "ipv6" needs a transit gateway'
        for key in ("local_ipv6_network_cidr", "remote_ipv6_network_cidr"):
            if getattr(self, key) and not ipv6:
                yield f'{key}: only with tunnel_inside_ip_version = "ipv6"'
        for key in ("local_ipv4_network_cidr", "remote_ipv4_network_cidr"):
            if getattr(self, key) and ipv6:
                yield f'{key}: not with tunnel_inside_ip_version = "ipv6"'
        private = self.outside_ip_address_type == "PrivateIpv4"
        if private != (self.transport_transit_gateway_attachment_id is not None):
            yield 'transport_transit_gateway_attachment_id: required with outside_ip_address_type = "PrivateIpv4", and only then'
        if private and not tgw:
            yield 'outside_ip_address_type: "PrivateIpv4" needs a transit gateway'
        for number, tunnel in enumerate(self.tunnel, start=1):
            if tunnel.inside_ipv6_cidr and not ipv6:
                yield f'tunnel[{number}].inside_ipv6_cidr: only with tunnel_inside_ip_version = "ipv6"'
            if tunnel.inside_cidr and ipv6:
                yield f'tunnel[{number}].inside_cidr: not with tunnel_inside_ip_version = "ipv6"; use inside_ipv6_cidr'
        own_keys = any(t.preshared_key_secret for t in self.tunnel)
        if own_keys and self.preshared_key_storage == "SecretsManager":
            yield (
                'preshared_key_storage: "SecretsManager" can\'t be combined with tunnel preshared_key_secret: AWS then '
                "answers REDACTED for the keys and every plan shows them changed; your keys already live in your secrets"
            )
        if len(self.tunnel) == 2:
            first, second = self.tunnel
            for key in ("inside_cidr", "inside_ipv6_cidr"):
                value = getattr(second, key)
                if value is not None and value == getattr(first, key):
                    yield f"tunnel[2].{key}: {value} is already used by tunnel[1]"

    @property
    def storage(self) -> str:
        """The preshared_key_storage to synthesize: as set, else Standard when the site
        brings its own keys (they sit in state through the data source either way) and
        SecretsManager when AWS generates them."""
        if self.preshared_key_storage:
            return self.preshared_key_storage
        return "Standard" if any(t.preshared_key_secret for t in self.tunnel) else "SecretsManager"

    @property
    def uses_extended_asn(self) -> bool:
        return self.bgp_asn > rules.BGP_ASN_MAX_2BYTE_FIELD

    def tunnels(self) -> tuple[Tunnel, Tunnel]:
        """Both tunnels; a missing tunnel block means AWS's defaults, and tunnel_lifecycle_control fills each
        tunnel that doesn't choose for itself."""
        given = list(self.tunnel)
        both = given + [Tunnel()] * (2 - len(given))
        if self.tunnel_lifecycle_control is None:
            return tuple(both)  # type: ignore[return-value]
        return tuple(  # type: ignore[return-value]
            t if t.enable_tunnel_lifecycle_control is not None
            else t.model_copy(update={"enable_tunnel_lifecycle_control": self.tunnel_lifecycle_control})
            for t in both)
