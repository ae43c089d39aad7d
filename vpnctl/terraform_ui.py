"""Terraform's machine-readable UI (`plan|apply|destroy -json`), one JSON message per line, read
into what a progress display needs: which resources are in flight, for how long, and how many of
the planned changes are done.

The messages are Terraform's documented `-json` UI (`apply_start`, `apply_progress`,
`apply_complete`, `apply_errored`, `refresh_*`, `planned_change`, `change_summary`,
`diagnostic`, ...). Output values are never kept: a sensitive one would be in clear.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# Waits whose length we know, by (resource type, action): the display counts them down so that nobody
# kills a healthy apply. Provider 5.100.0 sleeps 4 minutes after each subnet association's create and
# delete (ClientVPNNetworkAssociationCreatedDelay / ...DeletedDelay) before its first status check.
KNOWN_WAITS: dict[tuple[str, str], tuple[float, str]] = {
    ("aws_ec2_client_vpn_network_association", "create"):
        (240.0, "the AWS provider's fixed 4-minute wait after associating a subnet"),
    ("aws_ec2_client_vpn_network_association", "delete"):
        (240.0, "the AWS provider's fixed 4-minute wait after disassociating a subnet"),
}
PAST = {"create": "created", "update": "updated", "delete": "destroyed", "read": "read", "noop": "unchanged"}
COUNTED = ("create", "update", "delete")  # what a plan's totals count; data source reads are not changes
ING = {"create": "creating", "update": "updating", "delete": "destroying", "read": "reading"}


def operations(actions: list[str]) -> list[str]:
    """The hook actions Terraform runs for a plan's action list: a replacement is a delete and a create."""
    return [a for a in actions if a in COUNTED]


@dataclass
class InFlight:
    address: str
    resource_type: str
    action: str
    started: float

    def elapsed(self, now: float) -> float:
        return now - self.started

    def known_wait(self, now: float) -> tuple[float, str] | None:
        """(seconds left, what for) while the provider sits in a wait we know the length of."""
        wait = KNOWN_WAITS.get((self.resource_type, self.action))
        if wait is None:
            return None
        return max(0.0, wait[0] - self.elapsed(now)), wait[1]


@dataclass
class Event:
    """Something a display prints as one line: a resource finished or failed, a plan summary, a warning."""

    kind: str  # "done", "failed", "started", "summary", "warning", "error", "provisioner"
    text: str


