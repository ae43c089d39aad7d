"""Tunnel endpoint replacements: GetVpnTunnelReplacementStatus, ReplaceVpnTunnel, and the replacement
ModifyVpnTunnelOptions causes.

The Site-to-Site VPN user guide: modifying a tunnel's options leaves that tunnel unavailable during the update
("Tunnel endpoint replacements"); turning tunnel endpoint lifecycle control on for an existing connection
starts a tunnel endpoint replacement at the same time unless SkipTunnelReplacement is given (which applies
only to turning the feature on or off, says the API reference); turning it off while maintenance is pending
can't skip the replacement, and the replacement applies that maintenance ("Tunnel endpoint lifecycle
control"). ReplaceVpnTunnel replaces the endpoint and, with ApplyPendingMaintenance, applies the pending
maintenance. Neither reference limits GetVpnTunnelReplacementStatus or ReplaceVpnTunnel to tunnels with
lifecycle control, so the emulator doesn't either.
"""

from __future__ import annotations

from moto.core.responses import ActionResult

from aws_emulator.errors import invalid_parameter
from aws_emulator.tunnel_telemetry import now
from aws_emulator.vpn_tunnels import Tunnel

LIFECYCLE = "EnableTunnelLifecycleControl"


def flag(value) -> bool:
    """A Boolean request parameter, parsed or not."""
    return value is True or str(value).lower() == "true"


class TunnelReplacementActions:
    def _tunnel(self, connection) -> Tunnel:
        """The connection's tunnel the request names by VpnTunnelOutsideIpAddress."""
        address = self._required_param("VpnTunnelOutsideIpAddress")
        tunnel = next((t for t in connection.tunnel_list if t.outside_ip == address), None)
        if tunnel is None:
            raise invalid_parameter(f"VpnTunnelOutsideIpAddress {address} is not a tunnel of {connection.id}")
        return tunnel

    def get_vpn_tunnel_replacement_status(self) -> ActionResult:
        connection = self._connection()
        tunnel = self._tunnel(connection)
        tunnel.telemetry.settle(now())
        out = {"VpnConnectionId": connection.id, "CustomerGatewayId": connection.customer_gateway_id,
               "VpnTunnelOutsideIpAddress": tunnel.outside_ip,
               "MaintenanceDetails": tunnel.telemetry.maintenance_details()}
        if connection.transit_gateway_id:
            out["TransitGatewayId"] = connection.transit_gateway_id
        if connection.vpn_gateway_id:
            out["VpnGatewayId"] = connection.vpn_gateway_id
        return ActionResult(out)

    def replace_vpn_tunnel(self) -> ActionResult:
        connection = self._connection()
        tunnel = self._tunnel(connection)
        tunnel.telemetry.replace(now(), apply_maintenance=flag(self._get_param("ApplyPendingMaintenance")))
        return ActionResult({"Return": True})

    def _replace_after_modifying(self, tunnel: Tunnel, changes: dict, was_on: bool) -> None:
        """What ModifyVpnTunnelOptions does to the tunnel's endpoint once `changes` are checked (not yet kept)."""
        skip = flag(self._get_param("SkipTunnelReplacement"))
        toggled = LIFECYCLE in changes and flag(changes[LIFECYCLE]) != was_on
        moment = now()
        tunnel.telemetry.settle(moment)
        if toggled and was_on and skip and tunnel.telemetry.pending:
            raise invalid_parameter("SkipTunnelReplacement can't be used to turn tunnel endpoint lifecycle control "
                                    "off while maintenance is pending")
        if set(changes) == {LIFECYCLE} and (skip or not toggled):  # skipped, or nothing changes
            return
        tunnel.telemetry.replace(moment, apply_maintenance=toggled and was_on)
