"""Site-to-Site VPN actions moto lacks or answers with fixed data.

A connection keeps its Options and TunnelOptions as created or modified, two
tunnels with distinct outside IPs from 198.18.0.0/15 (the benchmarking range,
never routed, so tests can assign them inside network namespaces), inside
CIDRs and pre-shared keys picked as AWS picks them when not given, static
routes, and a customer gateway configuration document built from those values.
Customer gateways keep DeviceName, CertificateArn and BgpAsnExtended, and route
tables keep the virtual private gateways that propagate into them.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from moto.core.responses import ActionResult, EmptyResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models.vpn_connections import VPNConnection
from moto.ec2.responses.customer_gateways import CustomerGateways
from moto.ec2.utils import random_vpn_connection_id
from moto.secretsmanager.models import secretsmanager_backends

from aws_emulator import aws_limits
from aws_emulator.describe import apply_filters, tag_list
from aws_emulator.errors import incorrect_state, invalid_parameter, missing_parameter, not_found

OUTSIDE_POOL = ipaddress.ip_network("198.18.0.0/15")
INSIDE_POOL = ipaddress.ip_network("169.254.0.0/16")
# Tunnel option members whose request and response names differ in case.
RESPONSE_NAMES = {"DPDTimeoutSeconds": "DpdTimeoutSeconds", "DPDTimeoutAction": "DpdTimeoutAction", "IKEVersions": "IkeVersions"}
AMAZON_SIDE_ASN = "64512"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Tunnel:
    def __init__(self, outside_ip: str, options: dict):
        self.outside_ip = outside_ip
        self.options = dict(options)

    @property
    def inside_cidr(self) -> str:
        return self.options["TunnelInsideCidr"]

    def inside_addresses(self) -> tuple[str, str]:
        """(AWS side, customer side): the first and second usable addresses of the /30."""
        hosts = list(ipaddress.ip_network(self.inside_cidr).hosts())
        return str(hosts[0]), str(hosts[1])

    def describe(self, key_in_secrets_manager: bool = False) -> dict:
        out = {"OutsideIpAddress": self.outside_ip}
        for key, value in self.options.items():
            if key == "PreSharedKey" and key_in_secrets_manager:
                continue  # AWS answers with the secret's ARN instead
            out[RESPONSE_NAMES.get(key, key)] = value
        out.setdefault("EnableTunnelLifecycleControl", False)
        log = out.get("LogOptions", {}).get("CloudWatchLogOptions", {})
        out["LogOptions"] = {"CloudWatchLogOptions": {"LogEnabled": False, **log}}
        return out


class EmulatedVpnConnection(VPNConnection):
    """moto's connection, with what AWS keeps of it."""

    def __init__(self, backend, connection_id: str, request: dict, tunnels: list[Tunnel], psk_arn: str | None):
        super().__init__(
            backend,
            vpn_connection_id=connection_id,
            vpn_conn_type=request["Type"],
            customer_gateway_id=request["CustomerGatewayId"],
            vpn_gateway_id=request.get("VpnGatewayId"),
            transit_gateway_id=request.get("TransitGatewayId"),
            tags=request.get("tags"),
        )
        self.state = "pending"
        self.connection_options = {k: v for k, v in request.get("Options", {}).items() if k != "TunnelOptions"}
        self.tunnel_list = tunnels
        self.static_route_list: list[dict] = []
        self.pre_shared_key_arn = psk_arn
        self.created = _now()

    @property
    def customer_gateway_configuration(self) -> str:
        return customer_gateway_configuration(self)

    def describe(self) -> dict:
        options = {
            "EnableAcceleration": False,
            "StaticRoutesOnly": False,
            "LocalIpv4NetworkCidr": "0.0.0.0/0",
            "RemoteIpv4NetworkCidr": "0.0.0.0/0",
            "OutsideIpAddressType": "PublicIpv4",
            "TunnelInsideIpVersion": "ipv4",
            **self.connection_options,
            "TunnelOptions": [t.describe(self.pre_shared_key_arn is not None) for t in self.tunnel_list],
        }
        out = {
            "VpnConnectionId": self.id,
            "Category": "VPN",
            "State": self.state,
            "Type": self.type,
            "CustomerGatewayId": self.customer_gateway_id,
            "CustomerGatewayConfiguration": self.customer_gateway_configuration,
            "Options": options,
            "Routes": list(self.static_route_list),
            "Tags": tag_list(self.get_tags_dict()),
            "VgwTelemetry": [
                {
                    "AcceptedRouteCount": 0,
                    "LastStatusChange": self.created,
                    "OutsideIpAddress": t.outside_ip,
                    "Status": "DOWN",
                    "StatusMessage": "",
                }
                for t in self.tunnel_list
            ],
        }
        if self.vpn_gateway_id:
            out["VpnGatewayId"] = self.vpn_gateway_id
            out["GatewayAssociationState"] = "associated"
        if self.transit_gateway_id:
            out["TransitGatewayId"] = self.transit_gateway_id
            out["GatewayAssociationState"] = "associated"
        if self.pre_shared_key_arn:
            out["PreSharedKeyArn"] = self.pre_shared_key_arn
        return out

    def get_tags_dict(self) -> dict[str, str]:
        return {t["key"]: t["value"] for t in self.get_tags()}

    @property
    def tags(self) -> dict[str, str]:
        """For `tag:` filters."""
        return self.get_tags_dict()


