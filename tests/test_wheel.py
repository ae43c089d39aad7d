"""The package as a user installs it: a wheel built from this checkout, installed into a fresh virtualenv
outside it, runs `vpnctl` on a copy of the shipped environments. An editable install hides a package the
build leaves out; this doesn't."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ENVIRONMENTS, ROOT

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """The fresh virtualenv with the wheel installed. Its dependencies are this checkout's, read as a plain
    path: that folder's .pth files (the editable install of this repo among them) are never run."""
    base = tmp_path_factory.mktemp("wheel")
    source, wheels = base / "source", base / "wheels"
    # The checkout's files as git sees them (ignored ones left out), so the build writes nothing into it.
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout.split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels),
                            str(source)], cwd=base, capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = wheels.glob("vpn_as_code-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    site = Path(subprocess.run([venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "checkout-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)
    return venv


def run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_the_installed_package_is_the_wheel_with_every_subpackage(venv, tmp_path):
    result = run(venv, "python", "-c", "import vpnctl, vpnctl.device, aws_emulator, vpnctl.policy.checks, stacks, "
                 "modules; print(vpnctl.__file__)", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(str(venv)), "imported from the checkout, not the wheel"
    checks = run(venv, "python", "-c", "import vpnctl.policy, pathlib; print(sorted(p.name for p in "
                 "(pathlib.Path(vpnctl.policy.__file__).parent / 'checks').glob('*.py')))", cwd=tmp_path)
    assert "client_vpn.py" in checks.stdout, "the policy checks ship as package data"


def test_the_installed_vpnctl_validates_and_synthesizes_the_shipped_environments(venv, tmp_path):
    shutil.copytree(ENVIRONMENTS, tmp_path / "environments")
    assert run(venv, "vpnctl", "--help", cwd=tmp_path).returncode == 0
    validated = run(venv, "vpnctl", "validate", cwd=tmp_path)
    assert validated.returncode == 0 and "Traceback" not in validated.stderr, validated.stderr
    synthesized = run(venv, "vpnctl", "synth", "dev", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert synthesized.returncode == 0, synthesized.stderr
    assert (tmp_path / "out" / "stacks" / "dev" / "cdk.tf.json").is_file()
