"""The review of an environment with shards: one review per stack (its base and each shard), planned side by side.

Only the stacks under review are initialized and planned (a CI matrix job reviews one shard: the review
synthesized it alone). The moves the config asks for (a site put in another shard) are found in every stack's
state, read from S3 once the inits are done (vpnctl/shard_moves.py, vpnctl/remote_states.py). Planned as they are,
those states would destroy the site in one stack and create it in the other; `vpnctl deploy` moves the state
instead, so the review leaves the moved resources out of both stacks' changes, impact and cost, and says
what moves.
An environment without shard blocks is reviewed as before (vpnctl/review/plan_review.py).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from stacks.config import LoadedEnvironment, guard_manifest
from vpn_schema.naming import stack_names
from vpnctl.review.plan_review import plan_for_review, review_environment, review_plan
from vpnctl.review.report import EnvironmentReview
from vpnctl.runner import prepare, run_files
from vpnctl.shard_moves import ShardMoveError, find_moves
from vpnctl.synthesized import read_stack
from vpnctl.terraform import TerraformError


def review_stacks(
    environment: LoadedEnvironment, outdir: Path, build: Path, *, aws=None, stacks: frozenset[str] | None = None,
    allow_replace: frozenset[str] = frozenset(), allow_destroy: frozenset[str] = frozenset(),
    allow_impact: frozenset[str] = frozenset(), allow_change: frozenset[str] = frozenset(), progress=None,
    parallelism: int | None = None, jobs: int = 1, secret_values: dict[str, str] | None = None,
) -> list[EnvironmentReview]:
    """The reviews of `environment`'s stacks (those in `stacks`, default every one), base first."""
    names = stack_names(environment.name, environment.config)
    if names == [environment.name]:
        return [review_environment(environment, outdir, build, aws=aws, allow_replace=allow_replace,
                                   allow_destroy=allow_destroy, allow_impact=allow_impact, allow_change=allow_change,
                                   progress=progress, parallelism=parallelism, policy=False,
                                   secret_values=secret_values)]
    identity = guard_manifest.refusals(environment.source, environment.name, environment.config, allow_change,
                                       "--allow-change {}")
    if identity:
        return [EnvironmentReview(environment.name, identity_refusals=identity)]
    wanted = [name for name in names if stacks is None or name in stacks]
    # A failure before the plans is each reviewed stack's (a matrix job's parts name its stack), or the whole
    # environment's when every stack is under review.
    failed = wanted if stacks is not None else [environment.name]
    terraforms = _prepared(environment, outdir, build, aws, wanted, progress, parallelism, jobs, secret_values)
    if isinstance(terraforms, TerraformError):
        return [EnvironmentReview(name, error=f"terraform init failed: {terraforms}", error_output=terraforms.output)
                for name in failed]
    try:
        moves = find_moves(environment, build, aws)
    except ShardMoveError as exc:
        return [EnvironmentReview(name, error=str(exc)) for name in failed]

    def one(stack: str) -> EnvironmentReview:
        outcome = plan_for_review(environment, outdir, build, aws=aws, allow_replace=allow_replace,
                                  secret_values=secret_values, progress=progress, parallelism=parallelism,
                                  stack=stack, terraform=terraforms[stack])
        involved = [move for move in moves if stack in (move.source, move.target)]
        review = review_plan(environment, read_stack(outdir, stack), outcome, allow_destroy=allow_destroy,
                             allow_impact=allow_impact, stack=stack,
                             moved=frozenset(a for move in involved for a in move.addresses))
        review.moves = [move.words() for move in involved]
        return review

    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="stack") as pool:
        return list(pool.map(one, wanted))


def _prepared(environment, outdir, build, aws, names, progress, parallelism, jobs, secret_values):
    """Each of the stacks `names` initialized (the first alone: it seeds a local emulator), or the error of a
    failed init."""
    def one(stack: str):
        files = run_files(build, stack, "review")
        return prepare(environment, outdir, build, aws, secret_values, progress=progress, log_file=files.log,
                       parallelism=parallelism, stack=stack)

    try:
        base = one(names[0])
        with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="stack") as pool:
            return {names[0]: base, **dict(zip(names[1:], pool.map(one, names[1:]), strict=True))}
    except TerraformError as exc:
        return exc