@dataclass
class RunState:
    """One Terraform command's progress, fed message by message."""

    operation: str
    expected: int = 0  # resource operations planned (a replacement counts twice), from the saved plan
    done: int = 0
    refreshed: int = 0
    in_flight: dict[str, InFlight] = field(default_factory=dict)
    planned: dict[str, str] = field(default_factory=dict)
    clock: Callable[[], float] = time.monotonic

    def expect(self, plan: dict) -> None:
        """Totals from a plan (`terraform show -json`), for an apply of that plan."""
        self.expected = sum(
            len(operations(change["change"]["actions"])) for change in plan.get("resource_changes", [])
        )

    def feed(self, message: dict) -> list[Event]:
        kind = message.get("type", "")
        handler = getattr(self, "_on_" + kind, None)
        return handler(message) if handler else []

    def _resource(self, message: dict) -> tuple[str, str, str]:
        hook = message.get("hook", {})
        resource = hook.get("resource", {})
        return resource.get("addr", "?"), resource.get("resource_type", ""), hook.get("action", "")

    def _on_apply_start(self, message: dict) -> list[Event]:
        address, resource_type, action = self._resource(message)
        self.in_flight[address] = InFlight(address, resource_type, action, self.clock())
        wait = KNOWN_WAITS.get((resource_type, action))
        note = f"; then {wait[1]}" if wait else ""
        return [Event("started", f"{ING.get(action, action)} {address}{note}")]

    def _on_apply_complete(self, message: dict) -> list[Event]:
        address, _, action = self._resource(message)
        seconds = message.get("hook", {}).get("elapsed_seconds", 0)
        self.in_flight.pop(address, None)
        if action in COUNTED:
            self.done += 1
        return [Event("done", f"{PAST.get(action, action)} {address} in {_duration(seconds)} {self.count()}")]

    def _on_apply_errored(self, message: dict) -> list[Event]:
        address, _, action = self._resource(message)
        seconds = message.get("hook", {}).get("elapsed_seconds", 0)
        self.in_flight.pop(address, None)
        return [Event("failed", f"{ING.get(action, action)} {address} failed after {_duration(seconds)}")]

    def _on_provision_start(self, message: dict) -> list[Event]:
        address = message.get("hook", {}).get("resource", {}).get("addr", "?")
        return [Event("provisioner", f"running the {message['hook'].get('provisioner', '')} provisioner of {address}")]

    def _on_refresh_complete(self, message: dict) -> list[Event]:
        self.refreshed += 1
        return []

    def _on_planned_change(self, message: dict) -> list[Event]:
        """Terraform announces each change before it applies (also for `destroy` and an apply without a
        saved plan): the total when no saved plan gave one."""
        change = message.get("change", {})
        address = change.get("resource", {}).get("addr", "?")
        self.planned[address] = change.get("action", "")
        return []

    def total(self) -> int:
        if self.expected:
            return self.expected
        return sum(2 if action == "replace" else 1 for action in self.planned.values() if action in (*COUNTED,
                                                                                                       "replace"))

    def _on_change_summary(self, message: dict) -> list[Event]:
        changes = message.get("changes", {})
        if changes.get("operation") == "plan":
            words = f"{changes.get('add', 0)} to add, {changes.get('change', 0)} to change, " \
                    f"{changes.get('remove', 0)} to destroy"
        else:
            words = f"{changes.get('add', 0)} added, {changes.get('change', 0)} changed, " \
                    f"{changes.get('remove', 0)} destroyed"
        return [Event("summary", f"{changes.get('operation', self.operation)}: {words}")]

    def _on_diagnostic(self, message: dict) -> list[Event]:
        diagnostic = message.get("diagnostic", {})
        severity = diagnostic.get("severity", "error")
        where = f" ({diagnostic['address']})" if diagnostic.get("address") else ""
        return [Event(severity if severity in ("warning", "error") else "error",
                      f"{severity}: {diagnostic.get('summary', '')}{where}")]

    def count(self) -> str:
        total = self.total()
        return f"[{self.done}/{total}]" if total else f"[{self.done}]"

    def waiting_on(self) -> list[str]:
        """The resources in flight, longest first, each with its elapsed time and any known wait's countdown."""
        now = self.clock()
        parts = []
        for item in sorted(self.in_flight.values(), key=lambda i: i.started):
            text = f"{ING.get(item.action, item.action)} {item.address} ({_duration(item.elapsed(now))}"
            wait = item.known_wait(now)
            if wait is not None:
                left, what = wait
                text += f"; {what}: {_duration(left)} left" if left > 0 else f"; {what} is over, checking the status"
            parts.append(text + ")")
        return parts


def parse(line: str) -> dict | None:
    """One UI line as a message; None for anything else (Terraform may print plain text to stdout)."""
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        message = json.loads(line)
    except json.JSONDecodeError:
        return None
    return message if isinstance(message, dict) else None


def readable(message: dict) -> str:
    """A message as the log and an error report show it: Terraform's own words, diagnostics in full."""
    if message.get("type") == "outputs":
        return "(output values not logged)"
    text = message.get("@message", "")
    diagnostic = message.get("diagnostic")
    if diagnostic:
        text = f"{diagnostic.get('severity', 'error').capitalize()}: {diagnostic.get('summary', '')}"
        if diagnostic.get("address"):
            text += f"\n  with {diagnostic['address']}"
        snippet = diagnostic.get("snippet") or {}
        where = diagnostic.get("range") or {}
        if where.get("filename"):
            text += f"\n  on {where['filename']} line {where.get('start', {}).get('line', '?')}"
            if snippet.get("code"):
                text += f":\n  {snippet['code'].strip()}"
        if diagnostic.get("detail"):
            text += "\n\n" + diagnostic["detail"]
    return text


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"
