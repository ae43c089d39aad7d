"""What changes on a Site-to-Site VPN connection in place: ModifyVpnTunnelOptions (with the endpoint
replacement it causes, vpn_tunnel_replacement),
ModifyVpnConnectionOptions, and the static routes of CreateVpnConnectionRoute and DeleteVpnConnectionRoute."""

from __future__ import annotations

import ipaddress

from moto.core.responses import ActionResult, EmptyResult
from moto.ec2.exceptions import EC2ClientError

from aws_emulator.errors import invalid_parameter
from aws_emulator.vpn_tunnels import check_tunnel_options


class VpnConnectionChangeActions:
    def modify_vpn_tunnel_options(self) -> ActionResult:
        connection = self._connection()
        tunnel = self._tunnel(connection)
        changes = self._get_param("TunnelOptions") or {}
        number = connection.tunnel_list.index(tunnel) + 1
        check_tunnel_options(changes, number)
        other = connection.tunnel_list[2 - number]
        if changes.get("TunnelInsideCidr") and changes["TunnelInsideCidr"] == other.inside_cidr:
            raise invalid_parameter("The two tunnels must have different inside CIDRs")
        self._replace_after_modifying(tunnel, changes, was_on=tunnel.lifecycle_control)  # see vpn_tunnel_replacement
        tunnel.change(changes)
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
        cidr = self._cidr_param("DestinationCidrBlock")
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
