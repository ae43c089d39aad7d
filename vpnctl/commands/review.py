"""`vpnctl review`: plan each environment, explain the plan for a pull request (replacements, their
consequences, what the prod guard refuses) and check policy; the review per environment is
vpnctl/review/plan_review.py."""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpnctl.commands.options import (
    allow_change_option,
    allow_destroy_option,
    allow_impact_option,
    allowed,
    jobs_option,
    outdir,
    terraform_command,
)
from vpnctl.commands.terraform_frame import identity_refused, watched
from vpnctl.exit_status import worst


def add_parser(commands) -> None:
    command = terraform_command(
        commands, "review", run, "plan, then explain it for a pull request: replacements, consequences, policy",
        "review a plan against the local AWS emulator instead of AWS",
    )
    allow_destroy_option(command)
    allow_change_option(command)
    allow_impact_option(command)
    command.add_argument("--markdown", type=Path, default=None, help="also write the review as Markdown to this file")
    command.add_argument("--parts", type=Path, default=None,
                         help="also write the comment's parts as JSON, for `vpnctl comment` to merge (a CI matrix)")
    command.add_argument("--no-policy", action="store_true", help="skip the checkov policy pack")
    command.add_argument("--stack", action="append", default=[], metavar="STACK",
                         help="review exactly this stack, as `vpnctl stacks` lists it, in place of environment names: "
                              "an environment's name is its base stack alone (one job of a CI matrix; repeatable)")
    jobs_option(command)


def run(args, environments: list[LoadedEnvironment]) -> int:
    identity_refused(args, environments, refuse=False)
    return watched(args, environments, lambda progress: review_environments(
        environments, outdir(args), args.build, local=args.local, allow_replace=allowed(args),
        allow_destroy=frozenset(args.allow_destroy), markdown_file=args.markdown, policy=not args.no_policy,
        parts_file=args.parts,
        progress=progress, allow_change=frozenset(args.allow_change), allow_impact=frozenset(args.allow_impact),
        parallelism=args.parallelism, jobs=args.jobs, stacks=getattr(args, "stacks", None),
    ))


def review_environments(
    environments: list[LoadedEnvironment],
    outdir: Path,
    build: Path,
    *,
    local: bool,
    allow_replace: frozenset[str] = frozenset(),
    markdown_file: Path | None = None,
    parts_file: Path | None = None,
    progress=None,
    policy: bool = True,
    jobs: int = 1,
    stacks: dict[str, frozenset[str]] | None = None,
    emulator=None,
    **review_options,
) -> int:
    """Reviews the environments, `jobs` at a time, each stack of an environment with shards side by side
    (`review_options`: allow_destroy, allow_change, allow_impact, parallelism, as
    vpnctl.review.stack_reviews.review_stacks takes them; `stacks`: per environment, the stacks to review,
    default all), with one checkov run over every stack beside the plans; then prints the reviews in the order
    given. The worst status. `emulator`: a local AWS already running, used for every environment."""
    from vpnctl.review import render
    from vpnctl.review.stack_reviews import review_stacks
    from vpnctl.runner import early_emulators, run_each, synthesize

    reviews: dict[str, object] = {}
    with early_emulators(environments, build, local=local, progress=progress, emulator=emulator, jobs=jobs) as early, \
            _early_checkov(policy) as checkov, ThreadPoolExecutor(max_workers=1, thread_name_prefix="policy") as pool:
        synthesize(environments, outdir, allow_replace, progress, only=stacks)
        scanning = pool.submit(_scan, environments, outdir, progress, stacks, checkov) if policy else None

        def step(environment: LoadedEnvironment, aws) -> int:
            found = review_stacks(environment, outdir, build, aws=aws, allow_replace=allow_replace,
                                  progress=progress, jobs=jobs, stacks=(stacks or {}).get(environment.name),
                                  **review_options)
            reviews[environment.name] = found
            return worst([review.exit_status for review in found])

        status = run_each(environments, build, step, local=local, progress=progress, jobs=jobs, emulator=emulator,
                          early=early)
        ordered = [review for env in environments for review in reviews.get(env.name, [])]
        if scanning is not None:
            status = worst([status, *_attach_policy(ordered, outdir, scanning)])
    for review in ordered:
        if review.error_output:  # the whole of Terraform's words, for the CI log; the comment has the summary
            print(f"{review.environment}: {review.error}\n{review.error_output.rstrip()}", file=sys.stderr)
    print(render.terminal(ordered), end="")
    if markdown_file is not None:
        markdown_file.parent.mkdir(parents=True, exist_ok=True)
        markdown_file.write_text(render.markdown(ordered))
        print(f"review: {markdown_file}")
    if parts_file is not None:
        parts_file.parent.mkdir(parents=True, exist_ok=True)
        parts_file.write_text(json.dumps({**render.parts(ordered), "status": status}, indent=1) + "\n")
    return status


def _early_checkov(policy: bool):
    """With `policy`, checkov started now, to load while synth runs (vpnctl/policy/checkov_process.py); None
    without, or when checkov is missing (the scan then says so, in each review)."""
    from vpnctl.policy.checkov_process import CheckovProcess
    from vpnctl.policy.scan import PolicyError, checkov_binary

    try:
        return CheckovProcess(checkov_binary()) if policy else nullcontext()
    except PolicyError:
        return nullcontext()


def _scan(environments: list[LoadedEnvironment], outdir: Path, progress, stacks: dict[str, frozenset[str]] | None,
          checkov=None):
    """The checkov policy pack over every stack under review at once (`stacks`, as review_environments takes it:
    a matrix job's one shard is all its job checks), while Terraform plans; `checkov`: started early."""
    from vpn_schema.naming import stack_names
    from vpnctl.policy.scan import scan_tiers
    from vpnctl.synthesized import stack_file

    with progress.step("", "running the checkov policy pack") if progress else nullcontext():
        return scan_tiers({stack_file(outdir, stack): env.config.tier for env in environments
                           for stack in stack_names(env.name, env.config)
                           if not (stacks or {}).get(env.name) or stack in stacks[env.name]}, checkov)


def _attach_policy(reviews: list, outdir: Path, scanning) -> list[int]:
    """Each planned review gets its stack's policy report, or the reason the pack did not run."""
    from vpnctl.policy.scan import PolicyError
    from vpnctl.synthesized import stack_file

    try:
        reports, error = scanning.result(), None
    except PolicyError as exc:
        reports, error = {}, str(exc)
    for review in reviews:
        if review.planned:  # a failed plan, or one refused before it ran, gets no policy section
            review.policy = reports.get(stack_file(outdir, review.environment))
            review.policy_error = error
    return [review.exit_status for review in reviews]
