"""The synthesized stacks: writing them (the only vpnctl module that loads cdktf), finding and reading them.
An environment is one stack, or with shard blocks its base stack and one stack per shard, each in a folder of
its own named after the stack."""

from __future__ import annotations

import json
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpn_schema.naming import stack_names

STACK_FILE = "cdk.tf.json"
METADATA = "//"  # cdktf's construct metadata in a synthesized body: a JSON comment to Terraform


def synth_stacks(
    environments: list[LoadedEnvironment], outdir: Path, allow_replace: frozenset[str] = frozenset(),
    bound: bool = True, only: dict[str, frozenset[str]] | None = None,
) -> Path:
    """`only`: per environment, the stacks to synthesize (stacks.app.build_app); default every one."""
    from stacks.app import synth

    return synth(environments, outdir, allow_replace, bound, only)


def unguarded_main(argv: list[str]) -> int:
    """The review's second synth, in a process of its own: ENVIRONMENTS_DIR NAME OUTDIR ADDRESS..., the guard
    lifted for bare addresses (what Terraform refused), to show which attributes force the replacement."""
    from stacks.config import load_environments

    directory, name, outdir, *addresses = argv
    synth_stacks(load_environments(Path(directory), [name]), Path(outdir), frozenset(addresses), bound=False)
    return 0


def stack_dir(outdir: Path, stack: str) -> Path:
    """A stack's synthesized folder: an environment's base stack by the environment's name, a shard's stack by
    its own (`prod-emea`: vpn_schema.naming.stack_names)."""
    return outdir / "stacks" / stack


def stack_file(outdir: Path, stack: str) -> Path:
    """A stack's synthesized Terraform JSON."""
    return stack_dir(outdir, stack) / STACK_FILE


def read_stack(outdir: Path, stack: str) -> dict:
    return json.loads(stack_file(outdir, stack).read_text())


def stack_dirs(outdir: Path, environment: LoadedEnvironment) -> dict[str, Path]:
    """Stack name -> synthesized folder, for every stack of `environment`, the base first (one entry without
    shard blocks)."""
    return {stack: stack_dir(outdir, stack) for stack in stack_names(environment.name, environment.config)}


def without_metadata(document):
    """A synthesized document (or part of one) as Terraform reads it: every METADATA key left out."""
    if isinstance(document, dict):
        return {key: without_metadata(value) for key, value in document.items() if key != METADATA}
    if isinstance(document, list):
        return [without_metadata(value) for value in document]
    return document
