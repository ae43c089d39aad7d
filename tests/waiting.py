"""Waiting for what a process says or does, never for a guessed number of seconds."""

from __future__ import annotations

import time
from collections.abc import Callable

# No outcome in this long is a hang, not a slow start: what the tests wait for (a handshake, an IKE
# negotiation on loopback) settles in seconds even on a busy machine, and a failure says so itself.
HANG_GUARD = 600.0


def wait_until(condition: Callable[[], object], what: str, *, failed: Callable[[], str | None] | None = None):
    """Until `condition()` holds, returning its value. Fails at once when `failed()` names a reason (a
    process exited, a log line says the negotiation failed); only the hang guard ends it otherwise."""
    started = time.monotonic()
    while not (value := condition()):
        problem = failed() if failed else None
        if problem:
            raise AssertionError(f"waiting for {what}: {problem}")
        if time.monotonic() - started > HANG_GUARD:
            raise AssertionError(f"no outcome after {HANG_GUARD:.0f} s waiting for {what}: a hang")
        time.sleep(0.1)
    return value
