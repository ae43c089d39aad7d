"""One environment's plan, reviewed: planned, explained, and checked against policy (`vpnctl review`), or
explained before a deploy asks (`vpnctl deploy`).

When prod's guard refuses a plan, the review re-plans with the guard lifted for
exactly the refused addresses, so the reviewer sees which attributes force the
replacement, and the review exits with EXIT_REFUSED. That second synth runs in
a subprocess: the jsii runtime serves one thread, and reviews run in threads
in the tests.
"""

from __future__ import annotations

import re
import subprocess
import sys
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from stacks.config import LoadedEnvironment, guard_manifest
from stacks.config.allowances import bound
from vpnctl.policy.scan import PolicyError, scan
from vpnctl.review import impact_guard
from vpnctl.review.changes import resource_changes
from vpnctl.review.impact import assess, by_subject
from vpnctl.review.names import construct_paths
from vpnctl.review.removals import allowance as removal_allowance
from vpnctl.review.removals import takes_away, unguarded_destroys, unused_allowances
from vpnctl.review.report import EnvironmentReview
from vpnctl.runner import plan_environment
from vpnctl.state_move import allowed_move
from vpnctl.synthesized import read_stack, stack_file
from vpnctl.terraform import TerraformError

REFUSAL = re.compile(r"Resource (\S+) has lifecycle\.prevent_destroy set")


def refused_addresses(terraform_output: str) -> list[str]:
    """Addresses whose prevent_destroy made Terraform refuse the plan."""
    return sorted(set(REFUSAL.findall(" ".join(terraform_output.split()))))


@dataclass
class PlanOutcome:
    """What Terraform said of one environment: the plan (from a second plan with the guard lifted when
    the guard refused the first), the addresses it refused, or the error that stopped it."""

    plan: dict | None = None
    refused: list[str] = field(default_factory=list)
    error: str | None = None
    error_output: str = ""
    replanned_from: Path | None = None  # the synthesized folder of the second plan, if any
    allowances: dict[str, str] = field(default_factory=dict)  # refused address -> ADDRESS@DIGEST to allow it


def plan_for_review(
    environment: LoadedEnvironment, outdir: Path, build: Path, *, aws=None, allow_replace: frozenset[str] = frozenset(),
    secret_values: dict[str, str] | None = None, progress=None, backend_config: tuple[str, ...] = (),
    parallelism: int | None = None, stack: str | None = None, terraform=None,
) -> PlanOutcome:
    """Plans one stack of an environment already synthesized to `outdir` (`stack`, default its base; with
    `terraform`, one initialized there); on a refusal, plans again unguarded. `backend_config` points the plans
    at a state not yet moved (vpnctl/state_move.py)."""
    stack = stack or environment.name
    try:
        return PlanOutcome(plan_environment(environment, outdir, build, aws=aws, secret_values=secret_values,
                                            progress=progress, command="review", backend_config=backend_config,
                                            parallelism=parallelism, stack=stack, terraform=terraform))
    except TerraformError as exc:
        outcome = PlanOutcome(refused=refused_addresses(exc.output))
        if not outcome.refused:
            outcome.error, outcome.error_output = _first_error(exc), exc.output
            return outcome
    outcome.replanned_from = build.resolve() / "review-unguarded" / stack  # one per stack: they plan side by side
    outcome.replanned_from.mkdir(parents=True, exist_ok=True)  # cdktf makes only the last folder of its outdir
    try:
        with progress.step(stack, "synthesizing with the guard lifted") if progress else nullcontext():
            _synth_in_subprocess(environment, outcome.replanned_from, allow_replace | set(outcome.refused))
        outcome.plan = plan_environment(environment, outcome.replanned_from, build, aws=aws, secret_values=secret_values,
                                        progress=progress, command="review", fresh_log=False,
                                        backend_config=backend_config, parallelism=parallelism, stack=stack)
        outcome.allowances = allowances(outcome.refused, read_stack(outcome.replanned_from, stack))
    except (TerraformError, subprocess.CalledProcessError) as again:
        outcome.error = f"the plan with the guard lifted failed too: {_first_error(again)}"
        outcome.error_output = getattr(again, "output", None) or getattr(again, "stderr", None) or ""
    return outcome


def allowances(refused: list[str], unguarded: dict) -> dict[str, str]:
    """For each refused address, the `--allow-replace` that lifts the guard for exactly this change: bound to
    the resource as the unguarded synth (what the reviewer sees planned) has it."""
    return {address: bound(unguarded, address) for address in refused}


