"""The synthesized stacks: writing them (the only vpnctl module that loads cdktf), finding and reading them."""

from __future__ import annotations

import json
from pathlib import Path

from stacks.config import LoadedEnvironment

STACK_FILE = "cdk.tf.json"


def synth_stacks(
    environments: list[LoadedEnvironment], outdir: Path, allow_replace: frozenset[str] = frozenset(),
    bound: bool = True,
) -> Path:
    from stacks.app import synth

    return synth(environments, outdir, allow_replace, bound)


def unguarded_main(argv: list[str]) -> int:
    """The review's second synth, in a process of its own: ENVIRONMENTS_DIR NAME OUTDIR ADDRESS..., the guard
    lifted for bare addresses (what Terraform refused), to show which attributes force the replacement."""
    from stacks.config import load_environments

    directory, name, outdir, *addresses = argv
    synth_stacks(load_environments(Path(directory), [name]), Path(outdir), frozenset(addresses), bound=False)
    return 0


def stack_dir(outdir: Path, environment: str) -> Path:
    return outdir / "stacks" / environment


def stack_file(outdir: Path, environment: str) -> Path:
    """An environment's synthesized Terraform JSON."""
    return stack_dir(outdir, environment) / STACK_FILE


def read_stack(outdir: Path, environment: str) -> dict:
    return json.loads(stack_file(outdir, environment).read_text())
