"""One run per environment per output folder (a checkout's `cdktf.out`).

Two runs of one environment with one output folder share its synthesized `cdk.tf.json` and its
`.terraform` folder: a synth would rewrite the stack under a running apply, and two inits would
race. So every command that writes an environment's stack (synth, policy, plan, review, deploy)
holds it, and a second one is refused at once, before it writes anything, with who holds it. The
lock is an OS file lock (flock), released when the holder exits, however it exits.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

LOCKS = ".vpnctl-locks"


class CheckoutBusy(RuntimeError):
    """Another vpnctl run holds one of the environments in this checkout."""


@contextmanager
def holding(outdir: Path, environments: list[str], command: str) -> Iterator[None]:
    """Holds `environments` of output folder `outdir` until the block ends; raises CheckoutBusy if one is held."""
    folder = outdir.resolve() / LOCKS
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
                f"{name}: {holder} holds this environment's stack ({path}); wait for it to finish or stop it: "
                "two runs would share its synthesized JSON and Terraform folder"
            ) from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"vpnctl {command} (pid {os.getpid()}, since {time.strftime('%H:%M:%S')})".encode(), 0)
        yield
    finally:
        os.close(handle)
