"""Runs the test pipelines (applies, plans, end-to-end commands) in background threads.

The provider sleeps a fixed 4 minutes after creating or deleting each Client VPN
subnet association, so a pipeline mostly waits, it doesn't compute: pipelines
run side by side while the other tests run, and a test reads what a pipeline
recorded with `result(name)`. Which pipelines run is decided from the tests
selected (conftest), so `pytest -k` starts only what it needs.

Every wait here is for an event: a pipeline ends, a milestone is reached, a
process exits. While a test waits, a line every 15 s says for what. Each step
is timed, and the timeline is printed at the end of the run.

`close()` stops the run: it kills the emulators (whose watchers stop the
Terraform runs on them) and every process a pipeline started, then shuts the
pool down, so nothing outlives the session.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.processes import kill_tree
from vpnctl.emulator_process import LocalAws
from vpnctl.terraform import TerraformError

PROGRESS_EVERY = 15.0
WHOLE = "the whole pipeline"


class PipelineError(RuntimeError):
    """A pipeline's Terraform run failed; the message ends with what Terraform printed."""


@dataclass
class Step:
    pipeline: str
    what: str
    started: float
    ended: float | None = None
    failed: bool = False


class Runner:
    """A pool of pipelines, their milestones, and the steps they took."""

    def __init__(self, base: Path, progress: Callable[[str], None] = print, workers: int = 12):
        self.base = base
        base.mkdir(parents=True, exist_ok=True)
        self.progress = progress
        self.origin = time.monotonic()
        self.futures: dict[str, Future] = {}
        self.steps: list[Step] = []
        self._emulators: list[LocalAws] = []
        self._processes: list[subprocess.Popen] = []
        self._lock = threading.Lock()
        self._closed = False
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pipeline")

    # ---- starting and reading ----------------------------------------------------

    def submit(self, name: str, pipeline: Callable, *args) -> Future:
        run = Run(self, name)
        with self._lock:
            if self._closed:
                raise RuntimeError("the test run is over")
            self.futures[name] = self._pool.submit(run.main, pipeline, *args)
            return self.futures[name]

    def milestone(self, name: str) -> Future:
        with self._lock:
            return self.futures.setdefault(name, Future())

    def result(self, name: str, quiet: bool = False):
        """What pipeline `name`, or milestone `pipeline:milestone`, returned; re-raises what failed it."""
        pipeline = name.split(":")[0]
        if pipeline not in self.futures:
            raise KeyError(f"pipeline {pipeline} was not started: mark the test @pytest.mark.pipeline({name!r})")
        waited = [self.milestone(name)] if ":" in name else []
        waited.append(self.futures[pipeline])
        started = time.monotonic()
        while not wait(waited, timeout=PROGRESS_EVERY, return_when=FIRST_COMPLETED)[0]:
            if not quiet:
                self.progress(f"waiting for {name} ({time.monotonic() - started:.0f} s): {self.doing(name)}")
        if waited[0].done():
            return waited[0].result()
        waited[-1].result()  # the pipeline failed: its error
        raise RuntimeError(f"pipeline {pipeline} ended without reaching {name}")

    def after(self, milestones: list[str]) -> None:
        """Returns once each milestone is reached or its pipeline has ended, however it ended."""
        for name in milestones:
            if name.split(":")[0] in self.futures:
                with contextlib.suppress(Exception):  # a failed pipeline is its own tests' business
                    self.result(name, quiet=True)

    def doing(self, name: str) -> str:
        pipeline = name.split(":")[0]
        running = [s for s in self.steps if s.pipeline == pipeline and s.ended is None and s.what != WHOLE]
        now = time.monotonic()
        return "; ".join(f"{s.what} for {now - s.started:.0f} s" for s in running) or "starting"

    # ---- stopping --------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._closed = True
            emulators, processes = list(self._emulators), list(self._processes)
            futures = list(self.futures.values())
        for future in futures:
            future.cancel()
        for process in processes:
            if process.poll() is None:
                kill_tree(process.pid)
        for aws in emulators:
            if aws.running:  # its watcher stops the Terraform runs on it
                kill_tree(aws.pid)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def track_emulator(self, aws: LocalAws) -> None:
        """Once started: if the run closed meanwhile, the emulator is stopped here and the pipeline ends."""
        with self._lock:
            closed = self._closed
            self._emulators.append(aws)
        if closed:
            aws.stop()
            raise RuntimeError("the test run is over")

    def track_process(self, process: subprocess.Popen) -> None:
        with self._lock:
            self._processes.append(process)
            closed = self._closed
        if closed:
            kill_tree(process.pid)

    def timeline(self) -> list[str]:
        """One line per step: pipeline, step, start and end in seconds from the start of the run."""
        lines = []
        for step in sorted(self.steps, key=lambda s: (s.pipeline, s.started)):
            end = f"{step.ended - self.origin:6.0f}" if step.ended else "     -"
            took = f"{step.ended - step.started:5.0f} s" if step.ended else "  unfinished"
            mark = "  FAILED" if step.failed else ""
            lines.append(f"{step.pipeline:<12} {step.started - self.origin:6.0f} {end}  {took}  {step.what}{mark}")
        return lines


