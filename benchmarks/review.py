"""Review benchmark: `vpnctl review --local` timed side by side with the code of an earlier commit.

Cases (each run with a fresh local emulator, so every plan is a first plan):
  shipped      `review --all` on the three shipped environments: the earlier commit's code, this code with
               `--jobs 1` (one environment after another) and this code with its default --jobs; the
               terminal output and the comment must be the same apart from timing
  sites-N      `review` of one generated environment of N sites (benchmarks/synth.py's sites-N), by the
               earlier commit's code and by this code, --repeat pairs side by side, medians compared; with
               --shards S, the same sites without the Client VPN endpoint in one stack and in S shards (the
               base deployed first), by this code, `vpnctl review` as CI runs it against a running emulator;
               and each stack of the shards reviewed alone, as the workflow's matrix runs it (a job per
               stack), --repeat rounds, medians compared

Run: `make bench-review` (or `.venv/bin/python -m benchmarks.review --baseline REF --sites 10 50 200`).
Writes build/bench-review.json, beside the synth benchmark's build/bench-synth.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.synth import ROOT, _tree_rss_kb, generated_environment

PYTHON = sys.executable
ENV = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", "CHECKPOINT_DISABLE": "1"}


def worktree(ref: str, into: Path) -> Path:
    """The tree of `ref`, checked out beside this one (git worktree), to run its own vpnctl."""
    subprocess.run(["git", "worktree", "add", "--detach", "--force", str(into), ref], cwd=ROOT, check=True,
                   capture_output=True)
    return into


def review(tree: Path, environments: Path, names: list[str], work: Path, *extra: str) -> dict:
    """One `vpnctl review --local` by the code in `tree`: wall time, peak memory, exit status and outputs."""
    work.mkdir(parents=True, exist_ok=True)
    markdown = work / "review.md"
    command = [PYTHON, "-m", "vpnctl", "--environments", str(environments), "review", *names, "--local",
               "--build", str(work / "build"), "--out", str(work / "out"), "--markdown", str(markdown), *extra]
    env = {**ENV, "PYTHONPATH": str(tree)}
    stdout = work / "stdout.txt"
    with open(stdout, "w") as out:
        seconds, peak, status = timed(command, tree, env, out)
    text = stdout.read_text()
    return {"seconds": round(seconds, 1), "status": status, "peak_mib": peak // 1024,
            "stdout": _without_paths(text, work),
            "markdown": _without_paths(markdown.read_text(), work) if markdown.exists() else ""}


def timed(command: list[str], cwd: Path, env: dict[str, str], out, err=subprocess.DEVNULL) -> tuple[float, int, int]:
    """Wall seconds, peak resident KiB of the whole process tree, exit status."""
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err)
    peak, done = 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.2):
            peak = max(peak, _tree_rss_kb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    status = process.wait()
    seconds = time.monotonic() - started
    done.set()
    sampler.join()
    return seconds, peak, status


def _without_paths(text: str, work: Path) -> str:
    """The run's own folders differ from run to run; nothing else may."""
    return "\n".join(line for line in text.replace(str(work), "WORK").splitlines() if not line.startswith("review: "))


