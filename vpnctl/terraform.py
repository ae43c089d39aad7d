"""Runs the real Terraform on a synthesized stack, with this project's CLI config (vpnctl/terraform_config.py)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vpnctl.interrupts import FORWARDING
from vpnctl.state_files import left_behind
from vpnctl.terraform_ui import RunState, readable

# Terraform's child processes create files for this user only: state and plan files hold secrets.
PRIVATE_UMASK = 0o077
# Go's garbage collector, for Terraform and the provider it starts, unless the user sets GOGC: at 400 rather
# than Go's 100, a 200-site plan took 15 % less CPU (20-23 against 25-31 CPU-seconds) for a peak of 750 MB
# rather than 390 (docs/performance.md).
TERRAFORM_GOGC = "400"


class TerraformError(RuntimeError):
    """A Terraform command failed; `output` holds what it printed."""

    def __init__(self, command: list[str], returncode: int, output: str, log_file: Path | None = None):
        super().__init__(f"terraform {' '.join(command)} failed with exit status {returncode}")
        self.command = command
        self.returncode = returncode
        self.output = output
        self.log_file = log_file


@dataclass
class Terraform:
    """Terraform in one stack's folder, with this project's CLI config and extra environment.

    With `progress`, plan, apply and destroy run with Terraform's `-json` UI and are shown as
    they go; with `log_file`, every command's words (never `show` or `output`, which print
    secrets) are appended to it. With `emulator` (a LocalAws), each run is watched: should the
    emulator die, Terraform is stopped at once and the run raises EmulatorExited with the end
    of the emulator's log, rather than waiting out the provider's retries and sleeps.
    Terraform always runs in a process group of its own; vpnctl.interrupts passes Ctrl-C on.
    """

    workdir: Path
    cli_config: Path
    env: dict[str, str] = field(default_factory=dict)
    binary: str = "terraform"
    emulator: Any = None
    progress: Any = None  # a vpnctl.progress.Progress
    log_file: Path | None = None
    name: str = ""  # the environment, as the progress lines name it
    parallelism: int | None = None  # Terraform's -parallelism for plan, apply and destroy (its default: 10)

    def _environment(self) -> dict[str, str]:
        return {
            "GOGC": TERRAFORM_GOGC,
            **os.environ,
            "TF_CLI_CONFIG_FILE": str(self.cli_config),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
            # Provisioners the stacks carry run `vpnctl` (the CRL import): this one, first on PATH.
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", os.defpath)]),
            **self.env,
        }

    def run(self, *args: str, check: bool = True, state: RunState | None = None,
            secret_output: bool = False) -> subprocess.CompletedProcess:
        """Runs one command to its end. With `state` (and a progress display), its `-json` UI is shown as it
        goes and the output kept is Terraform's readable words. `secret_output`: stdout (plan JSON, output
        values) is never logged nor carried by an exception."""
        command = [*args]
        streaming = state is not None and self.progress is not None
        if streaming:
            command.insert(1, "-json")
        self._log(f"$ terraform {' '.join(command)}")
        with FORWARDING.starting():
            process = self.start(*command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with self.emulator.watch(process) if self.emulator else nullcontext(), FORWARDING.running(process):
            try:
                stdout, stderr = self._stream(process, state) if streaming else self._collect(process, args[0])
            except BaseException as failure:  # Ctrl-C without handlers, a broken pipe: Terraform must still stop
                _stop(process)
                self._with_state_report(failure)
                raise
        kept = stderr if secret_output else stdout + stderr
        self._log(kept if not streaming else "")
        result = subprocess.CompletedProcess([self.binary, *command], process.returncode, stdout, stderr)
        interrupted = FORWARDING.interruption(kept, during=args[0])
        if interrupted is not None:
            raise self._with_state_report(interrupted)
        if result.returncode != 0 and self.emulator is not None:
            try:
                self.emulator.check()
            except RuntimeError as exited:
                failed = TerraformError(command, result.returncode, kept, self.log_file)
                raise self._with_state_report(exited) from failed
        if check and result.returncode != 0:
            raise self._with_state_report(TerraformError(command, result.returncode, kept, self.log_file))
        left = self._state_left_behind()
        if left and self.progress is None:
            print(left, file=sys.stderr, flush=True)
        return result

    def _collect(self, process: subprocess.Popen, what: str) -> tuple[str, str]:
        """A command's whole output, with a heartbeat on the display should it be slow."""
        quick = what in ("show", "output", "state", "validate")  # a heartbeat only, no line of its own
        with self.progress.step(self.name, f"running terraform {what}", announce=not quick) if self.progress \
                else nullcontext():
            return process.communicate()

    def _stream(self, process: subprocess.Popen, state: RunState) -> tuple[str, str]:
        """Feeds each UI line to the progress display as it comes; returns (Terraform's words, stderr)."""
        errors: list[str] = []
        reader = threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True)
        reader.start()
        words: list[str] = []
        with self.progress.terraform(self.name, state) as feed:
            for line in process.stdout:
                message = feed.line(line)
                text = readable(message) if message is not None else line.rstrip("\n")
                words.append(text)
                self._log(text)
        process.wait()
        reader.join()
        self._log("".join(errors))
        return "\n".join(words) + "\n", "".join(errors)

    def _log(self, text: str) -> None:
        if self.log_file is None or not text:
            return
        with open(self.log_file, "a") as log:
            log.write(text if text.endswith("\n") else text + "\n")

    def start(self, *args: str, **popen) -> subprocess.Popen:
        """Terraform started with this folder and environment, in a process group of its own: a terminal's
        Ctrl-C reaches vpnctl, which passes it on (vpnctl.interrupts), and the emulator's watcher can stop
        Terraform with the provider plugins it started."""
        return subprocess.Popen(
            [self.binary, *args], cwd=self.workdir, env=self._environment(), text=True,
            start_new_session=True, umask=PRIVATE_UMASK, **popen,
        )

    def _state_left_behind(self) -> str:
        """State files Terraform left in its folder (errored.tfstate when the backend refused the save, local
        state and its backups): each made private (mode 0600), named on the progress display and in the log,
        and returned as the lines an error carries; "" when there are none."""
        lines = left_behind(self.workdir)
        for line in lines:
            self._log(line)
            if self.progress is not None:
                self.progress.say(line, "warning", self.name)
        return "\n".join(lines)

    def _with_state_report(self, failure: BaseException) -> BaseException:
        """`failure`, its message (the text str() shows) ending with the report of the state files left."""
        note = self._state_left_behind()
        if note and failure.args and isinstance(failure.args[0], str):
            failure.args = (f"{failure.args[0]}\n{note}", *failure.args[1:])
        elif note:
            failure.args = (note, *failure.args)
        return failure

    def init(self, backend: bool = True, backend_config: tuple[str, ...] = ()) -> None:
        """`backend_config`: -backend-config options, as for a state not yet moved (vpnctl/state_move.py)."""
        args = ["init", "-input=false", "-no-color"]
        if backend:
            args += ["-reconfigure", *backend_config]
        else:
            args.append("-backend=false")
        self.run(*args)

    def validate(self) -> dict:
        result = self.run("validate", "-json", "-no-color", check=False)
        report = json.loads(result.stdout)
        if not report.get("valid"):
            raise TerraformError(["validate"], result.returncode, _diagnostics(report), self.log_file)
        return report

    def plan(self, plan_file: Path, *extra: str, keep: bool = False) -> dict:
        """Plans into `plan_file` and returns `terraform show -json` of it, read in memory only.

        The JSON holds sensitive values in clear, so it is never written to disk; the plan
        file is removed once read, unless `keep` (to apply exactly that plan; the caller
        removes it).
        """
        plan_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.run("plan", "-input=false", "-no-color", "-lock-timeout=30s", f"-out={plan_file}",
                     *self._parallelism(), *extra, state=RunState("plan"))
            return json.loads(self.run("show", "-json", str(plan_file), secret_output=True).stdout)
        finally:
            if not keep:
                plan_file.unlink(missing_ok=True)

    def plan_if_changing(self, plan_file: Path, *extra: str) -> dict:
        """As `plan`, but {} when Terraform's exit code says nothing would change (`-detailed-exitcode` 0):
        no `show`, which costs a second start of the provider (about 2 CPU-seconds). For the plans that are
        expected to find nothing, after an apply."""
        plan_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            result = self.run("plan", "-input=false", "-no-color", "-lock-timeout=30s", "-detailed-exitcode",
                              f"-out={plan_file}", *self._parallelism(), *extra, state=RunState("plan"), check=False)
            if result.returncode == 0:
                return {}
            if result.returncode != 2:
                raise TerraformError(result.args[1:], result.returncode, result.stdout + result.stderr, self.log_file)
            return json.loads(self.run("show", "-json", str(plan_file), secret_output=True).stdout)
        finally:
            plan_file.unlink(missing_ok=True)

    def apply(self, *extra: str, plan: dict | None = None) -> None:
        """Applies (a saved plan file among `extra`, whose `show -json` is `plan`: the running count's total)."""
        state = RunState("apply")
        if plan is not None:
            state.expect(plan)
        self.run("apply", "-input=false", "-no-color", "-auto-approve", "-lock-timeout=30s", *self._parallelism(),
                 *extra, state=state)

    def destroy(self, *extra: str) -> None:
        self.run("destroy", "-input=false", "-no-color", "-auto-approve", "-lock-timeout=30s", *self._parallelism(),
                 *extra, state=RunState("destroy"))

    def _parallelism(self) -> list[str]:
        return [f"-parallelism={self.parallelism}"] if self.parallelism else []

    def outputs(self) -> dict:
        """Output values by name; sensitive ones are left out, so nothing secret is returned."""
        raw = json.loads(self.run("output", "-json", secret_output=True).stdout)
        return {name: item["value"] for name, item in raw.items() if not item.get("sensitive")}


