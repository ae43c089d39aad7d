"""Synth in a process of its own, for the commands that go on to run Terraform (plan, review, deploy).

cdktf's jsii runtime is a node process of 600 to 850 MiB that lives as long as the Python process that
loaded it, idle through every Terraform step after the synth. A child process takes it away when synth is
done, and lets threads synthesize side by side (the runtime serves one thread). The child exits 2 with the
guard's words on stderr when an allowance names no guarded resource; the parent raises the same GuardError.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from stacks.config import LoadedEnvironment

GUARD_REFUSED = 2
ENTRY = "import sys; from vpnctl.synth_process import main; sys.exit(main(sys.argv[1:]))"


class SynthFailed(RuntimeError):
    """The child failed for another reason than the guard: its stderr says why."""


def synth_out_of_process(environments: list[LoadedEnvironment], outdir: Path,
                         allow_replace: frozenset[str] = frozenset()) -> Path:
    """What vpnctl.synthesized.synth_stacks does, in a child process; `outdir` as it returns."""
    command = [sys.executable, "-c", ENTRY, str(Path(outdir).resolve()), *sorted(allow_replace), "--",
               *(str(Path(env.source).resolve()) for env in environments)]
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if result.returncode == GUARD_REFUSED:
        from stacks.guard import GuardError

        raise GuardError(result.stderr.strip())
    if result.returncode != 0:
        raise SynthFailed(f"synth failed (exit status {result.returncode}):\n{result.stderr[-3000:]}")
    return outdir


def main(argv: list[str]) -> int:
    """OUTDIR [ALLOWANCE...] -- ENVIRONMENT_FILE...: the files were validated by the parent."""
    from stacks.config import load_environment
    from stacks.guard import GuardError
    from vpnctl.synthesized import synth_stacks

    split = argv.index("--")
    outdir, allowances, files = Path(argv[0]), frozenset(argv[1:split]), argv[split + 1:]
    try:
        synth_stacks([load_environment(Path(file)) for file in files], outdir, allowances)
    except GuardError as exc:
        print(exc, file=sys.stderr)
        return GUARD_REFUSED
    return 0
