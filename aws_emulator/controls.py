"""The emulator's control routes that stand in for the real world: a customer gateway device bringing a tunnel
up or down, AWS announcing tunnel maintenance, a user connecting to a Client VPN endpoint; how long a
replaced tunnel endpoint takes, and what every tunnel's status has been; and, for stress tests, how often the
emulator's interpreter switches between its request threads (sys.setswitchinterval, 5 ms by default): a short
interval makes a race between requests show within seconds instead of once in thousands of requests.

    POST /_vpn_emulator/tunnel-state          {region, vpn_connection_id, outside_ip, status: UP|DOWN,
                                               status_message?, accepted_route_count?}           -> {}
    POST /_vpn_emulator/pending-maintenance   {region, vpn_connection_id, outside_ip, pending_maintenance,
                                               auto_applied_after: ISO 8601}                     -> {}
    POST /_vpn_emulator/replacement-seconds   {seconds}                                          -> {}
    POST /_vpn_emulator/switch-interval       {seconds}                                          -> {}
    GET  /_vpn_emulator/tunnel-history?region=R   -> {changes: [{time, vpn_connection_id, outside_ip, status}]}
    POST /_vpn_emulator/client-vpn-connection {region, client_vpn_endpoint_id, common_name, username?,
                                               client_ip?, ingress_bytes?, egress_bytes?}  -> {connection_id}

The caller (aws_emulator.app) holds the emulator's lock (aws_emulator.serialized). A request these can't carry
out raises ControlError.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from moto.ec2.models import ec2_backends

from aws_emulator.client_vpn_connections import connect
from aws_emulator.client_vpn_model import endpoints_of
from aws_emulator.tunnel_telemetry import now, set_replacement_seconds
from aws_emulator.vpn_connection import EmulatedVpnConnection

PREFIX = "/_vpn_emulator/"
ROUTES = {"POST": ("tunnel-state", "pending-maintenance", "replacement-seconds", "switch-interval",
                  "client-vpn-connection"),
          "GET": ("tunnel-history",)}


class ControlError(Exception):
    """A control request that names what isn't there or asks for what can't be (HTTP 400 or 404)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def is_control(method: str, path: str) -> bool:
    return path.startswith(PREFIX) and path[len(PREFIX):] in ROUTES.get(method, ())


def handle(account_id: str, path: str, document: dict) -> dict:
    """Carries out the control request `document` (a GET's query) asks of `path`."""
    name = path[len(PREFIX):]
    try:
        if name == "replacement-seconds":
            set_replacement_seconds(float(document["seconds"]))
            return {}
        if name == "switch-interval":
            _switch_interval(float(document["seconds"]))
            return {}
        backend = ec2_backends[account_id][document["region"]]
        if name == "tunnel-history":
            return {"changes": _history(backend)}
        if name == "client-vpn-connection":
            return {"connection_id": _connect(backend, document)}
        telemetry = _tunnel(backend, document["vpn_connection_id"], document["outside_ip"]).telemetry
        if name == "tunnel-state":
            telemetry.set(document["status"], document.get("status_message") or "",
                          int(document.get("accepted_route_count") or 0), now())
        else:
            telemetry.seed_maintenance(document["pending_maintenance"], _moment(document["auto_applied_after"]))
        return {}
    except KeyError as missing:
        raise ControlError(f"{path} needs {missing}") from None
    except ValueError as wrong:
        raise ControlError(f"{path}: {wrong}") from None


def _tunnel(backend, connection_id: str, outside_ip: str):
    connection = backend.vpn_connections.get(connection_id)
    if not isinstance(connection, EmulatedVpnConnection) or connection.state == "deleted":
        raise ControlError(f"no VPN connection {connection_id}", 404)
    for tunnel in connection.tunnel_list:
        if tunnel.outside_ip == outside_ip:
            return tunnel
    raise ControlError(f"{connection_id} has no tunnel with outside IP {outside_ip}", 404)


def _history(backend) -> list[dict]:
    """Every status change of every tunnel in the region, in time order (what time brought included)."""
    moment = now()
    changes = []
    for connection in list(backend.vpn_connections.values()):
        if isinstance(connection, EmulatedVpnConnection):
            for tunnel in connection.tunnel_list:
                tunnel.telemetry.settle(moment)
                changes += [(when, connection.id, tunnel.outside_ip, status)
                            for when, status in tunnel.telemetry.changes]
    changes.sort(key=lambda change: change[0])
    return [{"time": when.isoformat(), "vpn_connection_id": connection_id, "outside_ip": ip, "status": status}
            for when, connection_id, ip, status in changes]


def _connect(backend, document: dict) -> str:
    endpoint_id = document["client_vpn_endpoint_id"]
    endpoint = endpoints_of(backend).get(endpoint_id)
    if endpoint is None:
        raise ControlError(f"no Client VPN endpoint {endpoint_id}", 404)
    connection = connect(endpoint, document["common_name"], document.get("username"), document.get("client_ip"),
                         int(document.get("ingress_bytes") or 0), int(document.get("egress_bytes") or 0))
    return connection.id


def _switch_interval(seconds: float) -> None:
    if not 0 < seconds <= 1:
        raise ValueError("the switch interval must be above 0 and at most 1 second")
    sys.setswitchinterval(seconds)


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)  # Python 3.11 reads a trailing Z too
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
