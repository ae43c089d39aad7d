"""One Terraform run per environment per checkout.

Two runs of one environment in one checkout share its synthesized folder, its `.terraform`
folder and its log, and a plan saved by one would be applied by the other. The second run is
refused at once, before it writes anything, with who holds the environment. The lock is an OS
file lock (flock), so it is released when the holder exits, however it exits.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path


class CheckoutBusy(RuntimeError):
    """Another vpnctl run holds one of the environments in this checkout."""


@contextmanager
def holding(build: Path, environments: list[str], command: str) -> Iterator[None]:
    """Holds `environments` for this process until the block ends; raises CheckoutBusy if one is held."""
    folder = build.resolve() / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        for name in sorted(set(environments)):
            stack.enter_context(_hold(folder / f"{name}.lock", name, command))
        yield


@contextmanager
def _hold(path: Path, name: str, command: str) -> Iterator[None]:
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(handle, 512, 0).decode(errors="replace").strip() or "another process"
            raise CheckoutBusy(
                f"{name}: {holder} holds this environment in this checkout ({path}); wait for it to finish "
                "or stop it: two runs would share its Terraform folder and plan files"
            ) from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"vpnctl {command} (pid {os.getpid()}, since {time.strftime('%H:%M:%S')})".encode(), 0)
        yield
    finally:
        os.close(handle)
