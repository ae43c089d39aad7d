"""What AWS says about a deployed site's tunnels: status, routes and pending maintenance.

Only named fields are copied out of DescribeVpnConnections: its answer also holds the pre-shared keys
(CustomerGatewayConfiguration's XML, TunnelOptions' PreSharedKey), and nothing here may carry them on
to a screen, a JSON document or a log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from vpnctl.name_tags import NotDeployed, vpn_connection

NOTHING_PENDING = ("", "none", "none available")  # how AWS says no maintenance is pending


@dataclass(frozen=True)
class Maintenance:
    """GetVpnTunnelReplacementStatus's MaintenanceDetails of one tunnel."""

    pending: str | None
    auto_applied_after: dt.datetime | None = None
    last_applied: dt.datetime | None = None

    @property
    def is_pending(self) -> bool:
        return (self.pending or "").strip().lower() not in NOTHING_PENDING


@dataclass(frozen=True)
class TunnelStatus:
    number: int  # 1 or 2, as tunnel1_* and tunnel2_*
    outside_ip: str
    status: str  # UP or DOWN
    status_message: str = ""
    last_status_change: dt.datetime | None = None
    accepted_route_count: int = 0
    lifecycle_control: bool = False
    maintenance: Maintenance | None = None  # asked only with lifecycle control on

    @property
    def up(self) -> bool:
        return self.status == "UP"


@dataclass(frozen=True)
class SiteStatus:
    name: str
    connection_id: str | None
    state: str  # the connection's state, or "not deployed"
    tunnels: tuple[TunnelStatus, ...] = ()
    note: str = ""  # why nothing more is known (not deployed: where it was looked for)
    routing: str = "static"
    problems: list = field(default_factory=list)  # filled by vpnctl.status_problems


def tunnels_of(connection: dict) -> list[TunnelStatus]:
    """The connection's tunnels in AWS's order (tunnel 1 first), from its telemetry and tunnel options."""
    telemetry = {t["OutsideIpAddress"]: t for t in connection.get("VgwTelemetry") or []}
    options = connection.get("Options", {}).get("TunnelOptions") or []
    addresses = [o["OutsideIpAddress"] for o in options] or list(telemetry)
    lifecycle = {o["OutsideIpAddress"]: bool(o.get("EnableTunnelLifecycleControl")) for o in options}
    out = []
    for number, address in enumerate(addresses, start=1):
        seen = telemetry.get(address, {})
        out.append(TunnelStatus(
            number=number, outside_ip=address, status=seen.get("Status", "UNKNOWN"),
            status_message=seen.get("StatusMessage", "") or "", last_status_change=seen.get("LastStatusChange"),
            accepted_route_count=int(seen.get("AcceptedRouteCount") or 0),
            lifecycle_control=lifecycle.get(address, False)))
    return out


def maintenance_of(ec2, connection_id: str, outside_ip: str) -> Maintenance:
    answer = ec2.get_vpn_tunnel_replacement_status(VpnConnectionId=connection_id, VpnTunnelOutsideIpAddress=outside_ip)
    details = answer.get("MaintenanceDetails") or {}
    return Maintenance(details.get("PendingMaintenance"), details.get("MaintenanceAutoAppliedAfter"),
                       details.get("LastMaintenanceApplied"))


def with_maintenance(ec2, connection_id: str, tunnels: list[TunnelStatus]) -> tuple[TunnelStatus, ...]:
    """Each tunnel with lifecycle control on, with what maintenance AWS holds for it."""
    from dataclasses import replace

    return tuple(replace(t, maintenance=maintenance_of(ec2, connection_id, t.outside_ip)) if t.lifecycle_control else t
                 for t in tunnels)


def site_status(ec2, environment: str, name: str, routing: str = "static") -> SiteStatus:
    """The deployed site `name` of `environment`, found by its Name tag; "not deployed" when there is none."""
    try:
        connection = vpn_connection(ec2, environment, name)
    except NotDeployed as exc:
        return SiteStatus(name, None, "not deployed", note=str(exc), routing=routing)
    connection_id = connection["VpnConnectionId"]
    tunnels = with_maintenance(ec2, connection_id, tunnels_of(connection))
    return SiteStatus(name, connection_id, connection["State"], tunnels, routing=routing)
