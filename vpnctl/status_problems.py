"""What in a status needs an operator's action, in plain words: the rules `vpnctl status` applies.

Pure functions of the facts and of `now`, so that the thresholds are tested without AWS. A site with one
tunnel up still carries traffic but has lost its redundancy; AWS's maintenance and an expired CRL
don't wait, so they are named while there is time to act.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from vpnctl.endpoint_status import EndpointStatus
from vpnctl.tunnel_status import SiteStatus, TunnelStatus

CRL_WARNING_DAYS = 14  # a CRL past its next update makes the endpoint refuse every client
MAINTENANCE_WARNING_DAYS = 7  # after its deadline AWS applies the maintenance itself, both tunnels or not
CERTIFICATE_WARNING_DAYS = 30  # a new certificate has to be issued, imported and deployed


@dataclass(frozen=True)
class Problem:
    where: str  # "tunnel 2", "connection", "crl", "association subnet-…", "server certificate"
    text: str


def site_problems(site: SiteStatus, environment: str, now: dt.datetime) -> list[Problem]:
    if site.connection_id is None:
        return [Problem("connection", "not deployed")]
    out = []
    if site.state != "available":
        out.append(Problem("connection", f"the connection is {site.state}, not available"))
    down = [t for t in site.tunnels if not t.up]
    if site.tunnels and len(down) == len(site.tunnels):
        out += [Problem(f"tunnel {t.number}", f"tunnel down{_why(t)}: the site has no tunnel up") for t in down]
    else:
        out += [Problem(f"tunnel {t.number}", f"tunnel down{_why(t)}: only one tunnel up, no redundancy")
                for t in down]
    for tunnel in site.tunnels:
        problem = maintenance_problem(tunnel, environment, site.name, now)
        if problem:
            out.append(Problem(f"tunnel {tunnel.number}", problem))
    return out


def _why(tunnel: TunnelStatus) -> str:
    return f" ({tunnel.status_message})" if tunnel.status_message else ""


def maintenance_problem(tunnel: TunnelStatus, environment: str, site: str, now: dt.datetime) -> str | None:
    """Pending maintenance due in under MAINTENANCE_WARNING_DAYS, or already past its deadline."""
    maintenance = tunnel.maintenance
    if maintenance is None or not maintenance.is_pending or maintenance.auto_applied_after is None:
        return None
    left = maintenance.auto_applied_after - now
    fix = f"apply it now, one tunnel at a time: vpnctl maintenance {environment} --apply {site}"
    deadline = f"{maintenance.auto_applied_after:%Y-%m-%d %H:%M} UTC"
    if left.total_seconds() <= 0:
        return f"maintenance overdue since {deadline}: AWS may replace this tunnel's endpoint at any moment; {fix}"
    if left < dt.timedelta(days=MAINTENANCE_WARNING_DAYS):
        return f"maintenance due by {deadline} ({in_words(left)} left), then AWS applies it itself; {fix}"
    return None


def endpoint_problems(endpoint: EndpointStatus, environment: str, now: dt.datetime) -> list[Problem]:
    out = []
    if endpoint.endpoint_id is None:
        out.append(Problem("endpoint", "not deployed"))
    elif endpoint.state != "available":
        out.append(Problem("endpoint", f"the endpoint is {endpoint.state}, not available: no client can connect"))
    out += [Problem(f"association {a.subnet_id}", f"association {a.state}, not associated")
            for a in endpoint.associations if a.state != "associated"]
    for certificate in endpoint.certificates:
        problem = expiry_problem(f"the {certificate.role} certificate", certificate.not_after, now,
                                 CERTIFICATE_WARNING_DAYS, "issue a new one and deploy")
        if problem:
            out.append(Problem(f"{certificate.role} certificate", problem))
    if endpoint.crl is not None and endpoint.crl.next_update is not None:
        problem = expiry_problem("the CRL", endpoint.crl.next_update, now, CRL_WARNING_DAYS,
                                 f"run `vpnctl pki refresh-crl` and deploy {environment}",
                                 after="the endpoint refuses every client")
        if problem:
            out.append(Problem("crl", problem))
    return out


def expiry_problem(what: str, when: dt.datetime | None, now: dt.datetime, days: int, fix: str,
                   after: str = "clients can no longer connect") -> str | None:
    """`what` expired, or expires in under `days` days; None otherwise (or when the date is not known)."""
    if when is None:
        return None
    left = when - now
    if left.total_seconds() <= 0:
        return f"{what} expired on {when:%Y-%m-%d}: {after}; {fix}"
    if left < dt.timedelta(days=days):
        return f"{what} expires on {when:%Y-%m-%d} ({in_words(left)} left), then {after}; {fix}"
    return None


def in_words(span: dt.timedelta) -> str:
    """A duration as a person reads it: "45 s", "12 min", "3 h 5 min", "6 d 4 h"."""
    seconds = max(int(span.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else f"{seconds} s"
