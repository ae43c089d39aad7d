"""One environment's status as gathered from AWS, as JSON for machines and as a table for people.

Both show the same facts, built from vpnctl.tunnel_status and vpnctl.endpoint_status, which copy no
pre-shared key or private key out of AWS's answers; so nothing here can print one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from vpnctl.endpoint_status import EndpointStatus, endpoint_status
from vpnctl.status_problems import endpoint_problems, in_words, site_problems
from vpnctl.tunnel_status import SiteStatus, site_status

PIPE_WIDTH = 160  # rich's 80 columns would fold every table when the output is piped or logged


@dataclass
class EnvironmentStatus:
    environment: str
    region: str
    checked_at: dt.datetime
    sites: list[SiteStatus] = field(default_factory=list)
    endpoints: list[EndpointStatus] = field(default_factory=list)

    @property
    def needs_action(self) -> bool:
        return any(s.problems for s in self.sites) or any(e.problems for e in self.endpoints)


def gather(session, environment: str, config, pki_root: Path, now: dt.datetime | None = None) -> EnvironmentStatus:
    """Every site and Client VPN endpoint of `config` as deployed, each with its problems."""
    ec2 = session.client("ec2")
    status = EnvironmentStatus(environment, config.region, now or dt.datetime.now(dt.UTC))
    for name, site in config.sites.items():
        found = site_status(ec2, environment, name, site.routing)
        found.problems.extend(site_problems(found, environment, status.checked_at))
        status.sites.append(found)
    for name, endpoint in config.client_vpn.items():
        found = endpoint_status(session, environment, name, endpoint, pki_root)
        found.problems.extend(endpoint_problems(found, environment, status.checked_at))
        status.endpoints.append(found)
    return status


# ---- JSON --------------------------------------------------------------------------------


def as_json(status: EnvironmentStatus) -> dict:
    """The facts as plain JSON types: times in ISO 8601 (UTC), each problem with where it is."""
    return _plain({
        "environment": status.environment, "region": status.region, "checked_at": status.checked_at,
        "needs_action": status.needs_action,
        "sites": [dataclasses.asdict(s) for s in status.sites],
        "client_vpn_endpoints": [dataclasses.asdict(e) for e in status.endpoints],
    })


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="seconds")
    return value


# ---- the table -------------------------------------------------------------------------------


def render(status: EnvironmentStatus, console: Console) -> None:
    """Sites (one row per tunnel), then endpoints (state, associations, certificates, connections)."""
    now = status.checked_at
    console.print(f"{status.environment} ({status.region}), checked {now:%Y-%m-%d %H:%M:%S} UTC")
    if status.sites:
        console.print(_sites_table(status.sites, now))
    for endpoint in status.endpoints:
        console.print(_endpoint_table(endpoint, now))
        if endpoint.connections:
            console.print(_connections_table(endpoint))
    problems = [(s.name, p) for s in status.sites for p in s.problems] + [
        (e.name, p) for e in status.endpoints for p in e.problems]
    if problems:
        console.print(f"Needs action ({len(problems)}):", style="bold red")
        for name, problem in problems:
            console.print(f"  - {name} {problem.where}: {problem.text}")
    else:
        console.print("All well: every tunnel up, nothing due.", style="green")


def _problems_at(item, where: str) -> str:
    return "; ".join(p.text for p in item.problems if p.where == where)


def _sites_table(sites: list[SiteStatus], now: dt.datetime) -> Table:
    table = Table(title="Site-to-Site VPN", title_justify="left")
    for column in ("Site", "Connection", "Tunnel", "Outside IP", "Status", "Message", "Changed", "Routes",
                   "Maintenance", "Problem"):
        table.add_column(column, overflow="fold")
    for site in sites:
        head = f"{site.connection_id} {site.state}" if site.connection_id else site.state
        if not site.tunnels:
            table.add_row(site.name, head, "", "", "", "", "", "", "", _problems_at(site, "connection"))
        for index, tunnel in enumerate(site.tunnels):
            problem = "; ".join(filter(None, [_problems_at(site, "connection") if index == 0 else "",
                                              _problems_at(site, f"tunnel {tunnel.number}")]))
            table.add_row(
                site.name if index == 0 else "", head if index == 0 else "", str(tunnel.number), tunnel.outside_ip,
                tunnel.status, tunnel.status_message, _ago(tunnel.last_status_change, now),
                str(tunnel.accepted_route_count) if site.routing == "bgp" else "static",
                maintenance_text(tunnel, now), problem, style="red" if not tunnel.up else None)
    return table


def maintenance_text(tunnel, now: dt.datetime) -> str:
    """What AWS holds for the tunnel, and by when it applies it itself."""
    if not tunnel.lifecycle_control:
        return "AWS applies it (lifecycle control off)"
    maintenance = tunnel.maintenance
    if maintenance is None or not maintenance.is_pending:
        return "none pending"
    if maintenance.auto_applied_after is None:
        return maintenance.pending or ""
    deadline = maintenance.auto_applied_after
    return f"{maintenance.pending}, by {deadline:%Y-%m-%d %H:%M} UTC (in {in_words(deadline - now)})"


def _ago(when: dt.datetime | None, now: dt.datetime) -> str:
    return f"{in_words(now - when)} ago" if when else ""


def _endpoint_table(endpoint: EndpointStatus, now: dt.datetime) -> Table:
    title = f"Client VPN {endpoint.name}: {endpoint.endpoint_id or ''} {endpoint.state}".replace("  ", " ")
    table = Table(title=title, title_justify="left")
    for column in ("What", "State", "Problem"):
        table.add_column(column, overflow="fold")
    table.add_row("endpoint", endpoint.note or endpoint.state, _problems_at(endpoint, "endpoint"))
    for association in endpoint.associations:
        where = f"association {association.subnet_id}"
        table.add_row(where, f"{association.state} ({association.association_id})", _problems_at(endpoint, where))
    for certificate in endpoint.certificates:
        where = f"{certificate.role} certificate"
        table.add_row(where, _expires(certificate.not_after, now, certificate.source), _problems_at(endpoint, where))
    if endpoint.crl is not None:
        known = _expires(endpoint.crl.next_update, now, endpoint.crl.file) if endpoint.crl.next_update else (
            f"not checked: {endpoint.crl.file} is not on this machine")
        table.add_row("crl", known, _problems_at(endpoint, "crl"))
    table.add_row("connections", f"{len(endpoint.connections)} active", "")
    return table


def _expires(when: dt.datetime | None, now: dt.datetime, source: str) -> str:
    if when is None:
        return f"expiry not known ({source})"
    word = "expired" if when <= now else f"expires in {in_words(when - now)},"
    return f"{word} {when:%Y-%m-%d} ({source})"


def _connections_table(endpoint: EndpointStatus) -> Table:
    table = Table(title=f"Connected to {endpoint.name}", title_justify="left")
    for column in ("User", "Common name", "Client IP", "Connected since", "Bytes in", "Bytes out"):
        table.add_column(column, overflow="fold")
    for c in endpoint.connections:
        table.add_row(c.username, c.common_name, c.client_ip, c.connected_since, f"{c.ingress_bytes:,}",
                      f"{c.egress_bytes:,}")
    return table
