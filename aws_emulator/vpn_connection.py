"""A Site-to-Site VPN connection as AWS keeps it: moto's connection with its Options and TunnelOptions as
created or modified, its two tunnels, static routes and where its pre-shared keys are stored, and the
shape DescribeVpnConnections answers it in."""

from __future__ import annotations

from datetime import UTC, datetime

from moto.ec2.models.vpn_connections import VPNConnection

from aws_emulator.customer_gateway_configuration import customer_gateway_configuration
from aws_emulator.describe import tag_list
from aws_emulator.vpn_tunnels import Tunnel


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


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
            "VgwTelemetry": [t.vgw_telemetry() for t in self.tunnel_list],
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


def inside_cidrs_in_use(backend, gateway_id: str | None) -> set[str]:
    """The tunnel inside CIDRs of the live connections on the gateway (on any gateway when it is None)."""
    taken = set()
    for connection in backend.vpn_connections.values():
        if (isinstance(connection, EmulatedVpnConnection) and connection.state != "deleted"
                and (gateway_id is None or gateway_id in (connection.vpn_gateway_id, connection.transit_gateway_id))):
            taken.update(t.inside_cidr for t in connection.tunnel_list)
    return taken
