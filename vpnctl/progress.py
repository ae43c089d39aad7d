"""What a long vpnctl command shows while it works, so that a slow apply is never mistaken for a hung one.

On a terminal: a display redrawn in place (rich), with each resource in flight, its elapsed
time and, for a wait we know the length of, a countdown. In a pipe or CI: plain lines, each
resource as it starts and finishes, and a status line whenever nothing else was printed for
HEARTBEAT seconds. Progress goes to stderr; results stay on stdout.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Self, TextIO

from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from vpnctl.terraform_ui import Event, RunState, parse

HEARTBEAT = 10.0  # under the 15 s we promise, with room for a busy machine
MARKS = {"done": "✓", "failed": "✗", "started": "…", "summary": "=", "warning": "!", "error": "✗",
         "provisioner": "…", "note": " "}
STYLES = {"done": "green", "failed": "bold red", "error": "bold red", "warning": "yellow", "summary": "bold"}


class Progress:
    """One command's progress display; use as a context manager around the command's work."""

    def __init__(self, stream: TextIO | None = None, live: bool | None = None, heartbeat: float = HEARTBEAT):
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.heartbeat = heartbeat
        self.console = Console(file=self.stream, force_terminal=self.live, no_color=not self.live,
                               highlight=False, soft_wrap=not self.live)
        self._lock = threading.RLock()
        self._started = time.monotonic()
        self._last_line = self._started
        self._label = ""
        self._activity: tuple[str, float] | None = None
        self._run: RunState | None = None
        self._display: Live | None = None
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __enter__(self) -> Self:
        if self.live:
            # Results printed on the same terminal go above the display; to a file or pipe, they stay there.
            self._display = Live(get_renderable=self._render, console=self.console, refresh_per_second=4,
                                 transient=True, redirect_stdout=sys.stdout.isatty(), redirect_stderr=False)
            self._display.start()
        else:
            self._ticker = threading.Thread(target=self._tick, name="progress-heartbeat", daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._display is not None:
            self._display.stop()
        if self._ticker is not None:
            self._ticker.join()

    # ---- what the command tells it ----------------------------------------------------

    def say(self, text: str, kind: str = "note") -> None:
        """A line of its own, above the live display or in the plain stream.

        Printed outside this object's lock: the display's refresh thread holds rich's lock while it asks
        for the state under ours, so holding ours while waiting for rich's would deadlock."""
        with self._lock:
            self._last_line = time.monotonic()
            clock = _clock(self._last_line - self._started)
            label = f"{self._label}: " if self._label else ""
        self.console.print(Text(f"{clock} {MARKS.get(kind, ' ')} {label}{text}", style=STYLES.get(kind, "")))

    @contextmanager
    def step(self, label: str, what: str, announce: bool = True) -> Iterator[None]:
        """`what` (e.g. "synthesizing") is under way for environment `label`; a line says so (if `announce`),
        and so does the heartbeat while it lasts."""
        with self._lock:
            before = self._label, self._activity
            self._label, self._activity = label, (what, time.monotonic())
        if announce:
            self.say(what, "started")
        try:
            yield
        finally:
            with self._lock:
                self._label, self._activity = before

    @contextmanager
    def terraform(self, label: str, state: RunState) -> Iterator[TerraformFeed]:
        """A Terraform command's JSON UI, fed line by line to `state` and shown as it goes."""
        with self._lock:
            before = self._label, self._run
            self._label, self._run = label, state
        try:
            yield TerraformFeed(self, state)
        finally:
            with self._lock:
                self._label, self._run = before

    @contextmanager
    def paused(self) -> Iterator[None]:
        """The live display off, for a question on the terminal."""
        if self._display is None:
            yield
            return
        self._display.stop()
        try:
            yield
        finally:
            self._display.start()

    # ---- status ------------------------------------------------------------------------

    def status(self) -> str:
        """One line: what is under way, for how long, and what Terraform is waiting on."""
        with self._lock:
            now = time.monotonic()
            if self._run is not None:
                return self._run_status(self._run)
            if self._activity is not None:
                what, since = self._activity
                return f"still {what} ({_clock(now - since).strip()})"
            return "working"

    @staticmethod
    def _run_status(run: RunState) -> str:
        waiting = run.waiting_on()
        if run.operation == "plan" and not waiting:
            return f"plan: {run.refreshed} resources read from AWS so far, planning"
        return f"{run.operation} {run.count()} " + ("; ".join(waiting) if waiting else "working")

    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            with self._lock:
                quiet = time.monotonic() - self._last_line >= self.heartbeat
            if quiet:
                self.say(self.status(), "note")

    def _render(self) -> Group:
        """The display: a header line, then per resource in flight its action, address and time, and for a
        wait we know the length of, a bar and what is left. The state is copied under the lock, drawn
        without it."""
        with self._lock:
            now = time.monotonic()
            label = f"{self._label}: " if self._label else ""
            run = self._run
            items = sorted(run.in_flight.values(), key=lambda i: i.started) if run is not None else []
            if run is None or (run.operation == "plan" and not items):
                head = self.status()
            else:
                head = f"{run.operation} {run.count()} · {len(items)} in flight"
        lines: list = [Text(f"{_clock(now - self._started)}   {label}{head}", style="bold cyan")]
        for item in items:
            lines.append(Text(f"   {item.action:7} {item.address}  {_clock(item.elapsed(now)).strip()}"))
            wait = item.known_wait(now)
            if wait is not None:
                total = item.elapsed(now) + wait[0]
                bar = Table.grid(padding=(0, 1))
                bar.add_row(Text("          "), ProgressBar(total=total, completed=item.elapsed(now), width=30),
                            Text(f"{_clock(wait[0]).strip()} left of {wait[1]}", style="dim"))
                lines.append(bar)
        return Group(*lines)


class TerraformFeed:
    """Takes Terraform's stdout lines; returns each parsed message for the caller's log."""

    def __init__(self, progress: Progress, state: RunState):
        self.progress = progress
        self.state = state

    def line(self, line: str) -> dict | None:
        message = parse(line)
        if message is None:
            return None
        with self.progress._lock:
            events = self.state.feed(message)
        for event in events:
            if event.kind == "started" and self.progress.live:
                continue  # the live display shows what is in flight
            self.progress.say(event.text, event.kind)
        return message


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60:2d}:{seconds % 60:02d}"


__all__ = ["Event", "Progress", "TerraformFeed"]