def customer_gateway_configuration(connection: EmulatedVpnConnection) -> str:
    """The XML document AWS returns, filled with the connection's real tunnel values."""
    gateway = connection.ec2_backend.get_customer_gateway(connection.customer_gateway_id)
    bgp = not connection.connection_options.get("StaticRoutesOnly", False)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<vpn_connection id="{connection.id}">',
        f"  <customer_gateway_id>{connection.customer_gateway_id}</customer_gateway_id>",
        f"  <vpn_gateway_id>{connection.vpn_gateway_id or connection.transit_gateway_id or ''}</vpn_gateway_id>",
        f"  <vpn_connection_type>{connection.type}</vpn_connection_type>",
    ]
    def psk(key: str) -> str:
        # Stored in Secrets Manager, the key is not in the document: AWS writes REDACTED.
        return "REDACTED" if connection.pre_shared_key_arn else escape(key)

    for tunnel in connection.tunnel_list:
        aws_inside, cgw_inside = tunnel.inside_addresses()
        options = tunnel.options

        def first(key: str, default: str, options: dict = options) -> str:
            values = options.get(key) or []
            return str(values[0]["Value"]).lower() if values else default

        cgw_bgp = f"<bgp><asn>{gateway.bgp_asn}</asn><hold_time>30</hold_time></bgp>" if bgp else ""
        aws_bgp = f"<bgp><asn>{AMAZON_SIDE_ASN}</asn><hold_time>30</hold_time></bgp>" if bgp else ""
        parts.append(
            "  <ipsec_tunnel>"
            f"<customer_gateway><tunnel_outside_address><ip_address>{gateway.ip_address}</ip_address></tunnel_outside_address>"
            f"<tunnel_inside_address><ip_address>{cgw_inside}</ip_address><network_mask>255.255.255.252</network_mask>"
            f"<network_cidr>30</network_cidr></tunnel_inside_address>{cgw_bgp}</customer_gateway>"
            f"<vpn_gateway><tunnel_outside_address><ip_address>{tunnel.outside_ip}</ip_address></tunnel_outside_address>"
            f"<tunnel_inside_address><ip_address>{aws_inside}</ip_address><network_mask>255.255.255.252</network_mask>"
            f"<network_cidr>30</network_cidr></tunnel_inside_address>{aws_bgp}</vpn_gateway>"
            f"<ike><authentication_protocol>{first('Phase1IntegrityAlgorithms', 'sha1')}</authentication_protocol>"
            f"<encryption_protocol>{first('Phase1EncryptionAlgorithms', 'aes-128-cbc')}</encryption_protocol>"
            f"<lifetime>{options.get('Phase1LifetimeSeconds', 28800)}</lifetime>"
            f"<perfect_forward_secrecy>group{first('Phase1DHGroupNumbers', '2')}</perfect_forward_secrecy>"
            f"<mode>main</mode><pre_shared_key>{psk(options['PreSharedKey'])}</pre_shared_key></ike>"
            f"<ipsec><protocol>esp</protocol>"
            f"<authentication_protocol>{first('Phase2IntegrityAlgorithms', 'hmac-sha1-96')}</authentication_protocol>"
            f"<encryption_protocol>{first('Phase2EncryptionAlgorithms', 'aes-128-cbc')}</encryption_protocol>"
            f"<lifetime>{options.get('Phase2LifetimeSeconds', 3600)}</lifetime>"
            f"<perfect_forward_secrecy>group{first('Phase2DHGroupNumbers', '2')}</perfect_forward_secrecy>"
            f"<mode>tunnel</mode><clear_df_bit>true</clear_df_bit><fragmentation_before_encryption>true</fragmentation_before_encryption>"
            f"<tcp_mss_adjustment>1379</tcp_mss_adjustment><dead_peer_detection><interval>10</interval>"
            f"<retries>{max(1, int(options.get('DPDTimeoutSeconds', 30)) // 10)}</retries></dead_peer_detection></ipsec>"
            "</ipsec_tunnel>"
        )
    parts.append("</vpn_connection>")
    return "\n".join(parts)


