"""Synthesizes validated environments; the only vpnctl module that loads cdktf."""

from __future__ import annotations

from pathlib import Path

from stacks.config import LoadedEnvironment


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
