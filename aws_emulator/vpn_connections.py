"""Site-to-Site VPN connections: CreateVpnConnection, DescribeVpnConnections, ModifyVpnConnection and
DeleteVpnConnection, on a virtual private gateway or a transit gateway."""

from __future__ import annotations

import json

from moto.core.responses import ActionResult, EmptyResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.utils import random_vpn_connection_id
from moto.secretsmanager.models import secretsmanager_backends

from aws_emulator import aws_limits
from aws_emulator.customer_gateway_configuration import AMAZON_SIDE_ASN
from aws_emulator.describe import select
from aws_emulator.errors import incorrect_state, invalid_parameter, missing_parameter, not_found
from aws_emulator.vpn_connection import EmulatedVpnConnection, inside_cidrs_in_use
from aws_emulator.vpn_tunnels import Tunnel, allocate_inside_cidr, allocate_outside_ip, check_tunnel_options

CONNECTION_NOT_FOUND = ("InvalidVpnConnectionID.NotFound", "vpnConnection ID")


class VpnConnectionActions:
    def _connection(self, connection_id: str | None = None) -> EmulatedVpnConnection:
        connection_id = connection_id or self._required_param("VpnConnectionId")
        connection = self.ec2_backend.vpn_connections.get(connection_id)
        if connection is None or connection.state == "deleted" or not isinstance(connection, EmulatedVpnConnection):
            raise not_found(*CONNECTION_NOT_FOUND, connection_id)
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

    def _detach_from_transit_gateway(self, connection_id: str) -> None:
        for attachment in self.ec2_backend.describe_transit_gateway_attachments():
            if attachment.resource_id == connection_id:
                attachment.state = "deleted"

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
        cgw_id = self._required_param("CustomerGatewayId")
        vgw_id, tgw_id = self._get_param("VpnGatewayId"), self._get_param("TransitGatewayId")
        self._check_gateways(cgw_id, vgw_id, tgw_id)
        if vgw_id:
            amazon_asn = str(self.ec2_backend.get_vpn_gateway(vgw_id).amazon_side_asn or AMAZON_SIDE_ASN)
            if str(self.ec2_backend.get_customer_gateway(cgw_id).bgp_asn) == amazon_asn:
                raise EC2ClientError("AsnConflict", f"The customer gateway and the virtual private gateway both use "
                                                    f"ASN {amazon_asn}")
        options = self._get_param("Options") or {}
        tunnels = _new_tunnels(self.ec2_backend, options.get("TunnelOptions") or [], vgw_id or tgw_id)
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
                raise not_found(*CONNECTION_NOT_FOUND, connection_id)
        fields = {
            "vpn-connection-id": lambda c: c.id,
            "customer-gateway-id": lambda c: c.customer_gateway_id,
            "vpn-gateway-id": lambda c: c.vpn_gateway_id,
            "transit-gateway-id": lambda c: c.transit_gateway_id,
            "state": lambda c: c.state,
            "type": lambda c: c.type,
            "option.static-routes-only": lambda c: c.connection_options.get("StaticRoutesOnly", False),
            "route.destination-cidr-block": lambda c: [r["DestinationCidrBlock"] for r in c.static_route_list],
        }
        connections = select(connections, self._filters_from_querystring(), fields, ids, "vpn-connection-id")
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
            self._detach_from_transit_gateway(connection.id)
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
                self._detach_from_transit_gateway(connection.id)
            if tgw_id:
                self._attach_to_transit_gateway(connection.id, tgw_id)
        return ActionResult({"VpnConnection": connection.describe()})


def _new_tunnels(backend, requested: list[dict], gateway_id: str | None) -> list[Tunnel]:
    """The connection's two tunnels, from the TunnelOptions given (at most two): each with an outside IP, and
    an inside CIDR and pre-shared key picked as AWS picks them when not given."""
    if len(requested) > 2:
        raise invalid_parameter("A VPN connection has two tunnels; at most two TunnelOptions may be given")
    requested = list(requested) + [{}] * (2 - len(requested))
    taken = inside_cidrs_in_use(backend, gateway_id)
    tunnels = []
    for number, spec in enumerate(requested, start=1):
        check_tunnel_options(spec, number)
        spec = dict(spec)
        if spec.get("TunnelInsideCidr") in taken:
            raise EC2ClientError("InvalidCidr.InUse", f"TunnelInsideCidr {spec['TunnelInsideCidr']} is already used "
                                 f"on gateway {gateway_id}")
        spec.setdefault("TunnelInsideCidr", allocate_inside_cidr(backend, taken))
        taken.add(spec["TunnelInsideCidr"])
        spec.setdefault("PreSharedKey", aws_limits.generated_preshared_key())
        tunnels.append(Tunnel(allocate_outside_ip(backend), spec))
    if tunnels[0].inside_cidr == tunnels[1].inside_cidr:
        raise invalid_parameter("The two tunnels must have different inside CIDRs")
    return tunnels
