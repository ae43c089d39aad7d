"""Runs the real Terraform on a synthesized stack, offline when a provider mirror exists.

The one place that writes the Terraform CLI config: a `filesystem_mirror` for
hashicorp/aws (from TF_PROVIDER_MIRROR, or the mirror installed on this
machine), and the registry for everything else.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROVIDER = "registry.terraform.io/hashicorp/aws"
MIRROR_CANDIDATES = (
    "/opt/tf-plugins",
    "/usr/local/share/terraform/plugins",
    "/usr/share/terraform/plugins",
    "~/.terraform.d/plugins",
    "~/.local/share/terraform/plugins",
)


class TerraformError(RuntimeError):
    """A Terraform command failed; `output` holds what it printed."""

    def __init__(self, command: list[str], returncode: int, output: str):
        super().__init__(f"terraform {' '.join(command)} failed with exit status {returncode}")
        self.command = command
        self.returncode = returncode
        self.output = output


def find_provider_mirror() -> Path | None:
    """TF_PROVIDER_MIRROR if set, else the first folder holding registry.terraform.io/hashicorp/aws."""
    configured = os.environ.get("TF_PROVIDER_MIRROR")
    if configured:
        return Path(configured)
    for candidate in MIRROR_CANDIDATES:
        path = Path(candidate).expanduser()
        if (path / PROVIDER).is_dir():
            return path
    for pattern in ("/opt/*", "/usr/local/*", "/srv/*"):
        for path in Path("/").glob(pattern.lstrip("/")):
            if (path / PROVIDER).is_dir():
                return path
    return None


def write_cli_config(build_dir: Path, mirror: Path | None) -> Path:
    """The CLI config for this project's Terraform runs; without a mirror, the registry as usual."""
    build_dir.mkdir(parents=True, exist_ok=True)
    path = (build_dir / "terraform.rc").resolve()
    if mirror is None:
        text = "# No provider mirror found: providers come from the registry.\n"
    else:
        text = (
            "provider_installation {\n"
            "  filesystem_mirror {\n"
            f"    path    = {json.dumps(str(mirror))}\n"
            f'    include = ["{PROVIDER}"]\n'
            "  }\n"
            "  direct {\n"
            f'    exclude = ["{PROVIDER}"]\n'
            "  }\n"
            "}\n"
        )
    path.write_text(text)
    return path


@dataclass
class Terraform:
    """Terraform in one stack's folder, with this project's CLI config and extra environment.

    With `emulator` (a LocalAws), each run is watched: should the emulator die, Terraform
    is stopped at once and the run raises EmulatorExited with the end of the emulator's log,
    rather than waiting out the provider's retries and sleeps.
    """

    workdir: Path
    cli_config: Path
    env: dict[str, str] = field(default_factory=dict)
    binary: str = "terraform"
    emulator: Any = None

    def _environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "TF_CLI_CONFIG_FILE": str(self.cli_config),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
            # Provisioners the stacks carry run `vpnctl` (the CRL import): this one, first on PATH.
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", os.defpath)]),
            **self.env,
        }

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [*args]
        process = self.start(*command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with self.emulator.watch(process) if self.emulator else nullcontext():
            try:
                stdout, stderr = process.communicate()
            except KeyboardInterrupt:
                if self.emulator is not None:  # in its own process group, Terraform needs the Ctrl-C passed on
                    os.killpg(process.pid, signal.SIGINT)
                process.wait()
                raise
        result = subprocess.CompletedProcess([self.binary, *command], process.returncode, stdout, stderr)
        if result.returncode != 0 and self.emulator is not None:
            try:
                self.emulator.check()
            except RuntimeError as exited:
                raise exited from TerraformError(command, result.returncode, stdout + stderr)
        if check and result.returncode != 0:
            raise TerraformError(command, result.returncode, result.stdout + result.stderr)
        return result

    def start(self, *args: str, **popen) -> subprocess.Popen:
        """Terraform started with this folder and environment; with an emulator, in a process group of its
        own, so that the emulator's watcher can stop it and the provider plugins it started."""
        return subprocess.Popen(
            [self.binary, *args], cwd=self.workdir, env=self._environment(), text=True,
            start_new_session=self.emulator is not None, **popen,
        )

    def init(self, backend: bool = True) -> None:
        args = ["init", "-input=false", "-no-color"]
        if backend:
            args.append("-reconfigure")
        else:
            args.append("-backend=false")
        self.run(*args)

    def validate(self) -> dict:
        result = self.run("validate", "-json", "-no-color", check=False)
        report = json.loads(result.stdout)
        if not report.get("valid"):
            raise TerraformError(["validate"], result.returncode, _diagnostics(report))
        return report

    def plan(self, plan_file: Path, *extra: str, keep: bool = False) -> dict:
        """Plans into `plan_file` and returns `terraform show -json` of it, read in memory only.

        The JSON holds sensitive values in clear, so it is never written to disk; the plan
        file is removed once read, unless `keep` (to apply exactly that plan; the caller
        removes it).
        """
        plan_file.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.run("plan", "-input=false", "-no-color", "-lock-timeout=30s", f"-out={plan_file}", *extra)
            return json.loads(self.run("show", "-json", str(plan_file)).stdout)
        finally:
            if not keep:
                plan_file.unlink(missing_ok=True)


    def apply(self, *extra: str) -> None:
        self.run("apply", "-input=false", "-no-color", "-auto-approve", "-lock-timeout=30s", *extra)

    def destroy(self, *extra: str) -> None:
        self.run("destroy", "-input=false", "-no-color", "-auto-approve", "-lock-timeout=30s", *extra)

    def outputs(self) -> dict:
        """Output values by name; sensitive ones are left out, so nothing secret is returned."""
        raw = json.loads(self.run("output", "-json").stdout)
        return {name: item["value"] for name, item in raw.items() if not item.get("sensitive")}


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