def generated(folder: Path, name: str, sites: int, shards: int = 0, endpoint: bool = True) -> Path:
    """An environments folder holding one generated environment of `sites` sites, split into `shards`; without
    its Client VPN `endpoint`, a base stack deploys in seconds (the provider waits 4 minutes per association)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = generated_environment(sites)
    if not endpoint:
        text = text[: text.index('\nclient_vpn "')] + "\n"
    if shards:
        per = -(-sites // shards)
        for s in range(shards):
            members = ", ".join(f'"site-{i:04d}"' for i in range(s * per, min(sites, (s + 1) * per)))
            text += f'\nshard "s{s + 1}" {{\n  sites = [{members}]\n}}\n'
    (folder / f"{name}.hcl").write_text(text)
    return folder


def shipped_case(baseline: Path, scratch: Path) -> dict:
    names = ["--all"]
    environments = ROOT / "environments"
    runs = {
        "baseline": review(baseline, environments, names, scratch / "shipped-baseline"),
        "sequential": review(ROOT, environments, names, scratch / "shipped-sequential", "--jobs", "1"),
        "parallel": review(ROOT, environments, names, scratch / "shipped-parallel"),
    }
    same = all(runs[name]["stdout"] == runs["parallel"]["stdout"] and runs[name]["markdown"] ==
               runs["parallel"]["markdown"] for name in ("baseline", "sequential"))
    return {"case": "shipped", "same_output": same, "parallel_over_sequential": round(
        runs["parallel"]["seconds"] / runs["sequential"]["seconds"], 2), "parallel_over_baseline": round(
        runs["parallel"]["seconds"] / runs["baseline"]["seconds"], 2),
        **{name: {k: v for k, v in run.items() if k not in ("stdout", "markdown")} for name, run in runs.items()}}


def _median(runs: list[dict]) -> dict:
    """The run of median wall time (the lower middle one of an even number)."""
    return sorted(runs, key=lambda run: run["seconds"])[(len(runs) - 1) // 2]


def _middle(values: list[float]) -> float:
    """The median (the lower middle one of an even number)."""
    return sorted(values)[(len(values) - 1) // 2]


def sites_case(sites: int, shards: int, baseline: Path, scratch: Path, repeat: int = 1) -> dict:
    """sites-N by the earlier commit's vpnctl and by this one, `repeat` times side by side (the medians compared:
    on a shared machine one pair can be off by a tenth); with `shards`, this code's review of one stack and
    of the same sites in `shards` shards, both timed from a running emulator, the sharded one with its base
    stack deployed (what a shard plans against)."""
    name = "bench"
    plain = generated(scratch / f"sites-{sites}" / "environments", name, sites)
    pairs = [(review(baseline, plain, [name], scratch / f"sites-{sites}-baseline-{n}"),
              review(ROOT, plain, [name], scratch / f"sites-{sites}-current-{n}")) for n in range(repeat)]
    runs = {"baseline": _median([pair[0] for pair in pairs]), "current": _median([pair[1] for pair in pairs])}
    result = {"case": f"sites-{sites}", "current_over_baseline": round(
        runs["current"]["seconds"] / runs["baseline"]["seconds"], 2),
        "pairs": [[pair[0]["seconds"], pair[1]["seconds"]] for pair in pairs]}
    if shards:  # sites only: the base deployed first must not wait out the endpoint's association sleeps
        one = generated(scratch / f"sites-{sites}-one" / "environments", name, sites, endpoint=False)
        sharded = generated(scratch / f"sites-{sites}-shards" / "environments", name, sites, shards, endpoint=False)
        runs["one_stack"] = driven(one, name, scratch / f"sites-{sites}-one-stack", deploy_base=False,
                                   repeat=repeat)
        runs["sharded"] = driven(sharded, name, scratch / f"sites-{sites}-sharded", deploy_base=True, repeat=repeat)
        result["sharded_over_one_stack"] = round(runs["sharded"]["seconds"] / runs["one_stack"]["seconds"], 2)
        # The workflow's matrix: a job per stack, each on a runner of its own, so the pull request waits for the
        # slowest; here each stack's review is timed alone, one after another, on this machine (medians).
        matrix = runs["sharded"]["stacks"]
        result["matrix_slowest_seconds"] = max(matrix.values())
        result["matrix_over_one_stack"] = round(max(matrix.values()) / runs["one_stack"]["seconds"], 2)
    result.update({key: {k: v for k, v in run.items() if k not in ("stdout", "markdown")}
                   for key, run in runs.items()})
    return result


def driven(environments: Path, name: str, work: Path, *, deploy_base: bool, repeat: int = 1) -> dict:
    """This code's reviews against one running emulator (the base deployed first if asked): see `drive`."""
    work.mkdir(parents=True, exist_ok=True)
    command = [PYTHON, "-m", "benchmarks.review", "drive", str(environments), name, str(work), str(repeat)]
    result = subprocess.run([*command, *(["--deploy-base"] if deploy_base else [])], cwd=ROOT,
                            env={**ENV, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def drive(argv: list[str]) -> int:
    """ENVIRONMENTS NAME WORK REPEAT [--deploy-base]: an emulator, seeded, the base stack applied if asked; then
    REPEAT rounds of `vpnctl review NAME` (every stack) and, with shards, `vpnctl review --stack STACK` for each
    stack alone, as one job of the workflow's matrix runs it. Each is the command as CI runs it, a process of its
    own that reaches the emulator as it would AWS (AWS_ENDPOINT_URL and the emulator's credentials), timed
    from start to exit. Prints {"seconds", "runs", "status", "stacks": {stack: median seconds}} last."""
    from stacks.config import load_environments
    from vpn_schema.naming import stack_names
    from vpnctl.emulator_process import LocalAws
    from vpnctl.plan_and_apply import AUTOMATIC, deploy_environment
    from vpnctl.runner import seed_local, synthesize

    environments, name, work, repeat = Path(argv[0]), argv[1], Path(argv[2]), int(argv[3])
    (environment,) = load_environments(environments, [name])
    names = stack_names(environment.name, environment.config)
    with LocalAws(environment.config.account_id, log_file=work / "emulator.log") as aws:
        seed_local(aws, environment, work / "build")
        if "--deploy-base" in argv:
            synthesize([environment], work / "base-out")
            deploy_environment(environment, work / "base-out", work / "build", aws, approval=AUTOMATIC)
        env = {**ENV, **aws.terraform_env(), "PYTHONPATH": str(ROOT)}
        statuses, all_runs, alone = [], [], {stack: [] for stack in names if len(names) > 1}
        failures: dict[str, str] = {}
        jobs = [("all", [name], all_runs), *((stack, ["--stack", stack], runs) for stack, runs in alone.items())]
        for n in range(repeat):
            for job, selected, runs in jobs:
                label = f"{job}-{n}"
                command = [PYTHON, "-m", "vpnctl", "--environments", str(environments), "review", *selected,
                           "--build", str(work / f"build-{label}"), "--out", str(work / f"out-{label}"),
                           "--markdown", str(work / f"review-{label}.md")]
                with open(work / f"stdout-{label}.txt", "w") as out:
                    seconds, _, status = timed(command, ROOT, env, out, subprocess.STDOUT)
                statuses.append(status)
                runs.append(round(seconds, 1))
                if status != 0:  # the scratch folder goes: keep what the review said
                    failures[label] = (work / f"stdout-{label}.txt").read_text()[-3000:]
    print(json.dumps({"seconds": _middle(all_runs), "runs": all_runs, "status": max(statuses),
                      "stacks": {stack: _middle(runs) for stack, runs in alone.items()},
                      "stack_runs": alone, "failures": failures}))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["drive"]:
        return drive(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m benchmarks.review", description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="e08b0ef", help="the commit whose code is timed beside this one")
    parser.add_argument("--sites", type=int, nargs="*", default=[10, 50, 200])
    parser.add_argument("--shards", type=int, default=4, help="shards of each sites-N environment (0: none)")
    parser.add_argument("--no-shipped", action="store_true", help="leave out the shipped environments' case")
    parser.add_argument("--repeat", type=int, default=3, help="pairs of reviews per sites-N case (medians compared)")
    parser.add_argument("--json", type=Path, default=ROOT / "build" / "bench-review.json")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="vpnctl-bench-review-"))
    baseline = worktree(args.baseline, scratch / "baseline")
    results = []
    try:
        if not args.no_shipped:
            results.append(shipped_case(baseline, scratch))
            print(json.dumps(results[-1]), flush=True)
        for sites in args.sites:
            results.append(sites_case(sites, args.shards, baseline, scratch, args.repeat))
            print(json.dumps(results[-1]), flush=True)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=ROOT, check=False,
                       capture_output=True)
        shutil.rmtree(scratch, ignore_errors=True)
    report = {"baseline": args.baseline, "cpus": os.cpu_count(), "results": results}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
