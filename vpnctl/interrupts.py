"""Ctrl-C and SIGTERM during a Terraform run: Terraform stops by itself, saves its state and
releases its lock, as it does when run by hand.

Terraform runs in a process group of its own, so a terminal's Ctrl-C reaches only vpnctl, which
passes it on. The first Ctrl-C asks Terraform to finish what is in flight and stop; a second one
is passed on too, and Terraform then exits at once (its own rule: "Two interrupts received").
SIGTERM (a cancelled CI job, a service manager) asks the same, but gives Terraform only
TERM_GRACE seconds before its whole process group is killed: whoever sends SIGTERM expects the
run gone within seconds, and that can cost the state of what was in flight. With no Terraform
running, either signal unwinds vpnctl (Interrupted), which stops the emulator on its way out.

The handler takes no lock: it runs between two bytecodes of the main thread, possibly inside
code that holds one. Handlers can only be installed in the main thread; elsewhere (tests running
Terraform in threads) `running` only records the process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager

TERM_GRACE = 6.0  # seconds; what is left of 10 goes to stopping the emulator
EXIT_STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}


class Interrupted(Exception):
    """The run was interrupted. `during`: the Terraform command that was running, if one was; `output`:
    what it printed; `forced`: it was stopped at once rather than by itself."""

    def __init__(self, signum: int, output: str = "", forced: bool = False, during: str | None = None):
        name = signal.Signals(signum).name
        super().__init__(f"interrupted by {name}")
        self.signum = signum
        self.output = output
        self.forced = forced
        self.during = during
        self.report = ""  # what the interrupted command says about the state it left

    @property
    def exit_status(self) -> int:
        return EXIT_STATUS.get(self.signum, 130)


class Forwarding:
    """The signals received while the handlers are installed, and the Terraform process to pass them to."""

    def __init__(self) -> None:
        self.received: list[int] = []
        self.forced = False
        self.installed = False
        self.notify = lambda text: None
        self._process: subprocess.Popen | None = None
        self._starting = False

    def _handle(self, signum: int, frame) -> None:
        self.received.append(signum)
        process = self._process
        if process is None:
            if self._starting:  # Popen is on its way: `running` passes it on once it has the process
                return
            self.received.clear()  # reported by this raise, not again by the next Terraform run
            raise Interrupted(signum)
        self._forward(process, signum)

    def _forward(self, process: subprocess.Popen, signum: int) -> None:
        if process.poll() is not None:
            return  # it has just exited; `interruption` reports the signal
        _signal_group(process, signal.SIGINT)
        if signum == signal.SIGTERM:
            deadline = threading.Timer(TERM_GRACE, self._force, args=(process,))
            deadline.daemon = True  # a Terraform that stopped in time must not keep vpnctl waiting
            deadline.start()
            self._say(f"SIGTERM: Terraform has {TERM_GRACE:.0f} s to stop and save its state")
        elif self.received.count(signal.SIGINT) == 1:
            self._say("Ctrl-C: Terraform finishes what is in flight, saves its state and stops "
                        "(Ctrl-C again stops it at once, at the risk of losing state)")
        else:
            self.forced = True
            self._say("Ctrl-C again: Terraform stops at once")

    def _say(self, text: str) -> None:
        """Said from another thread: the handler may have interrupted the display holding its own lock."""
        threading.Thread(target=self.notify, args=(text,), daemon=True).start()

    def _force(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            self.forced = True
            _signal_group(process, signal.SIGKILL)

    @contextmanager
    def starting(self) -> Iterator[None]:
        """Around starting a process: a signal meanwhile waits for `running` instead of unwinding, which
        would leave the new process (in a session of its own) running unseen."""
        self._starting = self.installed
        try:
            yield
        finally:
            self._starting = False

    @contextmanager
    def running(self, process: subprocess.Popen) -> Iterator[None]:
        if not self.installed:  # a thread of a test, or a library caller: nothing to pass on
            yield
            return
        self._process = process
        self._starting = False
        for signum in list(self.received):  # came while it was starting
            self._forward(process, signum)
        try:
            yield
        finally:
            self._process = None

    def interruption(self, output: str = "", during: str | None = None) -> Interrupted | None:
        """What to raise once the Terraform that ran has exited, if a signal came meanwhile."""
        if not self.installed or not self.received:
            return None
        received, self.received = self.received, []  # reported once: a later command runs normally
        interrupted = Interrupted(received[-1], output, self.forced, during)
        self.forced = False
        return interrupted


FORWARDING = Forwarding()


@contextmanager
def forwarded(notify=None) -> Iterator[Forwarding]:
    """SIGINT and SIGTERM handled as the module says, for the duration; the main thread only."""
    if threading.current_thread() is not threading.main_thread():
        yield FORWARDING
        return
    previous = {signum: signal.signal(signum, FORWARDING._handle) for signum in (signal.SIGINT, signal.SIGTERM)}
    FORWARDING.notify = notify or (lambda text: None)
    FORWARDING.installed = True
    try:
        yield FORWARDING
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        FORWARDING.installed = False
        FORWARDING.received = []
        FORWARDING.forced = False


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass
