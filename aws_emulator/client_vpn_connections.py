"""Client VPN client connections: DescribeClientVpnConnections and TerminateClientVpnConnections, and the
connections the emulator's control route makes in place of users connecting.

From the EC2 API reference: DescribeClientVpnConnections answers the active connections and those terminated
within the last 60 minutes, filtered by `connection-id` and `username`, MaxResults 5 to 1000 a page.
ClientVpnConnection: CommonName is the client certificate's name or the Active Directory user name; Username
is given only with Active Directory authentication. TerminateClientVpnConnections ends one connection
(ConnectionId) or every active connection of a user (Username), which it can only do for a user with up to
five connections; a terminated connection is `terminating` in its answer and found `terminated` afterwards.
The error codes page: InvalidClientVpnConnection.IdNotFound for a connection that isn't there,
InvalidClientVpnConnection.UserNotFound for a user with no active connection.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.utils import random_id

from aws_emulator.errors import invalid_parameter, missing_parameter

DIRECTORY = "directory-service-authentication"
KEPT_AFTER_END = timedelta(minutes=60)
MAX_BY_USERNAME = 5
PACKET_BYTES = 1500  # the emulator counts a packet for every 1,500 bytes or part of them


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class ClientConnection:
    id: str
    endpoint_id: str
    common_name: str
    username: str | None
    client_ip: str
    ingress_bytes: int
    egress_bytes: int
    established: datetime
    status: str = "active"
    ended: datetime | None = None

    def listed(self, moment: datetime) -> bool:
        return self.ended is None or moment - self.ended <= KEPT_AFTER_END

    def terminate(self, moment: datetime) -> dict:
        """The TerminateConnectionStatus entry; an ended connection stays as it is."""
        previous = self.status
        if previous == "active":
            self.status, self.ended = "terminating", moment
        return {"ConnectionId": self.id, "PreviousStatus": {"Code": previous}, "CurrentStatus": {"Code": self.status}}

    def describe(self) -> dict:
        if self.status == "terminating":  # terminated by the time anyone looks again
            self.status = "terminated"
        out = {
            "ClientVpnEndpointId": self.endpoint_id,
            "Timestamp": _time(datetime.now(UTC)),
            "ConnectionId": self.id,
            "ConnectionEstablishedTime": _time(self.established),
            "IngressBytes": str(self.ingress_bytes),
            "EgressBytes": str(self.egress_bytes),
            "IngressPackets": str(-(-self.ingress_bytes // PACKET_BYTES)),
            "EgressPackets": str(-(-self.egress_bytes // PACKET_BYTES)),
            "ClientIp": self.client_ip,
            "CommonName": self.common_name,
            "Status": {"Code": self.status},
        }
        if self.username:
            out["Username"] = self.username
        if self.ended:
            out["ConnectionEndTime"] = _time(self.ended)
        return out


def connections_of(endpoint) -> dict[str, ClientConnection]:
    return endpoint.__dict__.setdefault("client_connections", {})


def connect(endpoint, common_name: str, username: str | None = None, client_ip: str | None = None,
            ingress_bytes: int = 0, egress_bytes: int = 0) -> ClientConnection:
    """A user connecting to `endpoint` (the control route): an active connection, its address from the client
    CIDR unless given. Refused (ValueError) where no user could connect so."""
    if endpoint.state != "available":
        raise ValueError(f"{endpoint.id} is {endpoint.state}: no client connects before a target network is associated")
    if not common_name:
        raise ValueError("a connection needs the common name of its client certificate or user")
    if username and not any(a["Type"] == DIRECTORY for a in endpoint.authentication):
        raise ValueError(f"{endpoint.id} has no Active Directory authentication; AWS gives Username only with it")
    connections = connections_of(endpoint)
    if client_ip is None:
        taken = {c.client_ip for c in connections.values() if c.status == "active"}
        hosts = (str(h) for h in ipaddress.ip_network(endpoint.client_cidr).hosts())
        client_ip = next((h for h in hosts if h not in taken), None)
        if client_ip is None:
            raise ValueError(f"the client CIDR of {endpoint.id} has no address left")
    connection = ClientConnection(random_id("cvpn-connection"), endpoint.id, common_name, username or None,
                                  client_ip, int(ingress_bytes), int(egress_bytes), datetime.now(UTC))
    connections[connection.id] = connection
    return connection


class ClientConnectionActions:
    def describe_client_vpn_connections(self) -> ActionResult:
        endpoint = self._endpoint()
        moment = datetime.now(UTC)
        listed = [c for c in connections_of(endpoint).values() if c.listed(moment)]
        return self._described(listed, {"connection-id": lambda c: c.id, "username": lambda c: c.username},
                               "Connections")

    def terminate_client_vpn_connections(self) -> ActionResult:
        endpoint = self._endpoint()
        connection_id, username = self._get_param("ConnectionId"), self._get_param("Username")
        if connection_id and username:
            raise EC2ClientError("InvalidParameterCombination", "Specify either ConnectionId or Username, not both")
        if not (connection_id or username):
            raise missing_parameter("ConnectionId or Username")
        connections = connections_of(endpoint)
        if connection_id:
            if connection_id not in connections:
                raise EC2ClientError("InvalidClientVpnConnection.IdNotFound",
                                     f"The connection '{connection_id}' does not exist on {endpoint.id}")
            chosen = [connections[connection_id]]
        else:
            chosen = [c for c in connections.values() if c.username == username and c.status == "active"]
            if not chosen:
                raise EC2ClientError("InvalidClientVpnConnection.UserNotFound",
                                     f"The user '{username}' has no active connection to {endpoint.id}")
            if len(chosen) > MAX_BY_USERNAME:
                raise invalid_parameter(f"The user '{username}' has {len(chosen)} connections; terminating by "
                                        f"Username works for up to {MAX_BY_USERNAME}")
        moment = datetime.now(UTC)
        out = {"ClientVpnEndpointId": endpoint.id, "ConnectionStatuses": [c.terminate(moment) for c in chosen]}
        if username or chosen[0].username:
            out["Username"] = username or chosen[0].username
        return ActionResult(out)