def _allocations(backend) -> dict:
    return backend.__dict__.setdefault("vpn_allocations", {"outside": set(), "inside": set()})


def _allocate_outside_ip(backend) -> str:
    """The next never-used address of the pool."""
    used = _allocations(backend)["outside"]
    for address in OUTSIDE_POOL.hosts():
        text = str(address)
        if text not in used and not text.endswith((".0", ".255")):
            used.add(text)
            return text
    raise EC2ClientError("VpnConnectionLimitExceeded", "No tunnel outside addresses left")


def _connections_using_inside(backend, gateway_id: str | None) -> set[str]:
    taken = set()
    for connection in backend.vpn_connections.values():
        if (isinstance(connection, EmulatedVpnConnection) and connection.state != "deleted"
                and (gateway_id is None or gateway_id in (connection.vpn_gateway_id, connection.transit_gateway_id))):
            taken.update(t.inside_cidr for t in connection.tunnel_list)
    return taken


def _allocate_inside_cidr(backend, taken: set[str]) -> str:
    while True:
        subnet = ipaddress.ip_network((int(INSIDE_POOL.network_address) + 4 * secrets.randbelow(2**14), 30))
        if aws_limits.inside_cidr_problem(str(subnet)) is None and str(subnet) not in taken:
            return str(subnet)


def _check_tunnel_options(options: dict, tunnel: int) -> None:
    cidr = options.get("TunnelInsideCidr")
    if cidr:
        problem = aws_limits.inside_cidr_problem(cidr)
        if problem:
            raise invalid_parameter(f"TunnelInsideCidr {cidr} for tunnel {tunnel} is invalid: {problem}")
    key = options.get("PreSharedKey")
    if key is not None and aws_limits.preshared_key_problem(key):
        # The key itself is never echoed, as AWS doesn't echo it.
        raise invalid_parameter(f"The pre-shared key for tunnel {tunnel} is invalid: "
                                f"{aws_limits.preshared_key_problem(key)}")
    for name, (low, high) in aws_limits.TUNNEL_OPTION_RANGES.items():
        if name in options and not low <= int(options[name]) <= high:
            raise invalid_parameter(f"{name} {options[name]} for tunnel {tunnel} must be between {low} and {high}")
    action = options.get("DPDTimeoutAction")
    if action is not None and action not in aws_limits.DPD_TIMEOUT_ACTIONS:
        raise invalid_parameter(f"DPDTimeoutAction {action} for tunnel {tunnel} is invalid")
    startup = options.get("StartupAction")
    if startup is not None and startup not in aws_limits.STARTUP_ACTIONS:
        raise invalid_parameter(f"StartupAction {startup} for tunnel {tunnel} is invalid")


