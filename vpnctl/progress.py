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
from dataclasses import dataclass
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


@dataclass
class Track:
    """What one thread of the command is doing (environments run in threads of their own: vpnctl/runner.py):
    whose work it is, the step under way, and the Terraform run it shows."""

    label: str = ""
    activity: tuple[str, float] | None = None
    run: RunState | None = None


class Progress:
    """One command's progress display; use as a context manager around the command's work. Each thread's
    lines carry its own environment's name, and the status and display show every environment under way."""

    def __init__(self, stream: TextIO | None = None, live: bool | None = None, heartbeat: float = HEARTBEAT):
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.heartbeat = heartbeat
        self.console = Console(file=self.stream, force_terminal=self.live, no_color=not self.live,
                               highlight=False, soft_wrap=not self.live)
        self._lock = threading.RLock()
        self._started = time.monotonic()
        self._last_line = self._started
        self._tracks: dict[int, Track] = {}
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

    def _track(self) -> Track:
        """The calling thread's track (under the lock)."""
        return self._tracks.setdefault(threading.get_ident(), Track())

    def say(self, text: str, kind: str = "note", label: str | None = None) -> None:
        """A line of its own, above the live display or in the plain stream, named for the calling thread's
        environment (or `label`).

        Printed outside this object's lock: the display's refresh thread holds rich's lock while it asks
        for the state under ours, so holding ours while waiting for rich's would deadlock."""
        with self._lock:
            self._last_line = time.monotonic()
            clock = _clock(self._last_line - self._started)
            label = self._track().label if label is None else label
        label = f"{label}: " if label else ""
        self.console.print(Text(f"{clock} {MARKS.get(kind, ' ')} {label}{text}", style=STYLES.get(kind, "")))

    @contextmanager
    def step(self, label: str, what: str, announce: bool = True) -> Iterator[None]:
        """`what` (e.g. "synthesizing") is under way for environment `label`; a line says so (if `announce`),
        and so does the heartbeat while it lasts."""
        with self._lock:
            track = self._track()
            before = track.label, track.activity
            track.label, track.activity = label, (what, time.monotonic())
        if announce:
            self.say(what, "started")
        try:
            yield
        finally:
            with self._lock:
                track.label, track.activity = before

    @contextmanager
    def terraform(self, label: str, state: RunState) -> Iterator[TerraformFeed]:
        """A Terraform command's JSON UI, fed line by line to `state` and shown as it goes."""
        with self._lock:
            track = self._track()
            before = track.label, track.run
            track.label, track.run = label, state
        try:
            yield TerraformFeed(self, state, label)
        finally:
            with self._lock:
                track.label, track.run = before

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
        """One line: what is under way, for how long, and what Terraform is waiting on; for each environment
        under way when several are."""
        return self._heartbeat()[1]

    def _heartbeat(self) -> tuple[str, str]:
        """(the label, the status): one environment's under its name; several on one line, each named."""
        with self._lock:
            busy = [t for t in self._tracks.values() if t.run is not None or t.activity is not None]
            if not busy:
                return "", "working"
            if len(busy) == 1:
                return busy[0].label, self._track_status(busy[0])
            return "", "; ".join(f"{t.label or 'all'}: {self._track_status(t)}" for t in busy)

    def _track_status(self, track: Track) -> str:
        if track.run is not None:
            return self._run_status(track.run)
        what, since = track.activity
        return f"still {what} ({_clock(time.monotonic() - since).strip()})"

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
                label, status = self._heartbeat()
                self.say(status, "note", label)

    def _render(self) -> Group:
        """The display: per environment under way a header line, then per resource in flight its action,
        address and time, and for a wait we know the length of, a bar and what is left. The state is copied
        under the lock, drawn without it."""
        with self._lock:
            now = time.monotonic()
            busy = [(t.label, t.run, self._track_status(t)) for t in self._tracks.values()
                    if t.run is not None or t.activity is not None] or [("", None, "working")]
            views = [(label, run, status, sorted(run.in_flight.values(), key=lambda i: i.started) if run else [])
                     for label, run, status in busy]
        lines: list = []
        for label, run, status, items in views:
            head = status if run is None or (run.operation == "plan" and not items) else \
                f"{run.operation} {run.count()} · {len(items)} in flight"
            lines.append(Text(f"{_clock(now - self._started)}   {label + ': ' if label else ''}{head}",
                              style="bold cyan"))
            lines += self._render_items(items, now)
        return Group(*lines)

    @staticmethod
    def _render_items(items: list, now: float) -> list:
        lines: list = []
        for item in items:
            lines.append(Text(f"   {item.action:7} {item.address}  {_clock(item.elapsed(now)).strip()}"))
            wait = item.known_wait(now)
            if wait is not None:
                total = item.elapsed(now) + wait[0]
                bar = Table.grid(padding=(0, 1))
                bar.add_row(Text("          "), ProgressBar(total=total, completed=item.elapsed(now), width=30),
                            Text(f"{_clock(wait[0]).strip()} left of {wait[1]}", style="dim"))
                lines.append(bar)
        return lines


class TerraformFeed:
    """Takes Terraform's stdout lines; returns each parsed message for the caller's log."""

    def __init__(self, progress: Progress, state: RunState, label: str = ""):
        self.progress = progress
        self.state = state
        self.label = label

    def line(self, line: str) -> dict | None:
        message = parse(line)
        if message is None:
            return None
        with self.progress._lock:
            events = self.state.feed(message)
        for event in events:
            if event.kind == "started" and self.progress.live:
                continue  # the live display shows what is in flight
            self.progress.say(event.text, event.kind, self.label)
        return message


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60:2d}:{seconds % 60:02d}"


__all__ = ["Event", "Progress", "TerraformFeed"]
