"""Apply benchmark: a generated N-site environment applied to a fresh local emulator at `-parallelism=P`.

The environment is prod.hcl's settings with N copies of its BGP site (benchmarks/generated.py), without the
Client VPN endpoint, whose associations cost the provider's fixed 4-minute sleeps. Steps, each timed: synth,
start the emulator, seed and `terraform init`, apply, plan again. Then from the emulator's log: its
`server error` lines and the requests it answered with a 5xx status (the 500s moto's unserialized services gave
under concurrent requests; aws_emulator/serialized.py). The second plan's changes must be none.

Run: `.venv/bin/python -m benchmarks.apply_parallel --sites 200 --parallelism 30 --json OUT.json`.
Prints a table; writes JSON. Exits 1 if a 5xx was answered or the second plan has changes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Steps:
    """Wall seconds per named step, in order."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextmanager
    def step(self, name: str):
        print(f"{name} ...", file=sys.stderr, flush=True)
        began = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = time.perf_counter() - began
            print(f"{name}: {self.seconds[name]:.1f} s", file=sys.stderr, flush=True)


def run(sites: int, parallelism: int, work: Path, switch_interval: float | None = None) -> dict:
    """The benchmark in `work`: what it measured. `switch_interval`: the emulator's (see main)."""
    from aws_emulator.serialized import log_summary
    from benchmarks.generated import write_environment
    from stacks.bindings import load_lazily
    from stacks.config import load_environment
    from vpnctl.emulator_process import LocalAws
    from vpnctl.runner import prepare
    from vpnctl.synthesized import synth_stacks
    from vpnctl.terraform import count_changes

    steps = Steps()
    with steps.step("synth"):
        load_lazily()
        env = load_environment(write_environment(work / "environments", "bench", sites))
        synth_stacks([env], work / "cdktf.out")
    aws = LocalAws(env.config.account_id, log_file=work / "emulator.log", progress=lambda line: None)
    with steps.step("start the emulator"):
        aws.start()
        if switch_interval:
            aws.set_switch_interval(switch_interval)
    try:
        with steps.step("seed and init"):
            terraform = prepare(env, work / "cdktf.out", work / "build", aws, parallelism=parallelism)
        with steps.step("apply"):
            terraform.apply()
        applied = terraform.run("state", "list").stdout.split()
        with steps.step("plan again"):
            second_plan = count_changes(terraform.plan_if_changing(work / "second.tfplan"))
    finally:
        aws.stop()
    summary = log_summary(aws.log_file.read_text(errors="replace"))
    return {
        "sites": sites,
        "parallelism": parallelism,
        "switch_interval": switch_interval,
        "seconds": steps.seconds,
        "resources_applied": len(applied),
        "requests": summary["requests"],
        "responses_5xx": len(summary["responses_5xx"]),
        "server_errors": summary["server_errors"],
        "second_plan_changes": second_plan,
        "second_plan_change_count": sum(n for by_type in second_plan.values() for n in by_type.values()),
    }


def render(report: dict) -> str:
    lines = ["| step | wall s |", "| --- | ---: |"]
    lines += [f"| {name} | {seconds:.1f} |" for name, seconds in report["seconds"].items()]
    lines.append("")
    lines.append(f"{report['sites']} sites, {report['resources_applied']} resources applied at "
                 f"-parallelism={report['parallelism']}; the emulator answered {report['requests']} requests, "
                 f"{report['responses_5xx']} of them with a 5xx status")
    lines += [f"  {line}" for line in report["server_errors"][:10]]
    lines.append(f"second plan: {report['second_plan_change_count']} changes {report['second_plan_changes']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--parallelism", type=int, default=30)
    parser.add_argument("--json", type=Path, default=ROOT / "build" / "bench-apply-parallel.json")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (the emulator's log, state)")
    parser.add_argument("--switch-interval", type=float, help="the emulator's thread switch interval in seconds "
                        "(5 ms by default): a short one, 0.0001, makes races between requests show far more often")
    args = parser.parse_args(argv)
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    os.environ.setdefault("CHECKPOINT_DISABLE", "1")

    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        report = run(args.sites, args.parallelism, args.keep.resolve(), args.switch_interval)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            report = run(args.sites, args.parallelism, Path(tmp), args.switch_interval)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(render(report))
    print(f"\nJSON: {args.json}")
    return 1 if report["responses_5xx"] or report["server_errors"] or report["second_plan_change_count"] else 0


if __name__ == "__main__":
    sys.exit(main())
