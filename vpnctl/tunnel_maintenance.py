"""Applying AWS's pending tunnel maintenance one tunnel at a time, so that a site never loses both tunnels.

With lifecycle control on, AWS holds a tunnel endpoint replacement until it is applied
(ReplaceVpnTunnel with ApplyPendingMaintenance) or its deadline passes. A tunnel is replaced only while
the other one is UP; then this waits, polling DescribeVpnConnections' VgwTelemetry, until the replaced
tunnel has gone through its outage and is UP again, before it touches the next one.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from functools import partial

from vpnctl.name_tags import vpn_connection
from vpnctl.tunnel_status import TunnelStatus, tunnels_of, with_maintenance

POLL_SECONDS = 5.0
TIMEOUT_SECONDS = 1200.0  # AWS's endpoint replacements take minutes; longer means the device must be looked at


class MaintenanceRefused(RuntimeError):
    """Not applied: the message says which tunnel, and why."""


class LifecycleControlOff(MaintenanceRefused):
    """AWS applies the maintenance itself: there is nothing to apply."""


class MaintenanceTimedOut(RuntimeError):
    """A replaced tunnel did not come back UP in time."""


def site_tunnels(ec2, environment: str, site: str) -> tuple[str, tuple[TunnelStatus, ...]]:
    """The site's connection ID and its tunnels, with the maintenance held for those with lifecycle control on."""
    connection = vpn_connection(ec2, environment, site)
    connection_id = connection["VpnConnectionId"]
    return connection_id, with_maintenance(ec2, connection_id, tunnels_of(connection))


def tunnels_to_replace(site: str, tunnels: tuple[TunnelStatus, ...], only: int | None) -> list[TunnelStatus]:
    """The tunnels whose pending maintenance to apply (`only`: that tunnel); refused when there is nothing to do
    because lifecycle control is off."""
    chosen = [t for t in tunnels if only is None or t.number == only]
    if only is not None and not chosen:
        raise MaintenanceRefused(f"site {site} has no tunnel {only} (tunnels: {', '.join(str(t.number) for t in tunnels)})")
    if not any(t.lifecycle_control for t in chosen):
        which = f"tunnel {only}" if only else "both tunnels"
        raise LifecycleControlOff(f"lifecycle control is off for {which} of site {site}: AWS applies maintenance "
                                 "itself, there is nothing to apply (tunnel_lifecycle_control in the site block)")
    return [t for t in chosen if t.lifecycle_control and t.maintenance is not None and t.maintenance.is_pending]


def check_other_up(site: str, tunnel: TunnelStatus, tunnels: tuple[TunnelStatus, ...]) -> None:
    """Refuses to replace `tunnel` unless every other tunnel of the site is UP: the replacement takes it down."""
    for other in tunnels:
        if other.number != tunnel.number and not other.up:
            message = f" ({other.status_message})" if other.status_message else ""
            raise MaintenanceRefused(
                f"not replacing tunnel {tunnel.number} ({tunnel.outside_ip}) of site {site}: tunnel {other.number} "
                f"({other.outside_ip}) is {other.status}{message}, and replacing tunnel {tunnel.number} takes it down "
                f"too, so the site would have no tunnel. Bring tunnel {other.number} up first.")


def apply_site(ec2, environment: str, site: str, progress, *, only: int | None = None,
               timeout: float = TIMEOUT_SECONDS, poll: float = POLL_SECONDS) -> list[int]:
    """Applies the site's pending maintenance tunnel by tunnel; returns the numbers of the tunnels replaced."""
    connection_id, tunnels = site_tunnels(ec2, environment, site)
    done = []
    for planned in tunnels_to_replace(site, tunnels, only):
        connection_id, tunnels = site_tunnels(ec2, environment, site)  # as it is now, after the last one
        tunnel = next(t for t in tunnels if t.number == planned.number)
        check_other_up(site, tunnel, tunnels)
        progress.say(f"tunnel {tunnel.number} ({tunnel.outside_ip}): applying {tunnel.maintenance.pending} "
                     f"(ReplaceVpnTunnel); tunnel {3 - tunnel.number} carries the traffic meanwhile", "started")
        requested = dt.datetime.now(dt.UTC)
        ec2.replace_vpn_tunnel(VpnConnectionId=connection_id, VpnTunnelOutsideIpAddress=tunnel.outside_ip,
                               ApplyPendingMaintenance=True)
        what = f"waiting for tunnel {tunnel.number} ({tunnel.outside_ip}) of {site} to come back UP after its replacement"
        with progress.step(site, what, announce=False):
            waited = wait_until_back_up(partial(_telemetry, ec2, connection_id, tunnel.outside_ip), requested,
                                        timeout, poll, progress.say)
        progress.say(f"tunnel {tunnel.number} ({tunnel.outside_ip}) is UP again after {waited:.0f} s", "done")
        done.append(tunnel.number)
    return done


def _telemetry(ec2, connection_id: str, outside_ip: str) -> dict:
    (connection,) = ec2.describe_vpn_connections(VpnConnectionIds=[connection_id])["VpnConnections"]
    return next((t for t in connection.get("VgwTelemetry") or [] if t["OutsideIpAddress"] == outside_ip), {})


def wait_until_back_up(read: Callable[[], dict], requested: dt.datetime, timeout: float, poll: float,
                       say: Callable[..., None]) -> float:
    """Polls the tunnel's telemetry until it has changed since `requested` (seen DOWN, or a later
    LastStatusChange) and is UP; returns the seconds waited. A tunnel still UP right after the call has not
    been replaced yet, so UP alone is not enough."""
    started = time.monotonic()
    replaced = False
    last = None
    while True:
        seen = read()
        status = seen.get("Status", "UNKNOWN")
        changed = seen.get("LastStatusChange")
        replaced = replaced or status != "UP" or (changed is not None and changed > requested)
        if status != last:
            say(f"tunnel {seen.get('OutsideIpAddress', '')} is {status}"
                + (f" ({seen['StatusMessage']})" if seen.get("StatusMessage") else ""))
            last = status
        if replaced and status == "UP":
            return time.monotonic() - started
        waited = time.monotonic() - started
        if waited >= timeout:
            raise MaintenanceTimedOut(
                f"tunnel {seen.get('OutsideIpAddress', '')} is not UP again after {waited:.0f} s (the timeout, "
                f"--timeout); it is {status}{' (' + seen['StatusMessage'] + ')' if seen.get('StatusMessage') else ''}. "
                "The other tunnel was left alone: check the device, then `vpnctl status`")
        time.sleep(min(poll, max(timeout - waited, 0.1)))