def review_plan(
    environment: LoadedEnvironment,
    synthesized: dict,
    outcome: PlanOutcome,
    *,
    allow_destroy: frozenset[str] = frozenset(),
    allow_impact: frozenset[str] = frozenset(),
    stack: str | None = None,
    moved: frozenset[str] = frozenset(),
) -> EnvironmentReview:
    """The review of a plan outcome of one stack of `environment` (`stack`, default its base); `synthesized` is the
    stack's cdk.tf.json as the reviewed change synthesizes it (its construct paths name things; its lifecycles
    say which guards an allowance lifted). `moved`: addresses whose state `vpnctl deploy` moves between stacks
    before it plans (vpnctl/shard_moves.py), left out of the changes."""
    review = EnvironmentReview(stack or environment.name, refused=list(outcome.refused), error=outcome.error,
                               error_output=outcome.error_output, allowances=dict(outcome.allowances))
    if outcome.plan is None:
        return review
    review.planned = True
    plan = _without(outcome.plan, moved)
    paths = construct_paths(synthesized)
    review.changes = resource_changes(plan, paths)
    review.impacts = by_subject(review.changes, assess(review.changes, plan, paths), paths)
    guarded = environment.config.prevent_destroy
    # Terraform refuses replacing a guarded resource; what prevent_destroy can't see is refused here.
    review.refused_destroys = unguarded_destroys(review.changes, guarded, allow_destroy)
    review.allowances.update({c.address: removal_allowance(c) for c in review.changes if takes_away(c)})
    review.impact_refusals = impact_guard.refusals(review.impacts, review.changes, synthesized, production=guarded,
                                                   refused=review.refused, allow_impact=allow_impact)
    from vpnctl.cost.words import plan_cost  # the price table is read only when a plan is reviewed

    review.cost = plan_cost(plan, synthesized, environment)
    unused = unused_allowances(review.changes, allow_destroy) + impact_guard.unused(review.impacts, synthesized,
                                                                                   allow_impact)
    if unused:
        review.error = "; ".join(unused)
    return review


def _without(plan: dict, moved: frozenset[str]) -> dict:
    """The plan without the changes of `moved` addresses."""
    if not moved:
        return plan
    return {**plan, "resource_changes": [c for c in plan.get("resource_changes", []) if c["address"] not in moved]}


def review_environment(
    environment: LoadedEnvironment, outdir: Path, build: Path, *, aws=None, allow_replace: frozenset[str] = frozenset(),
    allow_destroy: frozenset[str] = frozenset(), secret_values: dict[str, str] | None = None, policy: bool = True,
    progress=None, allow_change: frozenset[str] = frozenset(), allow_impact: frozenset[str] = frozenset(),
    parallelism: int | None = None,
) -> EnvironmentReview:
    """Reviews one environment already synthesized to `outdir` (with `allow_replace`); a changed identity that
    `allow_change` doesn't name is refused without a plan (stacks/config/guard_manifest.py)."""
    identity = guard_manifest.refusals(environment.source, environment.name, environment.config, allow_change,
                                       "--allow-change {}")
    if identity:
        return EnvironmentReview(environment.name, identity_refusals=identity)
    move = allowed_move(environment, allow_change)
    synthesized = stack_file(outdir, environment.name)
    outcome = plan_for_review(environment, outdir, build, aws=aws, allow_replace=allow_replace,
                              secret_values=secret_values, progress=progress,
                              backend_config=tuple(move.backend_config()) if move else (), parallelism=parallelism)
    review = review_plan(environment, read_stack(outdir, environment.name), outcome, allow_destroy=allow_destroy,
                         allow_impact=allow_impact)
    review.state_move = move.words() if move else None
    if policy and outcome.plan is not None:
        try:
            with progress.step(environment.name, "running the checkov policy pack") if progress else nullcontext():
                review.policy = scan([synthesized], environment.config.tier)[synthesized]
        except PolicyError as exc:
            review.policy_error = str(exc)
    return review


def _synth_in_subprocess(environment: LoadedEnvironment, outdir: Path, allow_replace: set[str]) -> None:
    """The unguarded synth (bare addresses: what Terraform refused) in a process of its own."""
    entry = "import sys; from vpnctl.synthesized import unguarded_main; sys.exit(unguarded_main(sys.argv[1:]))"
    command = [sys.executable, "-c", entry,
               str(Path(environment.source).resolve().parent), environment.name, str(outdir), *sorted(allow_replace)]
    subprocess.run(command, check=True, capture_output=True, text=True)


def _first_error(exc: Exception) -> str:
    """The first error line Terraform printed (its summary), else the exception."""
    output = getattr(exc, "output", None) or getattr(exc, "stderr", None) or ""
    for line in output.splitlines():
        if line.strip().lower().startswith("error:"):
            return line.strip()
    return str(exc)
