"""Runs checkov on synthesized stacks with the project's VPN checks.

checkov lives in its own virtualenv (it pins packages the project's emulator
can't use); `make setup` links its binary next to the project's Python. Only
`terraform_json` scans what cdktf writes, and checkov exits 0 on a parse error,
so parse errors are checked here.

The production tier (`tier = "production"` in the environment file) gets every
check, and so does a stack of unknown tier (a fixture, a stack built outside
our config). Other tiers skip the checks that are production policy: a year of
log retention, KMS on logs and topics, strict crypto and access rules, and two
Client VPN associations. Each skip says why, and the skip list is the only
place that says which checks are production-only. Strictness follows the tier,
never the environment's name, so a renamed production environment keeps it.

checkov reads each stack as Terraform does: without cdktf's "//" construct metadata,
which Terraform ignores and which made a tenth of checkov's time (a copy in the run's own
temp folder: vpnctl/policy/checkov_process.py, which also says how the process starts).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from vpn_schema.environment import PRODUCTION
from vpnctl.policy.checkov_process import CheckovProcess
from vpnctl.synthesized import without_metadata

CHECKS_DIR = Path(__file__).parent / "checks"
PRODUCTION_ONLY: dict[str, str] = {
    "CKV_VPNAC_3": "strong tunnel crypto is production-tier policy; other tiers may test older devices",
    "CKV_VPNAC_5": "an all-groups internet rule is allowed outside the production tier",
    "CKV_VPNAC_6": "a year of KMS-encrypted logs is production-tier policy",
    "CKV_VPNAC_8": "two Client VPN associations (redundancy) is production-tier policy; one saves about $73 a month",
    "CKV_AWS_158": "KMS on log groups is production-tier policy (CKV_VPNAC_6)",
    "CKV_AWS_338": "a year of log retention is production-tier policy (CKV_VPNAC_6)",
    "CKV_AWS_26": "KMS on the alarm topic comes with the production tier's log key",
}


class PolicyError(RuntimeError):
    """checkov is missing, failed, or could not parse a file."""


@dataclass(frozen=True)
class Finding:
    check_id: str
    check_name: str
    resource: str  # the Terraform address, type.name
    file: str


@dataclass(frozen=True)
class PolicyReport:
    passed: int
    failed: tuple[Finding, ...]
    skipped: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.failed


def checkov_binary() -> str:
    """VPNCTL_CHECKOV, else the checkov beside this Python (make setup links it), else PATH."""
    configured = os.environ.get("VPNCTL_CHECKOV")
    found = configured or shutil.which("checkov", path=str(Path(sys.executable).parent)) or shutil.which("checkov")
    if not found:
        raise PolicyError("checkov is not installed: run `make setup`, or set VPNCTL_CHECKOV to its path")
    return found


def skips_for(tier: str | None) -> dict[str, str]:
    """Checks skipped for an environment of `tier`; None (a fixture, a stack from outside) runs everything."""
    return {} if tier is None or tier == PRODUCTION else dict(PRODUCTION_ONLY)


def scan(files: list[Path], tier: str | None) -> dict[Path, PolicyReport]:
    """One checkov run over `files` (each a cdk.tf.json, all of one `tier`); a report per file."""
    return scan_tiers(dict.fromkeys(files, tier))


def scan_tiers(tiers: dict[Path, str | None], process: CheckovProcess | None = None) -> dict[Path, PolicyReport]:
    """One checkov run over every file of `tiers` (cdk.tf.json -> its environment's tier), whatever their tiers:
    each file's report leaves out the checks its tier skips, as a run with --skip-check would. `process`: a
    checkov started earlier (vpnctl/policy/checkov_process.py), else one started now."""
    files = list(tiers)
    common = set.intersection(*(set(skips_for(tier)) for tier in tiers.values())) if tiers else set()
    process = process or CheckovProcess(checkov_binary())
    copies = _copies(files, process.private / "stacks")
    args = ["--framework", "terraform_json", "--output", "json", "--skip-download",
            "--external-checks-dir", str(CHECKS_DIR)]
    for copy in copies:
        args += ["--file", str(copy)]
    if common:
        args += ["--skip-check", ",".join(sorted(common))]
    result = process.run(args)
    if result.returncode not in (0, 1) or not result.stdout.strip():
        raise PolicyError(f"checkov failed with exit status {result.returncode}:\n{result.stderr[-2000:]}")
    raw = _originals(json.loads(result.stdout), dict(zip(copies, files, strict=True)))
    return _reports(raw, {file: skips_for(tier) for file, tier in tiers.items()})


def _copies(files: list[Path], folder: Path) -> list[Path]:
    """Each file as Terraform reads it, without cdktf's metadata, in a folder of its own under `folder`."""
    copies = []
    for number, file in enumerate(files):
        copy = folder / str(number) / file.name
        copy.parent.mkdir(parents=True)
        copy.write_text(json.dumps(without_metadata(json.loads(file.read_text())), indent=2))
        copies.append(copy)
    return copies


def _originals(raw, originals: dict[Path, Path]):
    """checkov's report with each copy's path put back to the stack file it was made from."""
    by_path = {str(copy.resolve()): str(file.resolve()) for copy, file in originals.items()}
    for run in raw if isinstance(raw, list) else [raw]:
        for kind in ("passed_checks", "failed_checks"):
            for check in run.get("results", {}).get(kind, []):
                check["file_abs_path"] = by_path.get(str(Path(check["file_abs_path"]).resolve()),
                                                     check["file_abs_path"])
    return raw


def _reports(raw, skips: dict[Path, dict[str, str]]) -> dict[Path, PolicyReport]:
    runs = raw if isinstance(raw, list) else [raw]
    files = list(skips)
    types = {file.resolve(): _types_by_name(file) for file in files}
    skipped = {file.resolve(): set(skips[file]) for file in files}
    passed: dict[Path, int] = {file.resolve(): 0 for file in files}
    failed: dict[Path, list[Finding]] = {file.resolve(): [] for file in files}
    for run in runs:
        if run.get("summary", {}).get("parsing_errors"):
            raise PolicyError(f"checkov could not parse: {run['results'].get('parsing_errors')}")
        results = run.get("results", {})
        for check in results.get("passed_checks", []):
            file = Path(check["file_abs_path"]).resolve()
            passed[file] += check["check_id"] not in skipped[file]
        for check in results.get("failed_checks", []):
            file = Path(check["file_abs_path"]).resolve()
            if check["check_id"] not in skipped[file]:
                failed[file].append(Finding(check["check_id"], check["check_name"],
                                            _address(types[file], check["resource"]), file.name))
    return {
        file: PolicyReport(passed[file.resolve()], tuple(failed[file.resolve()]), tuple(sorted(skips[file])))
        for file in files
    }


def _types_by_name(file: Path) -> dict[str, str]:
    return {
        name: resource_type
        for resource_type, resources in json.loads(file.read_text()).get("resource", {}).items()
        for name in resources
    }


def _address(types: dict[str, str], resource: str) -> str:
    """checkov names terraform_json resources `resource.NAME`; the address is `TYPE.NAME`."""
    kind, _, name = resource.partition(".")
    if kind == "resource" and name in types:
        return f"{types[name]}.{name}"
    return resource
