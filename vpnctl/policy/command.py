"""`vpnctl policy`: synth, then the policy pack on every environment; exit 1 on a failed check."""

from __future__ import annotations

import sys
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpnctl.policy.scan import PolicyError, PolicyReport, scan
from vpnctl.synth import stack_dir, synth_stacks


def report_lines(environment: str, report: PolicyReport) -> list[str]:
    skipped = f" (skipped outside the production tier: {', '.join(report.skipped)})" if report.skipped else ""
    lines = [f"{environment}: {report.passed} passed, {len(report.failed)} failed{skipped}"]
    lines += [f"  {f.check_id} {f.resource}: {f.check_name}" for f in report.failed]
    return lines


def check_environments(environments: list[LoadedEnvironment], outdir: Path) -> int:
    synth_stacks(environments, outdir)
    failed = False
    for environment in environments:
        file = stack_dir(outdir, environment.name) / "cdk.tf.json"
        try:
            report = scan([file], environment.config.tier)[file]
        except PolicyError as exc:
            print(f"{environment.name}: {exc}", file=sys.stderr)
            return 1
        failed |= not report.ok
        print("\n".join(report_lines(environment.name, report)))
    return 1 if failed else 0
