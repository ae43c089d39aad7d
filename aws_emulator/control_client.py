"""The calls a client of the emulator makes to its control routes (aws_emulator.controls), mixed into the class
that starts the emulator and signs requests for it (vpnctl.emulator_process.LocalAws): that class gives
`post(path, document)`, `_signed(method, url)`, `_open(request)` and `endpoint`."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

PREFIX = "/_vpn_emulator/"  # aws_emulator.controls.PREFIX; not imported, as that module loads moto


class EmulatorControls:
    """Standing in for the real world: tunnels coming up and going down, maintenance announced, users connecting."""

    def set_tunnel_state(self, region: str, vpn_connection_id: str, outside_ip: str, status: str,
                         status_message: str = "", accepted_route_count: int = 0) -> None:
        """Sets the tunnel's VgwTelemetry ("UP" or "DOWN") as its customer gateway device would; LastStatusChange
        is now."""
        self.post(PREFIX + "tunnel-state", {
            "region": region, "vpn_connection_id": vpn_connection_id, "outside_ip": outside_ip, "status": status,
            "status_message": status_message, "accepted_route_count": accepted_route_count})

    def seed_pending_maintenance(self, region: str, vpn_connection_id: str, outside_ip: str,
                                 pending_maintenance: str, auto_applied_after: datetime) -> None:
        """Announces tunnel endpoint maintenance, applied by itself at `auto_applied_after` (UTC if naive)."""
        if auto_applied_after.tzinfo is None:
            auto_applied_after = auto_applied_after.replace(tzinfo=UTC)
        self.post(PREFIX + "pending-maintenance", {
            "region": region, "vpn_connection_id": vpn_connection_id, "outside_ip": outside_ip,
            "pending_maintenance": pending_maintenance, "auto_applied_after": auto_applied_after.isoformat()})

    def set_replacement_seconds(self, seconds: float) -> None:
        """How long a replaced tunnel endpoint stays DOWN (5 s unless set)."""
        self.post(PREFIX + "replacement-seconds", {"seconds": seconds})

    def set_switch_interval(self, seconds: float) -> None:
        """How often the emulator's interpreter switches between its request threads (5 ms unless set): a stress
        test shortens it, so that requests interleave at many more points and a race shows within seconds."""
        self.post(PREFIX + "switch-interval", {"seconds": seconds})

    def tunnel_history(self, region: str) -> list[dict]:
        """Every tunnel status change in the region, in time order: {time, vpn_connection_id, outside_ip,
        status}."""
        url = f"{self.endpoint}{PREFIX}tunnel-history?{urlencode({'region': region})}"
        return self._open(self._signed("GET", url))["changes"]

    def seed_client_vpn_connection(self, region: str, client_vpn_endpoint_id: str, common_name: str,
                                   username: str | None = None, client_ip: str | None = None,
                                   ingress_bytes: int = 0, egress_bytes: int = 0) -> str:
        """A user connecting to the endpoint: an active connection; its ID."""
        document = {"region": region, "client_vpn_endpoint_id": client_vpn_endpoint_id, "common_name": common_name,
                    "ingress_bytes": ingress_bytes, "egress_bytes": egress_bytes}
        document |= {k: v for k, v in (("username", username), ("client_ip", client_ip)) if v is not None}
        return self.post(PREFIX + "client-vpn-connection", document)["connection_id"]