class SiteToSiteResponses:
    """EC2 actions for Site-to-Site VPN, mixed into moto's EC2Response (see aws_emulator.app)."""

    def _connection(self, connection_id: str | None = None) -> EmulatedVpnConnection:
        connection_id = connection_id or self._get_param("VpnConnectionId")
        if not connection_id:
            raise missing_parameter("VpnConnectionId")
        connection = self.ec2_backend.vpn_connections.get(connection_id)
        if connection is None or connection.state == "deleted" or not isinstance(connection, EmulatedVpnConnection):
            raise not_found("InvalidVpnConnectionID.NotFound", "vpnConnection ID", connection_id)
        return connection

    def _check_gateways(self, customer_gateway_id: str | None, vgw_id: str | None, tgw_id: str | None) -> None:
        if customer_gateway_id:
            self.ec2_backend.get_customer_gateway(customer_gateway_id)
        if vgw_id and tgw_id:
            raise invalid_parameter("The request must not contain both parameter vpnGatewayId and transitGatewayId")
        if vgw_id:
            self.ec2_backend.get_vpn_gateway(vgw_id)
        if tgw_id and tgw_id not in self.ec2_backend.transit_gateways:
            raise EC2ClientError("InvalidTransitGatewayID.NotFound", f"Transit gateway {tgw_id} not found")

    def _attach_to_transit_gateway(self, connection_id: str, tgw_id: str) -> None:
        """A VPN attachment, associated with and propagating to the transit gateway's
        default route table when its options say so, as AWS does."""
        backend = self.ec2_backend
        attachment = backend.create_transit_gateway_vpn_attachment(vpn_id=connection_id, transit_gateway_id=tgw_id)
        attachment.state = "available"
        options = backend.transit_gateways[tgw_id].options
        if options.get("DefaultRouteTableAssociation") == "enable" and options.get("AssociationDefaultRouteTableId"):
            backend.associate_transit_gateway_route_table(attachment.id, options["AssociationDefaultRouteTableId"])
        if options.get("DefaultRouteTablePropagation") == "enable" and options.get("PropagationDefaultRouteTableId"):
            backend.enable_transit_gateway_route_table_propagation(attachment.id, options["PropagationDefaultRouteTableId"])

    def _store_psk(self, connection_id: str, tunnel: int, key: str) -> str:
        secrets_backend = secretsmanager_backends[self.current_account][self.region]
        secret = secrets_backend.create_secret(
            name=f"{connection_id}-tunnel{tunnel}-psk",
            secret_string=key,
            secret_binary=None,
            description=f"Pre-shared key for tunnel {tunnel} of {connection_id}",
            tags=[],
            kms_key_id=None,
            client_request_token=None,
            replica_regions=[],
            force_overwrite=False,
        )
        return json.loads(secret)["ARN"] if isinstance(secret, str) else secret.arn

    def create_vpn_connection(self) -> ActionResult:
        kind = self._get_param("Type")
        if kind != "ipsec.1":
            raise invalid_parameter(f"Type {kind} is invalid; the only valid type is ipsec.1")
        cgw_id = self._get_param("CustomerGatewayId")
        if not cgw_id:
            raise missing_parameter("CustomerGatewayId")
        vgw_id, tgw_id = self._get_param("VpnGatewayId"), self._get_param("TransitGatewayId")
        self._check_gateways(cgw_id, vgw_id, tgw_id)
        if vgw_id:
            amazon_asn = str(self.ec2_backend.get_vpn_gateway(vgw_id).amazon_side_asn or AMAZON_SIDE_ASN)
            if str(self.ec2_backend.get_customer_gateway(cgw_id).bgp_asn) == amazon_asn:
                raise EC2ClientError("AsnConflict", f"The customer gateway and the virtual private gateway both use "
                                                    f"ASN {amazon_asn}")
        options = self._get_param("Options") or {}
        requested = options.get("TunnelOptions") or []
        if len(requested) > 2:
            raise invalid_parameter("A VPN connection has two tunnels; at most two TunnelOptions may be given")
        requested = list(requested) + [{}] * (2 - len(requested))
        taken = _connections_using_inside(self.ec2_backend, vgw_id or tgw_id)
        tunnels = []
        for number, spec in enumerate(requested, start=1):
            _check_tunnel_options(spec, number)
            spec = dict(spec)
            if spec.get("TunnelInsideCidr") in taken:
                raise EC2ClientError("InvalidCidr.InUse", f"TunnelInsideCidr {spec['TunnelInsideCidr']} is already used "
                                     f"on gateway {vgw_id or tgw_id}")
            spec.setdefault("TunnelInsideCidr", _allocate_inside_cidr(self.ec2_backend, taken))
            taken.add(spec["TunnelInsideCidr"])
            spec.setdefault("PreSharedKey", aws_limits.generated_preshared_key())
            tunnels.append(Tunnel(_allocate_outside_ip(self.ec2_backend), spec))
        if tunnels[0].inside_cidr == tunnels[1].inside_cidr:
            raise invalid_parameter("The two tunnels must have different inside CIDRs")
        connection_id = random_vpn_connection_id()
        psk_arn = None
        if (self._get_param("PreSharedKeyStorage") or "Standard") == "SecretsManager":
            psk_arn = self._store_psk(connection_id, 1, json.dumps({f"tunnel{i}": t.options["PreSharedKey"] for i, t in enumerate(tunnels, 1)}))
        request = {
            "Type": kind,
            "CustomerGatewayId": cgw_id,
            "VpnGatewayId": vgw_id,
            "TransitGatewayId": tgw_id,
            "Options": options,
            "tags": self._parse_tag_specification().get("vpn-connection", {}),
        }
        connection = EmulatedVpnConnection(self.ec2_backend, connection_id, request, tunnels, psk_arn)
        self.ec2_backend.vpn_connections[connection_id] = connection
        if tgw_id:
            self._attach_to_transit_gateway(connection_id, tgw_id)
        return ActionResult({"VpnConnection": connection.describe()})

    def describe_vpn_connections(self) -> ActionResult:
        ids = self._get_param("VpnConnectionIds", [])
        connections = [c for c in self.ec2_backend.vpn_connections.values() if isinstance(c, EmulatedVpnConnection)]
        for connection_id in ids:
            if connection_id not in {c.id for c in connections}:
                raise not_found("InvalidVpnConnectionID.NotFound", "vpnConnection ID", connection_id)
        if ids:
            connections = [c for c in connections if c.id in ids]
        connections = apply_filters(
            connections,
            self._filters_from_querystring(),
            {
                "vpn-connection-id": lambda c: c.id,
                "customer-gateway-id": lambda c: c.customer_gateway_id,
                "vpn-gateway-id": lambda c: c.vpn_gateway_id,
                "transit-gateway-id": lambda c: c.transit_gateway_id,
                "state": lambda c: c.state,
                "type": lambda c: c.type,
                "option.static-routes-only": lambda c: c.connection_options.get("StaticRoutesOnly", False),
                "route.destination-cidr-block": lambda c: [r["DestinationCidrBlock"] for r in c.static_route_list],
            },
        )
        for connection in connections:
            if connection.state == "pending":  # created "pending"; the next Describe finds it settled
                connection.state = "available"
        return ActionResult({"VpnConnections": [c.describe() for c in connections]})

    def delete_vpn_connection(self) -> ActionResult:
        connection = self._connection()
        connection.state = "deleted"
        connection.static_route_list = []
        # Outside IPs are not handed out again: a replaced connection gets new ones, as on AWS,
        # so the outage a replacement causes is visible here too.
        if connection.transit_gateway_id:
            for attachment in self.ec2_backend.describe_transit_gateway_attachments():
                if attachment.resource_id == connection.id:
                    attachment.state = "deleted"
        return EmptyResult()

    def modify_vpn_connection(self) -> ActionResult:
        """Moves the connection to another customer gateway, VGW or TGW; the tunnels keep their outside IPs."""
        connection = self._connection()
        cgw_id = self._get_param("CustomerGatewayId")
        vgw_id, tgw_id = self._get_param("VpnGatewayId"), self._get_param("TransitGatewayId")
        if not (cgw_id or vgw_id or tgw_id):
            raise missing_parameter("CustomerGatewayId, VpnGatewayId or TransitGatewayId")
        self._check_gateways(cgw_id, vgw_id, tgw_id)
        if connection.state != "available":
            raise incorrect_state(f"VPN connection {connection.id} is {connection.state}")
        if cgw_id:
            connection.customer_gateway_id = cgw_id
        if vgw_id or tgw_id:
            old_tgw = connection.transit_gateway_id
            connection.vpn_gateway_id, connection.transit_gateway_id = vgw_id, tgw_id
            if old_tgw:
                for attachment in self.ec2_backend.describe_transit_gateway_attachments():
                    if attachment.resource_id == connection.id:
                        attachment.state = "deleted"
            if tgw_id:
                self._attach_to_transit_gateway(connection.id, tgw_id)
        return ActionResult({"VpnConnection": connection.describe()})

    def modify_vpn_tunnel_options(self) -> ActionResult:
        connection = self._connection()
        address = self._get_param("VpnTunnelOutsideIpAddress")
        tunnel = next((t for t in connection.tunnel_list if t.outside_ip == address), None)
        if tunnel is None:
            raise invalid_parameter(f"VpnTunnelOutsideIpAddress {address} is not a tunnel of {connection.id}")
        changes = self._get_param("TunnelOptions") or {}
        number = connection.tunnel_list.index(tunnel) + 1
        _check_tunnel_options(changes, number)
        other = connection.tunnel_list[2 - number]
        if changes.get("TunnelInsideCidr") and changes["TunnelInsideCidr"] == other.inside_cidr:
            raise invalid_parameter("The two tunnels must have different inside CIDRs")
        for key, value in changes.items():
            if key == "LogOptions":
                tunnel.options["LogOptions"] = {"CloudWatchLogOptions": {**tunnel.options.get("LogOptions", {}).get("CloudWatchLogOptions", {}), **value.get("CloudWatchLogOptions", {})}}
            else:
                tunnel.options[key] = value
        return ActionResult({"VpnConnection": connection.describe()})

    def modify_vpn_connection_options(self) -> ActionResult:
        connection = self._connection()
        for name in ("LocalIpv4NetworkCidr", "RemoteIpv4NetworkCidr", "LocalIpv6NetworkCidr", "RemoteIpv6NetworkCidr"):
            value = self._get_param(name)
            if value is not None:
                try:
                    ipaddress.ip_network(value)
                except ValueError:
                    raise invalid_parameter(f"{name} {value} is not a valid CIDR block") from None
                connection.connection_options[name] = value
        return ActionResult({"VpnConnection": connection.describe()})

    def create_vpn_connection_route(self) -> ActionResult:
        connection = self._connection()
        cidr = self._get_param("DestinationCidrBlock")
        if not cidr:
            raise missing_parameter("DestinationCidrBlock")
        try:
            cidr = str(ipaddress.ip_network(cidr))
        except ValueError:
            raise invalid_parameter(f"DestinationCidrBlock {cidr} is not a valid CIDR block") from None
        if not connection.connection_options.get("StaticRoutesOnly", False):
            raise EC2ClientError("InvalidVpnConnection.InvalidType", f"VPN connection {connection.id} uses dynamic "
                                 "routing; static routes need static_routes_only")
        if any(r["DestinationCidrBlock"] == cidr for r in connection.static_route_list):
            raise EC2ClientError("RouteAlreadyExists", f"The route {cidr} already exists on {connection.id}")
        connection.static_route_list.append({"DestinationCidrBlock": cidr, "Source": "Static", "State": "available"})
        return EmptyResult()

    def delete_vpn_connection_route(self) -> ActionResult:
        connection = self._connection()
        cidr = self._get_param("DestinationCidrBlock")
        for route in connection.static_route_list:
            if route["DestinationCidrBlock"] == cidr:
                connection.static_route_list.remove(route)
                return EmptyResult()
        raise EC2ClientError("InvalidRoute.NotFound", f"No route {cidr} on {connection.id}")

    # ---- virtual private gateways ----------------------------------------------------

    def attach_vpn_gateway(self) -> ActionResult:
        """A VPC takes one virtual private gateway at a time; AWS answers a second with InvalidVpcState."""
        gateway_id, vpc_id = self._get_param("VpnGatewayId"), self._get_param("VpcId")
        for gateway in self.ec2_backend.vpn_gateways.values():
            if gateway.id != gateway_id and gateway.state != "deleted" and any(
                a.vpc_id == vpc_id and a.state in ("attaching", "attached") for a in gateway.attachments.values()
            ):
                raise EC2ClientError("InvalidVpcState", f"VPC {vpc_id} is currently attached to the Virtual Private "
                                     f"Gateway {gateway.id}.")
        return ActionResult({"VpcAttachment": self.ec2_backend.attach_vpn_gateway(gateway_id, vpc_id)})

    # ---- route propagation --------------------------------------------------------

    def _route_table_and_gateway(self):
        table_id, gateway_id = self._get_param("RouteTableId"), self._get_param("GatewayId")
        if not table_id:
            raise missing_parameter("RouteTableId")
        if not gateway_id:
            raise missing_parameter("GatewayId")
        table = self.ec2_backend.get_route_table(table_id)
        gateway = self.ec2_backend.get_vpn_gateway(gateway_id)
        if not any(a.vpc_id == table.vpc_id and a.state == "attached" for a in gateway.attachments.values()):
            raise EC2ClientError("Gateway.NotAttached", f"resource {gateway_id} is not attached to the route table's VPC {table.vpc_id}")
        return table, gateway_id

    def enable_vgw_route_propagation(self) -> ActionResult:
        table, gateway_id = self._route_table_and_gateway()
        propagating = table.__dict__.setdefault("propagating_vgws", [])
        if all(p["GatewayId"] != gateway_id for p in propagating):
            propagating.append({"GatewayId": gateway_id})
        return EmptyResult()

    def disable_vgw_route_propagation(self) -> ActionResult:
        table, gateway_id = self._route_table_and_gateway()
        table.__dict__["propagating_vgws"] = [p for p in getattr(table, "propagating_vgws", []) if p["GatewayId"] != gateway_id]
        return EmptyResult()

    # ---- customer gateways --------------------------------------------------------

    def create_customer_gateway(self) -> ActionResult:
        asn, extended = self._get_param("BgpAsn"), self._get_param("BgpAsnExtended")
        if asn and extended:
            raise invalid_parameter("Specify either BgpAsn or BgpAsnExtended, not both")
        if extended and not 2_147_483_648 <= int(extended) <= 4_294_967_295:
            raise invalid_parameter(f"BgpAsnExtended {extended} must be between 2147483648 and 4294967295")
        if asn and not 1 <= int(asn) <= 2_147_483_647:
            raise invalid_parameter(f"BgpAsn {asn} must be between 1 and 2147483647")
        certificate = self._get_param("CertificateArn")
        if not certificate and not (self._get_param("IpAddress") or self._get_param("PublicIp")):
            raise missing_parameter("IpAddress")
        result = CustomerGateways.create_customer_gateway(self)
        gateway = result.result["CustomerGateway"]
        if extended:
            gateway.bgp_asn = None
            gateway.bgp_asn_extended = str(extended)
        if self._get_param("DeviceName"):
            gateway.device_name = self._get_param("DeviceName")
        if certificate:
            gateway.certificate_arn = certificate
        return result
