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

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENTS = ROOT / "environments"
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
    )


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("build")


@pytest.fixture(scope="session")
def synthesized_dir(tmp_path_factory, shipped) -> Path:
    """All shipped environments synthesized to a folder, as `vpnctl synth` writes them."""
    from vpnctl.synth import synth_stacks

    outdir = tmp_path_factory.mktemp("cdktf.out")
    synth_stacks(list(shipped.values()), outdir)
    return outdir


# ---- the apply lifecycle (tests/lifecycle.py), started first and checked last --------------

# In the order their results come in: dev deployed, then dev's revocation and reviews, then the rest.
LIFECYCLE_FILES = ("test_device_tunnels.py", "test_client_profiles.py", "test_review_scenarios.py", "test_apply.py")


def pytest_collection_modifyitems(session, config, items):
    """The lifecycle's tests run last; their Terraform pipelines start with the session."""
    lifecycle_items = sorted(
        (item for item in items if item.path.name in LIFECYCLE_FILES), key=lambda item: LIFECYCLE_FILES.index(item.path.name)
    )
    items[:] = [item for item in items if item.path.name not in LIFECYCLE_FILES] + lifecycle_items
    config._vpn_lifecycle_selected = bool(lifecycle_items)


@pytest.fixture(scope="session", autouse=True)
def lifecycle(request, tmp_path_factory):
    if not getattr(request.config, "_vpn_lifecycle_selected", False):
        return None
    from tests.lifecycle import Lifecycle

    pipelines = Lifecycle(tmp_path_factory.mktemp("lifecycle"))
    pipelines.start(request.getfixturevalue("shipped"), request.getfixturevalue("synthesized_dir"))
    return pipelines
