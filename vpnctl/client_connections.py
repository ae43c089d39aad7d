"""A user's live Client VPN sessions: finding them, ending them, and checking they ended.

Revoking a certificate doesn't end a session that is already up (AWS's Client VPN admin guide); only
TerminateClientVpnConnections does. Which field names the user depends on how they authenticated
(AWS's EC2 API reference, ClientVpnConnection): with certificate authentication `CommonName` is the
certificate's common name and `Username` is empty; with Active Directory (and SAML) `Username` is the
user. So a connection is the user's when either names them, and each is ended by its ConnectionId.
"""

from __future__ import annotations

import time
from collections.abc import Callable

LIVE = ("active", "terminating")  # statuses of a session that still carries, or may still carry, traffic
PROGRESS_EVERY = 15.0
ENDING_LIMIT = 600.0  # seconds; a session still up after this is an AWS-side problem worth stopping for


class ConnectionsLeft(RuntimeError):
    """A session of the user is still up after it was terminated."""


def belongs_to(connection: dict, user: str) -> bool:
    """Whether `connection` (a ClientVpnConnection) is `user`'s: its certificate's CN, or its directory or
    SAML user name."""
    return user in (connection.get("CommonName"), connection.get("Username"))


def status_of(connection: dict) -> str:
    return (connection.get("Status") or {}).get("Code", "")


def users_sessions(connections: list[dict], user: str, statuses: tuple[str, ...] = ("active",)) -> list[dict]:
    """The connections of `user` whose status is one of `statuses`."""
    return [c for c in connections if belongs_to(c, user) and status_of(c) in statuses]


def connections(ec2, endpoint_id: str) -> list[dict]:
    """Every connection DescribeClientVpnConnections reports (active, and ended in the last 60 minutes)."""
    found: list[dict] = []
    for page in ec2.get_paginator("describe_client_vpn_connections").paginate(ClientVpnEndpointId=endpoint_id):
        found += page.get("Connections", [])
    return found


def terminate(ec2, endpoint_id: str, user: str) -> list[str]:
    """Ends each active session of `user` on the endpoint, by ConnectionId; returns the IDs ended."""
    ended = []
    for connection in users_sessions(connections(ec2, endpoint_id), user):
        ec2.terminate_client_vpn_connections(ClientVpnEndpointId=endpoint_id, ConnectionId=connection["ConnectionId"])
        ended.append(connection["ConnectionId"])
    return ended


def wait_until_gone(ec2, endpoint_id: str, user: str, say: Callable[[str], None],
                    limit: float = ENDING_LIMIT, poll: float = 2.0) -> None:
    """Returns once no session of `user` is active or terminating; a line every 15 s meanwhile;
    ConnectionsLeft past `limit` or when AWS reports one failed to terminate."""
    started = reported = time.monotonic()
    while True:
        mine = [c for c in connections(ec2, endpoint_id) if belongs_to(c, user)]
        failed = [c["ConnectionId"] for c in mine if status_of(c) == "failed-to-terminate"]
        live = [c["ConnectionId"] for c in mine if status_of(c) in LIVE]
        if failed:
            raise ConnectionsLeft(f"{endpoint_id}: AWS failed to terminate {', '.join(failed)}")
        if not live:
            return
        waited = time.monotonic() - started
        if waited >= limit:
            raise ConnectionsLeft(f"{endpoint_id}: {', '.join(live)} still up {waited:.0f} s after termination")
        if time.monotonic() - reported >= PROGRESS_EVERY:
            say(f"{endpoint_id}: waiting for {', '.join(live)} to end ({waited:.0f} s)")
            reported = time.monotonic()
        time.sleep(poll)
