"""One environment's deploy (`vpnctl deploy`): plan, show the plan's review, ask, then apply exactly that
plan; and what a network engineer needs next: each site's tunnel outside IPs and each Client VPN DNS name.

Against AWS the plan is shown and applied only after `yes` on a terminal (or --auto-approve), as
`terraform apply` and `cdktf deploy` do. Locally (--local) it approves by itself.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from stacks.config import LoadedEnvironment, guard_manifest
from vpn_schema.naming import client_vpn_output, site_tunnels_output
from vpnctl.exit_status import EXIT_FAILED, EXIT_REFUSED
from vpnctl.gateway_moves import replace_options
from vpnctl.interrupts import Interrupted
from vpnctl.pki.store import crl_warnings
from vpnctl.review import render
from vpnctl.review.impact_guard import OPTION
from vpnctl.review.plan_review import PlanOutcome, refused_addresses, review_plan
from vpnctl.runner import prepare, run_files
from vpnctl.state_lock import interruption_report
from vpnctl.state_move import StateMoveError, allowed_move, move_state
from vpnctl.synthesized import read_stack
from vpnctl.terraform import TerraformError, action_of


def deploy_summary(environment: LoadedEnvironment, outputs: dict, seconds: float) -> str:
    lines = [f"{environment.name}: deployed in {seconds:.0f} s"]
    for site in sorted(environment.config.sites):
        tunnels = outputs.get(site_tunnels_output(site), {})
        lines.append(
            f"  site {site}: tunnel 1 {tunnels.get('tunnel1_address', '?')}, tunnel 2 {tunnels.get('tunnel2_address', '?')}"
        )
    for name in sorted(environment.config.client_vpn):
        endpoint = outputs.get(client_vpn_output(name), {})
        lines.append(f"  client_vpn {name}: {endpoint.get('dns_name', '?')} ({endpoint.get('id', '?')})")
    return "\n".join(lines)


class DeployRefused(RuntimeError):
    """The prod guard refuses the plan, or nobody approved it; nothing was applied."""

    def __init__(self, message: str, status: int = EXIT_REFUSED):
        super().__init__(message)
        self.status = status


@dataclass
class Approval:
    """How a plan gets its go-ahead: by itself (--local, --auto-approve) or by `yes` typed at `ask`."""

    automatic: bool
    ask: object = input  # the prompt function; tests give their own

    def granted(self, environment: LoadedEnvironment, progress) -> bool:
        if self.automatic:
            return True
        question = (f"Apply this plan to {environment.name} (account {environment.config.account_id}, "
                    f"{environment.config.region})? Only 'yes' applies: ")
        with progress.paused() if progress else ExitStack():
            try:
                return self.ask(question).strip() == "yes"
            except EOFError:
                return False


AUTOMATIC = Approval(automatic=True)  # --local, --auto-approve, and callers that reviewed the plan themselves


def deploy_environment(
    environment: LoadedEnvironment, outdir: Path, build: Path, aws=None, allow_destroy: frozenset[str] = frozenset(),
    *, approval: Approval, progress=None, allow_change: frozenset[str] = frozenset(),
    allow_impact: frozenset[str] = frozenset(), parallelism: int | None = None, stack: str | None = None,
) -> dict:
    """Plans one stack of `environment` (`stack`, default its base), shows the review, checks the guard, asks,
    applies exactly that plan; returns the stack's outputs.

    Applying the saved plan, not a fresh one, means what was checked and approved is what runs. A changed
    identity (stacks/config/guard_manifest.py) that `allow_change` doesn't name stops it before Terraform.
    """
    refused = guard_manifest.refusals(environment.source, environment.name, environment.config, allow_change,
                                      "--allow-change {}")
    if refused:
        raise DeployRefused("; ".join(refused))
    stack = stack or environment.name
    move = allowed_move(environment, allow_change) if stack == environment.name else None
    files = run_files(build, stack, "deploy")
    terraform = None
    applying: list[bool] = []  # set once the apply starts: the report of an interruption depends on it
    try:
        terraform = prepare(environment, outdir, build, aws, progress=progress, log_file=files.log,
                            before_init=(lambda: _move_state(environment, move, aws)) if move else None,
                            parallelism=parallelism, stack=stack)
        return _plan_and_apply(environment, outdir, terraform, files, (allow_destroy, allow_impact), approval, progress,
                               applying)
    except Interrupted as exc:
        exc.report = interruption_report(environment, outdir, terraform, aws, exc, applied=bool(applying))
        raise
    finally:
        files.plan.unlink(missing_ok=True)


def _move_state(environment: LoadedEnvironment, move, aws) -> None:
    """Before Terraform reads the state at its new place: copy it there (vpnctl/state_move.py)."""
    try:
        print(f"{environment.name}: {move_state(move, aws, environment.config.state.kms_key_id)}", file=sys.stderr)
    except StateMoveError as exc:
        raise DeployRefused(f"the state can't be moved: {exc}") from None


def _plan_and_apply(environment, outdir, terraform, files, allowed, approval, progress, applying) -> dict:
    """`allowed`: (--allow-destroy, --allow-impact) allowances."""
    pki_dir = terraform.env.get("TF_VAR_pki_dir") or os.environ.get("TF_VAR_pki_dir")
    for warning in crl_warnings(environment.config, Path(pki_dir)) if pki_dir else []:
        print(f"{environment.name}: warning: {warning}", file=sys.stderr)
    stack = terraform.name or environment.name
    synthesized = read_stack(outdir, stack)
    try:
        plan = terraform.plan(files.plan, *replace_options(terraform, synthesized), keep=True)
    except TerraformError as exc:
        refused = refused_addresses(exc.output)
        if refused:
            raise DeployRefused(f"the plan replaces {', '.join(refused)}, guarded by prevent_destroy; "
                                f"`vpnctl review {stack}` shows which attributes force it") from exc
        raise
    if not show_and_check(environment, outdir, plan, *allowed, approval, stack=stack):
        return terraform.outputs()  # nothing to apply, nothing to ask
    if not approval.granted(environment, progress):
        raise DeployRefused("not applied: the answer was not 'yes'", EXIT_FAILED)
    applying.append(True)
    terraform.apply(str(files.plan), plan=plan)
    return terraform.outputs()


def show_and_check(environment, outdir: Path, plan: dict, allow_destroy: frozenset[str], allow_impact: frozenset[str],
                   approval: Approval, stack: str | None = None) -> bool:
    """The plan's review on stdout (its summary line alone when approval is automatic); refuses what the
    guard refuses. Whether the plan changes anything."""
    stack = stack or environment.name
    review = review_plan(environment, read_stack(outdir, stack), PlanOutcome(plan), allow_destroy=allow_destroy,
                         allow_impact=allow_impact, stack=stack)
    text = render.terminal([review]) if not approval.automatic else render.summary_line(review) + "\n"
    print(text, end="", flush=True)
    if review.refused_destroys or review.impact_refusals or review.error:
        raise DeployRefused("; ".join(
            [f"the plan removes {a}, which carries traffic or is guarded; if intended, add --allow-destroy "
             f"{review.allowance(a)}" for a in review.refused_destroys]
            + [f"{r.subject}: {r.words}; once arranged, add {OPTION} {r.allowance}" for r in review.impact_refusals]
            + ([review.error] if review.error else [])
        ))
    return bool(review.changes)


def apply_targeted(environment: LoadedEnvironment, outdir: Path, terraform, files, addresses: list[str], *,
                   approval: Approval, progress=None) -> dict:
    """Plans exactly `addresses` (`-target`, and `-replace` so what they run runs again, whatever the state
    says), shows the review, asks, applies that plan; returns the plan. `files`: the run's (runner.run_files).

    Refuses (DeployRefused, exit 1) a plan that would change anything else: a config that differs from what
    is deployed goes through `vpnctl deploy` and its review, never along with another command's change."""
    options = [f"-{kind}={address}" for address in addresses for kind in ("target", "replace")]
    applying: list[bool] = []
    try:
        plan = terraform.plan(files.plan, *options, keep=True)
        changed = {c["address"] for c in plan.get("resource_changes", [])
                   if c.get("mode") == "managed" and action_of(c["change"]["actions"])}
        if changed - set(addresses):
            raise DeployRefused(f"the plan also changes {', '.join(sorted(changed - set(addresses)))}: what is "
                                f"deployed differs from the config; `vpnctl deploy {environment.name}` reviews and "
                                "applies that first", EXIT_FAILED)
        if not show_and_check(environment, outdir, plan, frozenset(), frozenset(), approval):
            return plan
        if not approval.granted(environment, progress):
            raise DeployRefused("not applied: the answer was not 'yes'", EXIT_FAILED)
        applying.append(True)
        terraform.apply(str(files.plan), plan=plan)
        return plan
    except Interrupted as exc:
        exc.report = interruption_report(environment, outdir, terraform, None, exc, applied=bool(applying))
        raise
    finally:
        files.plan.unlink(missing_ok=True)
