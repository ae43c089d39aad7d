"""Synthesizes validated environments; the only vpnctl module that loads cdktf."""

from __future__ import annotations

import os
from pathlib import Path

from stacks.config import LoadedEnvironment


def synth_stacks(environments: list[LoadedEnvironment], outdir: Path) -> Path:
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from stacks.app import synth

    return synth(environments, outdir)


def stack_dir(outdir: Path, environment: str) -> Path:
    return outdir / "stacks" / environment
