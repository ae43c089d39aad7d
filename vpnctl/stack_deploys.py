"""Deploying an environment with shards: first the state moves the config asks for (a site put in another shard:
vpnctl/shard_moves.py), before any stack is planned, so no stack plans to destroy a site that only moves and
the base's record of its shards (`shard_stacks`) still names a removed shard's stack; then the base stack (what
the shards read), then each shard. An environment without shard blocks is one stack, deployed as before
(vpnctl/plan_and_apply.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpn_schema.naming import stack_names
from vpnctl.plan_and_apply import DeployRefused, deploy_environment
from vpnctl.runner import prepare, run_files
from vpnctl.shard_moves import ShardMoveError, move_sites


def deploy_stacks(environment: LoadedEnvironment, outdir: Path, build: Path, aws=None, *,
                  stacks: frozenset[str] | None = None, **deploy_options) -> dict:
    """Deploys `environment`'s stacks (those in `stacks`, default every one: the base, the moves, the shards, in
    that order); the outputs of every stack deployed, together. `deploy_options` as deploy_environment takes
    them. Each stack's plan is shown and approved on its own."""
    names = stack_names(environment.name, environment.config)
    wanted = [name for name in names if stacks is None or name in stacks]
    if len(names) > 1:
        _move(environment, outdir, build, aws, names, deploy_options.get("parallelism"))
    outputs: dict = {}
    for stack in wanted:  # the base first: stack_names puts it there
        outputs.update(deploy_environment(environment, outdir, build, aws, stack=stack, **deploy_options))
    return outputs


def _move(environment: LoadedEnvironment, outdir: Path, build: Path, aws, names: list[str], parallelism) -> None:
    """The sites whose state is in another stack than the config puts them in, moved, and said on stderr."""
    terraforms = {}
    for stack in names:
        files = run_files(build, stack, "deploy", fresh=False)
        terraforms[stack] = prepare(environment, outdir, build, aws, log_file=files.log, parallelism=parallelism,
                                    stack=stack)
    try:
        moves = move_sites(environment, terraforms, build)
    except ShardMoveError as exc:
        raise DeployRefused(f"the sites can't be moved between stacks: {exc}") from None
    for move in moves:
        print(f"{environment.name}: {move.words()}", file=sys.stderr)
