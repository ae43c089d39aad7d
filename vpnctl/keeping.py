"""`vpnctl deploy ENV --local --keep`: the local AWS stays up after a successful deploy, for the day-2
commands' `--local` (`status`, `offboard`, `maintenance`), until Ctrl-C or SIGTERM.

The emulator is started here rather than by the runner, so that it outlives the deploy's own frame: the
checkout lock and the Terraform signal forwarding end with the deploy, and a day-2 command may then run
on the same stack folder. While it holds, a Ctrl-C is the way to stop, not an interrupted run: the
handlers here replace the deploy's, and the wait ends at once on a signal or on the emulator's exit
(a pidfd and the signal wakeup fd in one poll), never on a timer.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from vpnctl import kept_emulator
from vpnctl.emulator_process import LocalAws
from vpnctl.exit_status import EXIT_FAILED

STOPPING = (signal.SIGINT, signal.SIGTERM)


class _Stop(Exception):
    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def deploy_and_keep(build: Path, environment, deploy: Callable[[LocalAws], int]) -> int:
    """Starts the emulator, runs `deploy` on it, and once that succeeds holds it (see `hold`); stops it
    however this ends."""
    log = build.resolve() / f"emulator-{environment.name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    aws = LocalAws(environment.config.account_id, log_file=log)
    try:
        aws.start()
        status = deploy(aws)
        return hold(build, environment.name, aws) if status == 0 else status
    finally:
        aws.stop()


def hold(build: Path, environment: str, aws: LocalAws) -> int:
    """Records the emulator (kept_emulator.write, mode 0600), says where it listens, and waits for SIGINT or
    SIGTERM (exit 0) or the emulator's death (its log's end, exit 1); the record is removed either way."""
    with _stop_signals() as woken:
        try:
            record = kept_emulator.write(build, environment, aws)
            print(f"{environment}: the local AWS stays up on {aws.endpoint} (pid {aws.pid}; {record}): "
                  f"`vpnctl status|offboard|maintenance {environment} --local` reach it; Ctrl-C stops it",
                  flush=True)
            _wait_for_exit(aws, woken)
            stopped_by = None
        except _Stop as stop:
            stopped_by = stop.signum
        finally:
            kept_emulator.remove(build, environment)
    if stopped_by is None:
        print(f"vpnctl deploy: {aws.exit_report('while it was kept')}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{environment}: {signal.Signals(stopped_by).name}: stopping the local AWS", file=sys.stderr, flush=True)
    return 0


@contextlib.contextmanager
def _stop_signals() -> Iterator[int]:
    """SIGINT and SIGTERM raise _Stop (the first one only: the way out must not be interrupted again);
    yields the read end of the signal wakeup pipe, readable once a signal came, whichever thread took it."""
    received: list[int] = []

    def handler(signum, frame) -> None:
        if not received:
            received.append(signum)
            raise _Stop(signum)

    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    os.set_blocking(write_end, False)
    previous = {signum: signal.signal(signum, handler) for signum in STOPPING}
    previous_fd = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    try:
        yield read_end
    finally:
        signal.set_wakeup_fd(previous_fd)
        for signum, old in previous.items():
            signal.signal(signum, old)
        os.close(read_end)
        os.close(write_end)


def _wait_for_exit(aws: LocalAws, woken: int) -> None:
    """Returns once the emulator has exited; a signal's handler raises meanwhile."""
    try:
        process = os.pidfd_open(aws.pid)
    except ProcessLookupError:  # gone and reaped already
        return
    try:
        poller = select.poll()
        poller.register(process, select.POLLIN)
        poller.register(woken, select.POLLIN)
        while aws.running:
            poller.poll()  # a signal's handler runs when this returns, and raises
            with contextlib.suppress(BlockingIOError):
                os.read(woken, 512)
    finally:
        os.close(process)
