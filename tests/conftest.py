"""Shared fixtures: shipped environments, synthesized JSON, and one Terraform run per environment."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("CHECKPOINT_DISABLE", "1")

from stacks.bindings import load_lazily

load_lazily()  # tests build stacks in-process: load only the binding modules they use

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ROOT / "environments"
LOCAL_STACKS = "build/local/cdktf.out/stacks"  # where `make run` (`vpnctl deploy dev --local`) synthesizes
ENV_NAMES = ("dev", "staging", "prod")


def synth_json(environment) -> dict:
    """Synthesizes one environment in memory with cdktf's Testing helpers."""
    from cdktf import Testing as CdktfTesting  # renamed: pytest would try to collect "Testing"

    from stacks.vpn_stack import VpnStack

    stack = VpnStack(CdktfTesting.app(), environment)
    return json.loads(CdktfTesting.synth(stack))


def load(name: str, directory: Path = ENVIRONMENTS):
    from stacks.config import load_environment

    return load_environment(directory / f"{name}.hcl")


@pytest.fixture(scope="session")
def shipped() -> dict:
    return {name: load(name) for name in ENV_NAMES}


@pytest.fixture(scope="session")
def synthesized(shipped) -> dict[str, dict]:
    return {name: synth_json(env) for name, env in shipped.items()}


def resources(doc: dict, resource_type: str) -> dict[str, dict]:
    return doc.get("resource", {}).get(resource_type, {})


def by_path(doc: dict, resource_type: str) -> dict[str, dict]:
    """Resources keyed by logical ID without cdktf's hash: 'site-berlin-hq_connection'."""
    return {re.sub(r"_[0-9A-F]{8}$", "", key): body for key, body in resources(doc, resource_type).items()}


