"""Synthesizes validated environments; the only vpnctl module that loads cdktf."""

from __future__ import annotations

from pathlib import Path

from stacks.config import LoadedEnvironment


def synth_stacks(
    environments: list[LoadedEnvironment], outdir: Path, allow_replace: frozenset[str] = frozenset()
) -> Path:
    from stacks.app import synth

    return synth(environments, outdir, allow_replace)


def stack_dir(outdir: Path, environment: str) -> Path:
    return outdir / "stacks" / environment