class Run:
    """What one pipeline is given: timed steps, emulators and processes the runner can stop, milestones."""

    def __init__(self, runner: Runner, name: str):
        self.runner = runner
        self.name = name
        self.base = runner.base / name

    def main(self, pipeline: Callable, *args):
        self.base.mkdir(parents=True, exist_ok=True)
        try:
            with self.step(WHOLE):
                return pipeline(self, *args)
        except TerraformError as exc:  # what Terraform said, in the report of every test that reads this
            raise PipelineError(f"pipeline {self.name}: {exc}:\n{exc.output[-6000:]}") from exc

    @contextmanager
    def step(self, what: str) -> Iterator[None]:
        step = Step(self.name, what, time.monotonic())
        self.runner.steps.append(step)
        try:
            yield
        except BaseException:
            step.failed = True
            raise
        finally:
            step.ended = time.monotonic()

    def reached(self, milestone: str, value) -> None:
        future = self.runner.milestone(f"{self.name}:{milestone}")
        if not future.done():
            future.set_result(value)

    @contextmanager
    def sleeping_once_associated(self, aws: LocalAws, region: str) -> Iterator[None]:
        """Marks the milestone "sleeping" once a Client VPN association exists: from then on the provider
        sleeps its fixed 4 minutes, and this pipeline needs no CPU for a while (see Runner.after)."""
        done = threading.Event()

        def watch() -> None:
            ec2 = aws.client("ec2", region)
            while not done.wait(1.0) and aws.running:
                with contextlib.suppress(Exception):  # a slow answer under load: ask again
                    endpoints = ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"]
                    if any(ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=e["ClientVpnEndpointId"])[
                            "ClientVpnTargetNetworks"] for e in endpoints):
                        self.reached("sleeping", True)
                        return

        watcher = threading.Thread(target=watch, name=f"{self.name}-sleeping", daemon=True)
        watcher.start()
        try:
            yield
        finally:
            done.set()
            watcher.join()
            self.reached("sleeping", False)  # the apply ended without a sleep: nobody waits on it

    @contextmanager
    def emulator(self, account_id: str, label: str) -> Iterator[LocalAws]:
        aws = LocalAws(account_id, log_file=self.base / f"emulator-{label}.log", progress=lambda _: None)
        with self.step(f"start the emulator ({label})"):
            aws.start()
        self.runner.track_emulator(aws)
        try:
            yield aws
        finally:
            aws.stop()

    def command(self, command: list[str], *, env: dict | None = None, cwd: Path | None = None,
                aws: LocalAws | None = None, merge: bool = True) -> subprocess.CompletedProcess:
        """Runs `command` to its end, its output captured (stderr into stdout, unless not `merge`); the
        runner can stop it, and so can `aws` dying."""
        stderr = subprocess.STDOUT if merge else subprocess.PIPE
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True,
                                   start_new_session=True)
        self.runner.track_process(process)
        if aws is None:
            output, errors = process.communicate()
        else:
            with aws.watch(process):
                output, errors = process.communicate()
            if process.returncode != 0:
                aws.check()
        return subprocess.CompletedProcess(command, process.returncode, output, errors or "")

def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "CHECKPOINT_DISABLE": "1", "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", **extra}
