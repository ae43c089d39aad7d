"""Every bad argument gets exit 2 and one line naming the option and what is wrong, never a traceback: an
environment is a name, never a path; what a command writes must be writable; special files in the
environments folder are refused, not read."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ENVIRONMENTS, ROOT

NAME_RULE = ("is not an environment name: 1 to 31 lowercase letters, digits and '-', starting with a letter; the file "
             "is <environments>/<name>.hcl")


@pytest.fixture
def base(tmp_path):
    shutil.copytree(ENVIRONMENTS, tmp_path / "environments")
    (tmp_path / "a-file").write_text("not a folder\n")
    (tmp_path / "a-folder").mkdir()
    return tmp_path


# (what is wrong, the arguments, the one line expected on stderr; {base} is the test's folder)
CASES = [
    ("a 5,000-character name", ["validate", "d" * 5000],
     f"vpnctl validate: '{'d' * 60}… (5000 characters)' {NAME_RULE}"),
    ("a relative path for a name", ["validate", "../../elsewhere/prod"],
     f"vpnctl validate: '../../elsewhere/prod' {NAME_RULE}"),
    ("an absolute path for a name", ["synth", "/srv/vpn/environments/dev"],
     f"vpnctl synth: '/srv/vpn/environments/dev' {NAME_RULE}"),
    ("--out that is a file", ["synth", "dev", "--out", "{base}/a-file"],
     "vpnctl synth: --out {base}/a-file: is a file, not a folder"),
    ("--out under a file", ["policy", "dev", "--out", "{base}/a-file/out"],
     "vpnctl policy: --out {base}/a-file/out: {base}/a-file is a file, so nothing can be created under it"),
    ("--out in /proc", ["synth", "dev", "--out", "/proc/vpn-out"],
     "vpnctl synth: --out /proc/vpn-out: is in a system folder; name a folder of your own"),
    ("--build that is a file", ["plan", "dev", "--local", "--build", "{base}/a-file"],
     "vpnctl plan: --build {base}/a-file: is a file, not a folder"),
    ("--pki-dir that is a file", ["pki", "init", "dev", "--pki-dir", "{base}/a-file"],
     "vpnctl pki: --pki-dir {base}/a-file: is a file, not a folder"),
    ("--pki-dir in /sys", ["pki", "list", "dev", "--pki-dir", "/sys/pki"],
     "vpnctl pki: --pki-dir /sys/pki: is in a system folder; name a folder of your own"),
    ("--markdown that is a folder", ["review", "dev", "--local", "--markdown", "{base}/a-folder"],
     "vpnctl review: --markdown {base}/a-folder: is a folder, not a file"),
    ("--output under a file", ["client-config", "dev", "alice", "-o", "{base}/a-file/alice.ovpn"],
     ("vpnctl client-config: --output {base}/a-file/alice.ovpn: {base}/a-file is a file, so nothing can be created "
     "under it")),
    ("--output in /proc", ["device-config", "dev", "lab-office", "-o", "/proc/lab.conf"],
     "vpnctl device-config: --output /proc/lab.conf: is in a system folder; name a folder of your own"),
    ("an unknown --base", ["diff", "--base", "no-such-ref"],
     "vpnctl diff: --base no-such-ref: not a commit this repository knows"),
    ("--keep without --local", ["deploy", "dev", "--keep", "--auto-approve"],
     "vpnctl deploy: --keep keeps the local AWS of a --local deploy running; add --local (AWS keeps itself)"),
    ("--keep with two environments", ["deploy", "dev", "staging", "--local", "--keep"],
     "vpnctl deploy: --keep holds the local AWS of one environment: name exactly one"),
    ("--keep with --all", ["deploy", "--all", "--local", "--keep"],
     "vpnctl deploy: --keep holds the local AWS of one environment: name exactly one"),
    ("offboard --pki-dir that is a file", ["offboard", "dev", "bob", "--auto-approve", "--pki-dir", "{base}/a-file"],
     "vpnctl offboard: --pki-dir {base}/a-file: is a file, not a folder"),
    ("offboard of a path, not an environment", ["offboard", "../dev", "bob", "--auto-approve"],
     f"vpnctl offboard: '../dev' {NAME_RULE}"),
]


def vpnctl(args: list[str], cwd, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vpnctl", "--environments", "environments", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.parametrize(("what", "args", "expected"), CASES, ids=[case[0] for case in CASES])
def test_a_bad_argument_is_one_line_and_exit_2(base, what, args, expected):
    cwd = ROOT if args[0] == "diff" else base  # diff needs the repository
    result = vpnctl([arg.replace("{base}", str(base)) for arg in args], cwd)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [expected.replace("{base}", str(base))]
    assert "Traceback" not in result.stdout + result.stderr
    assert not (base / "cdktf.out").exists() and not (base / "build").exists(), "nothing was written"


def special(base, kind: str):
    target = base / "environments" / "dev.hcl"
    target.unlink()
    if kind == "fifo":
        os.mkfifo(target)  # a read blocks until someone writes: nobody does
    else:
        target.symlink_to("/dev/zero")  # read to its end, never
    return target


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_special_file_among_the_environments_is_refused_not_read(base, kind):
    special(base, kind)
    result = vpnctl(["validate"], base, timeout=60)
    assert result.returncode == 2
    assert "environments/dev.hcl: not a regular file; an environment file is plain text" in result.stderr.splitlines()


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_the_refusal_of_a_special_file_takes_under_a_second(base, kind):
    """Timed in-process, the loading alone: a read would block for good (the thread's join is the guard)."""
    import threading

    from stacks.config import ConfigError, load_environment

    target, outcome = special(base, kind), {}

    def load() -> None:
        started = time.monotonic()
        try:
            load_environment(target)
        except ConfigError as exc:
            outcome["lines"] = exc.lines
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the load blocked on the special file"
    assert outcome["seconds"] < 1 and outcome["lines"][0].endswith("dev.hcl: not a regular file; an environment "
                                                                   "file is plain text")


def test_an_output_folder_that_can_t_be_written_is_refused_before_any_work():
    """A read-only folder: root writes anywhere, so as root the command runs as nobody (setpriv)."""
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="vpnctl-readonly-"))
    try:
        shutil.copytree(ENVIRONMENTS, base / "environments")
        readonly = base / "readonly"
        readonly.mkdir()
        for path in (base, base / "environments", *(base / "environments").iterdir()):
            path.chmod(0o755 if path.is_dir() else 0o644)
        readonly.chmod(0o555)
        as_user = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
        result = subprocess.run([*as_user, sys.executable, "-m", "vpnctl", "--environments", "environments", "synth",
                                 "dev", "--out", str(readonly / "out")], cwd=base, capture_output=True, text=True,
                                timeout=60, check=False, env={**os.environ, "PYTHONPATH": str(ROOT),
                                                              "PYTHONDONTWRITEBYTECODE": "1"})
        assert result.returncode == 2, result.stdout + result.stderr
        assert result.stderr.splitlines() == [f"vpnctl synth: --out {readonly}/out: {readonly} can't be written"]
    finally:
        shutil.rmtree(base)
