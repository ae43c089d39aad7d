"""Synth benchmark: wall time and peak memory (Python and node together), median of runs.

Cases:
  floor      a minimal cdktf app: the jsii runtime, one AWS resource module, one resource
  shipped    `python main.py` on the three shipped environments
  sites-N    a generated environment of N copies of prod's BGP site "berlin-hq" (customer
             gateway, connection, propagation, alarms, logs), plus one Client VPN endpoint
             with 50 authorization rules

Run: `make bench` (or `.venv/bin/python -m benchmarks.synth --runs 3 --sites 10 100 500 2000`).
Prints a table and the marginal cost per site and per resource; writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.generated import generated_environment

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

FLOOR = """
import stacks.bindings; stacks.bindings.load_lazily()  # the AWS bindings without their package __init__
from cdktf import App, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
app = App(outdir=OUTDIR)
stack = TerraformStack(app, "floor")
AwsProvider(stack, "aws", region="eu-central-1")
SnsTopic(stack, "topic", name="floor")
app.synth()
"""


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/statm") as f:
                pages = int(f.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE") // 1024
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        stack.extend(children.get(current, []))
    return total


def measure(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak resident KiB of the whole process tree."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{stderr.decode()[-2000:]}")
    return elapsed, peak


def count_resources(outdir: Path) -> int:
    total = 0
    for path in outdir.glob("stacks/*/cdk.tf.json"):
        doc = json.loads(path.read_text())
        total += sum(len(items) for items in doc.get("resource", {}).values())
    return total


def run_case(name: str, command: list[str], env: dict[str, str], outdir: Path, runs: int) -> dict:
    samples = []
    for _ in range(runs):
        subprocess.run(["rm", "-rf", str(outdir)], check=True)
        samples.append(measure(command, {**env, "CDKTF_OUTDIR": str(outdir)}))
    return {
        "case": name,
        "seconds": statistics.median(s for s, _ in samples),
        "peak_mib": statistics.median(m for _, m in samples) / 1024,
        "resources": count_resources(outdir),
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sites", type=int, nargs="*", default=[10, 100, 500, 2000])
    parser.add_argument("--json", type=Path, default=ROOT / "build" / "bench-synth.json")
    args = parser.parse_args(argv)

    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", "PYTHONPATH": str(ROOT)}
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        floor_script = tmp_path / "floor.py"
        floor_script.write_text(f"OUTDIR = {str(tmp_path / 'out-floor')!r}\n" + FLOOR)
        results.append(run_case("floor", [PYTHON, str(floor_script)], env, tmp_path / "out-floor", args.runs))
        results.append(run_case("shipped", [PYTHON, "main.py"], env, tmp_path / "out-shipped", args.runs))
        for sites in args.sites:
            environments = tmp_path / f"env-{sites}"
            environments.mkdir()
            (environments / "bench.hcl").write_text(generated_environment(sites))
            case_env = {**env, "VPN_ENVIRONMENTS_DIR": str(environments)}
            result = run_case(f"sites-{sites}", [PYTHON, "main.py"], case_env, tmp_path / f"out-{sites}", args.runs)
            result["sites"] = sites
            results.append(result)

    report = {"results": results, **marginal_costs(results)}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(render(report))
    print(f"\nJSON: {args.json}")
    return 0


def marginal_costs(results: list[dict]) -> dict:
    """Least-squares slope over the generated cases: seconds per site and per resource."""
    generated = [r for r in results if "sites" in r]
    floor = next(r for r in results if r["case"] == "floor")
    shipped = next(r for r in results if r["case"] == "shipped")
    out = {"shipped_over_floor": shipped["seconds"] / floor["seconds"]}
    if len(generated) >= 2:
        xs = [r["sites"] for r in generated]
        mean_x = statistics.mean(xs)

        def slope(values):
            mean_y = statistics.mean(values)
            return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, values)) / sum((x - mean_x) ** 2 for x in xs)

        per_site = slope([r["seconds"] for r in generated])
        resources_per_site = slope([r["resources"] for r in generated])
        out.update(
            {
                "seconds_per_site": per_site,
                "resources_per_site": resources_per_site,
                "ms_per_resource": 1000 * per_site / resources_per_site,
                "mib_per_site": slope([r["peak_mib"] for r in generated]),
            }
        )
    return out


def render(report: dict) -> str:
    lines = ["| case | resources | wall s (median) | peak MiB (all processes) |", "| --- | ---: | ---: | ---: |"]
    for r in report["results"]:
        lines.append(f"| {r['case']} | {r['resources']} | {r['seconds']:.2f} | {r['peak_mib']:.0f} |")
    lines.append("")
    lines.append(f"shipped / floor: {report['shipped_over_floor']:.2f}x")
    if "seconds_per_site" in report:
        lines.append(
            f"marginal: {1000 * report['seconds_per_site']:.1f} ms per site, "
            f"{report['resources_per_site']:.1f} resources per site, "
            f"{report['ms_per_resource']:.2f} ms per resource, {report['mib_per_site']:.2f} MiB per site"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
