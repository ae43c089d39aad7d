"""The frame around the commands that synthesize and run Terraform: the environments held in this checkout,
progress on stderr, Ctrl-C and SIGTERM passed on to Terraform, and the prod guard's refusals before any work."""

from __future__ import annotations

import sys
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpnctl.commands.options import outdir, usage_error
from vpnctl.exit_status import EXIT_CONFIG, EXIT_REFUSED


def guarded(run):
    """Runs a synth-and-more step; an --allow-replace address that names no guarded resource exits 2."""
    from stacks.config.allowances import GuardError

    try:
        return run()
    except GuardError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG


def watched(args, environments: list[LoadedEnvironment], work) -> int:
    """A Terraform command's frame: the environments held in this checkout, progress on stderr, and
    Ctrl-C and SIGTERM passed on to Terraform (vpnctl.interrupts); `work(progress)` does the rest."""
    from vpnctl.checkout_lock import holding
    from vpnctl.interrupts import forwarded
    from vpnctl.progress import Progress

    with holding(outdir(args), [env.name for env in environments], args.command), Progress() as progress, \
            forwarded(lambda text: progress.say(text, "warning")):
        return guarded(lambda: work(progress))


def identity_refused(args, environments: list[LoadedEnvironment], *, refuse: bool) -> int:
    """Exit 2 for an --allow-change that matches no change of identity; with `refuse`, exit 3 (before synth)
    for a production environment whose identity changed against its guard manifest and isn't allowed. The
    review refuses in its own rendering instead (vpnctl/review/plan_review.py), for the pull request's comment."""
    from stacks.config.guard_manifest import identity_changes, refusals

    allowed = frozenset(args.allow_change)
    changes = {c.allowance for env in environments for c in identity_changes(Path(env.source), env.name, env.config)}
    if allowed - changes:
        usage_error(args, f"--allow-change {', '.join(sorted(allowed - changes))}: no such change of identity")
    lines = [line for env in environments
             for line in refusals(env.source, env.name, env.config, allowed, "--allow-change {}")]
    if lines and refuse:
        print("\n".join(f"refused by the prod guard: {line}" for line in lines), file=sys.stderr)
        return EXIT_REFUSED
    return 0