def run_vpnctl(*args: str, cwd: Path = ROOT, env: dict | None = None, timeout: int = 600):
    return subprocess.run(
        [sys.executable, "-m", "vpnctl", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def vpnctl_in_process(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`vpnctl` as run_vpnctl runs it, in this process: for the many refusals that stop before cdktf, where
    Python's start would be most of the cost. An exception escapes as it is (a traceback a user would see)."""
    import contextlib
    import io

    from vpnctl.cli import main

    out, err, before = io.StringIO(), io.StringIO(), Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(list(args))
            except SystemExit as exit_:
                status = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        os.chdir(before)
    return subprocess.CompletedProcess(["vpnctl", *args], status, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("build")


@pytest.fixture(scope="session")
def synthesized_dir(tmp_path_factory, shipped) -> Path:
    """All shipped environments synthesized to a folder, as `vpnctl synth` writes them."""
    from vpnctl.synthesized import synth_stacks

    outdir = tmp_path_factory.mktemp("cdktf.out")
    synth_stacks(list(shipped.values()), outdir)
    return outdir


# ---- tiers: what a test needs, said by its markers -----------------------------------------

HEAVY = ("terraform", "emulator", "e2e", "vpn_software")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    """A test that reads a pipeline runs Terraform, so it must say so; such tests run last, in the order
    their pipelines finish."""
    from tests.pipeline_catalog import FINISHES

    for item in items:
        names = [name for mark in item.iter_markers("pipeline") for name in mark.args]
        if names and not any(item.get_closest_marker(m) for m in ("terraform", "e2e")):
            raise pytest.UsageError(f"{item.nodeid}: reads pipeline {names[0]} but is marked neither terraform nor e2e")

    def finish(item) -> int:
        names = [name for mark in item.iter_markers("pipeline") for name in mark.args]
        return max((FINISHES.index(name) + 1 for name in names), default=0)

    items.sort(key=finish)  # stable: the rest keeps its order


def pytest_collection_finish(session):
    """Which pipelines the selected tests read, decided after -k and -m have deselected."""
    session.config._vpn_pipelines = {name for item in session.items for mark in item.iter_markers("pipeline")
                                     for name in mark.args}


@pytest.fixture(scope="session", autouse=True)
def lifecycle(request, tmp_path_factory):
    """The pipelines the selected tests read, started at once in the background; stopped at the end."""
    needed = getattr(request.config, "_vpn_pipelines", set())
    if not needed:
        yield None
        return
    from tests.lifecycle import Runner
    from tests.pipeline_catalog import Catalog

    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    # Sixteen at once: most of them sleep in the provider's fixed waits most of the time (24 GiB holds them).
    runner = Runner(tmp_path_factory.mktemp("lifecycle"), progress=lambda line: reporter.write_line(f"  … {line}"),
                    workers=16)
    request.config._vpn_runner = runner
    try:
        Catalog(runner, request.getfixturevalue("shipped")).start(needed)
        yield runner
    finally:
        runner.close()


def pytest_terminal_summary(terminalreporter, config):
    runner = getattr(config, "_vpn_runner", None)
    if runner is None:
        return
    terminalreporter.section("pipelines: start and end of each step, seconds from the first start")
    for line in runner.timeline():
        terminalreporter.write_line(line)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Notes what the running test may start, for the guards below."""
    _running.markers = {m for m in HEAVY if item.get_closest_marker(m)}


class _Running:
    def __init__(self):
        self.markers: set[str] = set(HEAVY)  # before any test: collection, the lifecycle's start


_running = _Running()


def require(marker: str, what: str) -> None:
    """Fails a test that starts `what` without the marker saying it needs it (the main thread only:
    pipelines in the background belong to tests that declared them)."""
    import threading

    if threading.current_thread() is threading.main_thread() and marker not in _running.markers:
        raise AssertionError(f"this test starts {what} but is not marked {marker}: mark it, so that "
                             f"`make check` and `pytest -m 'not {marker}'` leave it out")


@pytest.fixture(scope="session", autouse=True)
def _guard_heavy_starts():
    """The local AWS and Terraform refuse to start for a test whose markers don't allow them."""
    from vpnctl.emulator_process import LocalAws
    from vpnctl.terraform import Terraform

    start_emulator, start_terraform = LocalAws.start, Terraform.start

    def guarded_emulator(self):
        if not {"emulator", "terraform", "e2e"} & _running.markers:
            require("emulator", "the local AWS emulator")
        return start_emulator(self)

    def guarded_terraform(self, *args, **popen):
        if not {"terraform", "e2e"} & _running.markers:
            require("terraform", "Terraform")
        return start_terraform(self, *args, **popen)

    LocalAws.start, Terraform.start = guarded_emulator, guarded_terraform
    yield
    LocalAws.start, Terraform.start = start_emulator, start_terraform


@pytest.fixture(scope="session")
def scenarios(tmp_path_factory, synthesized_dir) -> dict[str, dict]:
    """Each recording with the scenario's stacks synthesized now: {"recording", "stacks", "digests", "review"}.
    One checkov run per environment covers its scenarios' policy sections."""
    from tests import recorded_plans
    from tests.guard_pipeline import reviewed
    from tests.scenarios import SCENARIOS
    from vpnctl.policy.scan import scan
    from vpnctl.review.plan_review import review_plan

    base = tmp_path_factory.mktemp("scenarios")
    out: dict[str, dict] = {}
    for name, scenario in SCENARIOS.items():
        recording = recorded_plans.load(name)
        env, stacks = recorded_plans.synthesize(scenario, base / name, recording["refused"])
        digests = {"applied": recorded_plans.digest(recorded_plans.stack(synthesized_dir, scenario.environment)),
                   "planned": recorded_plans.digest(stacks["planned"]),
                   "replanned": recorded_plans.digest(stacks["replanned"]) if "replanned" in stacks else None}
        review = review_plan(env, stacks["planned"], recorded_plans.outcome_of(recording, stacks))
        out[name] = {"recording": recording, "digests": digests, "review": review, "tier": env.config.tier,
                     "env": env, "stacks": stacks, "outdir": base / name / "planned",
                     "file": base / name / "planned" / "stacks" / env.name / "cdk.tf.json"}
    for environment in {scenario.environment for scenario in SCENARIOS.values()}:
        names = [name for name, scenario in SCENARIOS.items() if scenario.environment == environment]
        reports = scan([out[name]["file"] for name in names], out[names[0]]["tier"])
        for name in names:
            out[name]["review"].policy = reports[out[name]["file"]]
    return {name: {**item, **reviewed(item["review"])} for name, item in out.items()}
