"""What a Site-to-Site VPN tunnel reports of itself: its VgwTelemetry and its endpoint maintenance.

The EC2 API reference (VgwTelemetry): Status is UP or DOWN, LastStatusChange the time of the last change,
AcceptedRouteCount and StatusMessage beside them. A tunnel no device has brought up is DOWN, as it is from its
creation; the emulator's control route (`/_vpn_emulator/tunnel-state`) stands in for the device.

Tunnel endpoint replacements, from the Site-to-Site VPN user guide ("Tunnel endpoint replacements", "Tunnel
endpoint lifecycle control") and the API reference (ReplaceVpnTunnel, MaintenanceDetails): while an endpoint is
replaced the tunnel is down; a tunnel that was UP comes back once the new endpoint is there (after
`replacement_seconds()`, 5 by default, settable through `/_vpn_emulator/replacement-seconds`). Pending
maintenance not applied by its MaintenanceAutoAppliedAfter time is applied then, by a replacement. What
happens with time is worked out when the tunnel is next looked at, at the time it happened.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_REPLACEMENT = {"seconds": 5.0}
STATUSES = ("UP", "DOWN")


def replacement_seconds() -> float:
    return _REPLACEMENT["seconds"]


def set_replacement_seconds(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("the replacement time can't be negative")
    _REPLACEMENT["seconds"] = float(seconds)


def now() -> datetime:
    return datetime.now(UTC)


def timestamp(moment: datetime) -> str:
    """EC2's timestamp form, to the millisecond."""
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


class Telemetry:
    """One tunnel's status, the replacement under way (if any) and its maintenance."""

    def __init__(self, created: datetime):
        self.status, self.message, self.routes = "DOWN", "", 0
        self.last_change = created
        self.returns_at: datetime | None = None  # when the replacement under way is done
        self.restore: tuple[str, str, int] | None = None  # what the tunnel was before it
        self.pending: tuple[str, datetime] | None = None  # (PendingMaintenance, MaintenanceAutoAppliedAfter)
        self.last_applied: datetime | None = None
        self.changes: list[tuple[datetime, str]] = []  # (when, status), every status set

    def _become(self, status: str, message: str, routes: int, when: datetime) -> None:
        self.status, self.message, self.routes, self.last_change = status, message, routes, when
        self.changes.append((when, status))

    def set(self, status: str, message: str, routes: int, when: datetime) -> None:
        """What the customer gateway device made of the tunnel; a replacement under way no longer decides it."""
        if status not in STATUSES:
            raise ValueError(f"status must be UP or DOWN, not {status!r}")
        self.settle(when)
        self.returns_at = self.restore = None
        self._become(status, message, int(routes), when)

    def replace(self, when: datetime, apply_maintenance: bool) -> None:
        """The tunnel's endpoint is replaced from `when`: DOWN until the new one is there, then as it was."""
        self.settle(when)
        if apply_maintenance and self.pending:
            self.pending, self.last_applied = None, when
        self._go_down_for_replacement(when)

    def _go_down_for_replacement(self, when: datetime) -> None:
        if self.restore is None:  # a second replacement while one is under way: back to what it was before both
            self.restore = (self.status, self.message, self.routes)
        self.returns_at = when + timedelta(seconds=replacement_seconds())
        self._become("DOWN", "", 0, when)

    def seed_maintenance(self, description: str, auto_applied_after: datetime) -> None:
        self.pending = (description, auto_applied_after)

    def settle(self, moment: datetime) -> None:
        """Applies what has happened by `moment`, in time order: replacements done, maintenance auto-applied."""
        while True:
            due = []
            if self.returns_at is not None and self.returns_at <= moment:
                due.append((self.returns_at, "back"))
            if self.pending is not None and self.pending[1] <= moment:
                due.append((self.pending[1], "maintenance"))
            if not due:
                return
            when, event = min(due)
            if event == "back":
                restored, self.returns_at, self.restore = self.restore, None, None
                self._become(*restored, when)
            else:
                self.pending, self.last_applied = None, when
                self._go_down_for_replacement(when)

    def describe(self, outside_ip: str) -> dict:
        """The VgwTelemetry entry (settle first)."""
        return {"AcceptedRouteCount": self.routes, "LastStatusChange": timestamp(self.last_change),
                "OutsideIpAddress": outside_ip, "Status": self.status, "StatusMessage": self.message}

    def maintenance_details(self) -> dict:
        """MaintenanceDetails, with only the members that have a value (settle first)."""
        out = {}
        if self.pending:
            out["PendingMaintenance"] = self.pending[0]
            out["MaintenanceAutoAppliedAfter"] = timestamp(self.pending[1])
        if self.last_applied:
            out["LastMaintenanceApplied"] = timestamp(self.last_applied)
        return out
