"""`vpnctl review`: plan each environment, explain the plan for a pull request (replacements, their
consequences, what the prod guard refuses) and check policy; the review per environment is
vpnctl/review/plan_review.py."""

from __future__ import annotations

import sys
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpnctl.commands.options import (
    allow_change_option,
    allow_destroy_option,
    allow_impact_option,
    allowed,
    outdir,
    terraform_command,
)
from vpnctl.commands.terraform_frame import identity_refused, watched


def add_parser(commands) -> None:
    command = terraform_command(
        commands, "review", run, "plan, then explain it for a pull request: replacements, consequences, policy",
        "review a plan against the local AWS emulator instead of AWS",
    )
    allow_destroy_option(command)
    allow_change_option(command)
    allow_impact_option(command)
    command.add_argument("--markdown", type=Path, default=None, help="also write the review as Markdown to this file")
    command.add_argument("--no-policy", action="store_true", help="skip the checkov policy pack")


def run(args, environments: list[LoadedEnvironment]) -> int:
    identity_refused(args, environments, refuse=False)
    return watched(args, environments, lambda progress: review_environments(
        environments, outdir(args), args.build, local=args.local, allow_replace=allowed(args),
        allow_destroy=frozenset(args.allow_destroy), markdown_file=args.markdown, policy=not args.no_policy,
        progress=progress, allow_change=frozenset(args.allow_change), allow_impact=frozenset(args.allow_impact),
        parallelism=args.parallelism,
    ))


def review_environments(
    environments: list[LoadedEnvironment],
    outdir: Path,
    build: Path,
    *,
    local: bool,
    allow_replace: frozenset[str] = frozenset(),
    markdown_file: Path | None = None,
    progress=None,
    **review_options,
) -> int:
    """Reviews each environment (`review_options`: allow_destroy, policy, allow_change, allow_impact, as
    vpnctl.review.plan_review.review_environment takes them), then prints them all; the worst status."""
    from vpnctl.review import render
    from vpnctl.review.plan_review import review_environment
    from vpnctl.runner import run_environments

    reviews = []

    def step(environment: LoadedEnvironment, aws) -> int:
        reviews.append(review_environment(environment, outdir, build, aws=aws, allow_replace=allow_replace,
                                          progress=progress, **review_options))
        return reviews[-1].exit_status

    status = run_environments(environments, outdir, build, step, local=local, allow_replace=allow_replace,
                              progress=progress)
    for review in reviews:
        if review.error_output:  # the whole of Terraform's words, for the CI log; the comment has the summary
            print(f"{review.environment}: {review.error}\n{review.error_output.rstrip()}", file=sys.stderr)
    print(render.terminal(reviews), end="")
    if markdown_file is not None:
        markdown_file.parent.mkdir(parents=True, exist_ok=True)
        markdown_file.write_text(render.markdown(reviews))
        print(f"review: {markdown_file}")
    return status