def _stop(process: subprocess.Popen) -> None:
    """Asks Terraform to stop as a Ctrl-C does, reads what it still prints (so it never blocks on a full
    pipe), and waits for it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    with contextlib.suppress(OSError, ValueError):
        process.communicate()
    process.wait()


def _diagnostics(report: dict) -> str:
    lines = []
    for diag in report.get("diagnostics", []):
        where = diag.get("address") or diag.get("range", {}).get("filename", "")
        lines.append(f"{diag.get('severity')}: {diag.get('summary')} {where}\n  {diag.get('detail', '')}")
    return "\n".join(lines)


def action_of(actions: list[str]) -> str | None:
    """A plan's action list as one word: create, update, replace or delete; None for no-op and read."""
    if set(actions) == {"create", "delete"}:
        return "replace"
    if actions in (["create"], ["update"], ["delete"]):
        return actions[0]
    return None


def count_changes(plan: dict) -> dict[str, dict[str, int]]:
    """Per action (create, update, delete, replace), counts by resource type."""
    counts: dict[str, dict[str, int]] = {}
    for change in plan.get("resource_changes", []):
        action = action_of(change["change"]["actions"])
        if change.get("mode") != "managed" or action is None:
            continue
        by_type = counts.setdefault(action, {})
        by_type[change["type"]] = by_type.get(change["type"], 0) + 1
    return counts
