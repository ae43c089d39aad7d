"""Synth in a process of its own, for the commands that go on to run Terraform (plan, review, deploy).

cdktf's jsii runtime is a node process of 600 to 850 MiB that lives as long as the Python process that
loaded it, idle through every Terraform step after the synth. A child process takes it away when synth is
done, and lets threads synthesize side by side (the runtime serves one thread).

Loading that runtime and the AWS bindings takes the child about 5 s before it can build anything, so
`prestart()` starts one as soon as vpnctl knows a synth is coming: it loads while vpnctl parses and checks
the config, then takes its work (the loaded environments, pickled: no second parse) on stdin. A child
whose work never comes (a bad config) reads end-of-file and exits, and is stopped when vpnctl exits.
The child exits 2 with the guard's words on stderr when an allowance names no guarded resource; the
parent raises the same GuardError.
"""

from __future__ import annotations

import atexit
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path

from stacks.config import LoadedEnvironment
from stacks.config.allowances import GuardError

GUARD_REFUSED = 2
ENTRY = "import sys; from vpnctl.synth_process import serve; sys.exit(serve())"

_lock = threading.Lock()
_waiting: subprocess.Popen | None = None


class SynthFailed(RuntimeError):
    """The child failed for another reason than the guard: its stderr says why."""


def _start() -> subprocess.Popen:
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    return subprocess.Popen([sys.executable, "-c", ENTRY], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env)


def prestart() -> None:
    """Starts the child that the next synth_out_of_process takes, so that it loads while vpnctl checks the
    config. At most one waits; one left unused is stopped when vpnctl exits."""
    global _waiting
    with _lock:
        if _waiting is None:
            _waiting = _start()
            atexit.register(_stop_unused)


def _take() -> subprocess.Popen:
    """The prestarted child if one waits (and is still alive), else a new one."""
    global _waiting
    with _lock:
        child, _waiting = _waiting, None
    if child is not None and child.poll() is None:
        return child
    return _start()


def _stop_unused() -> None:
    with _lock:
        child = _waiting
    if child is not None and child.poll() is None:
        child.kill()
        child.wait()


def synth_out_of_process(environments: list[LoadedEnvironment], outdir: Path,
                         allow_replace: frozenset[str] = frozenset(),
                         only: dict[str, frozenset[str]] | None = None) -> Path:
    """What vpnctl.synthesized.synth_stacks does, in a child process; `outdir` as it returns."""
    child = _take()
    work = pickle.dumps((str(Path(outdir).resolve()), sorted(allow_replace), environments, only))
    _, stderr = child.communicate(work)
    stderr = stderr.decode(errors="replace")
    if child.returncode == GUARD_REFUSED:
        raise GuardError(stderr.strip())
    if child.returncode != 0:
        raise SynthFailed(f"synth failed (exit status {child.returncode}):\n{stderr[-3000:]}")
    return outdir


def serve() -> int:
    """The child: loads the jsii runtime and the bindings, then synthesizes the work its parent sends on stdin
    (outdir, allowances, loaded environments, validated by the parent, and per environment the stacks to build
    or None for all); nothing sent: nothing to do."""
    import stacks.app  # noqa: F401  the load this process was started early for
    from vpnctl.synthesized import synth_stacks

    work = sys.stdin.buffer.read()
    if not work:
        return 0
    outdir, allowances, environments, only = pickle.loads(work)  # from the parent that started this process
    try:
        synth_stacks(environments, Path(outdir), frozenset(allowances), only=only)
    except GuardError as exc:
        print(exc, file=sys.stderr)
        return GUARD_REFUSED
    return 0
