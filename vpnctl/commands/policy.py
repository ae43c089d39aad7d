"""`vpnctl policy`: synth, then the checkov policy pack on every environment; exit 1 on a failed check."""

from __future__ import annotations

import sys
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpnctl.commands.options import environments_argument, out_option, outdir
from vpnctl.exit_status import EXIT_FAILED


def add_parser(commands) -> None:
    command = commands.add_parser("policy", help="synth, then run the checkov policy pack; exit 1 on a failed check")
    environments_argument(command)
    out_option(command)
    command.set_defaults(handler=run)


def run(args, environments: list[LoadedEnvironment]) -> int:
    from vpnctl.checkout_lock import holding

    with holding(outdir(args), [env.name for env in environments], "policy"):
        return check_environments(environments, outdir(args))


def report_lines(environment: str, report) -> list[str]:
    skipped = f" (skipped outside the production tier: {', '.join(report.skipped)})" if report.skipped else ""
    lines = [f"{environment}: {report.passed} passed, {len(report.failed)} failed{skipped}"]
    lines += [f"  {f.check_id} {f.resource}: {f.check_name}" for f in report.failed]
    return lines


def check_environments(environments: list[LoadedEnvironment], outdir: Path) -> int:
    from vpnctl.policy.scan import PolicyError, scan
    from vpnctl.synthesized import stack_file, synth_stacks

    synth_stacks(environments, outdir)
    failed = False
    for environment in environments:
        file = stack_file(outdir, environment.name)
        try:
            report = scan([file], environment.config.tier)[file]
        except PolicyError as exc:
            print(f"{environment.name}: {exc}", file=sys.stderr)
            return EXIT_FAILED
        failed |= not report.ok
        print("\n".join(report_lines(environment.name, report)))
    return EXIT_FAILED if failed else 0
