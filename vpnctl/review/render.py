"""The review as Markdown for a pull-request comment, and as a compact terminal view."""

from __future__ import annotations

from vpnctl.review.changes import ResourceChange, counts
from vpnctl.review.report import EnvironmentReview

MARKER = "<!-- vpnctl-review -->"  # the workflow finds and updates its one comment by this
HEADINGS = (("replace", "Replaced"), ("delete", "Destroyed"), ("update", "Changed in place"), ("create", "Added"))
SYMBOLS = {"create": "+", "update": "~", "replace": "-/+", "delete": "-"}


def summary_line(review: EnvironmentReview) -> str:
    if review.error and not review.changes:
        return f"{review.environment}: the plan failed"
    totals = counts(review.changes)
    return (
        f"{review.environment}: {totals['create']} to add, {totals['update']} to change, "
        f"{totals['replace']} to replace, {totals['delete']} to destroy"
    )


def markdown(reviews: list[EnvironmentReview]) -> str:
    lines = [MARKER, "## VPN plan review", ""]
    for review in reviews:
        lines += _markdown_environment(review)
    return "\n".join(lines).rstrip() + "\n"


def _markdown_environment(review: EnvironmentReview) -> list[str]:
    lines = [f"### {summary_line(review)}", ""]
    if review.error:
        lines += ["> [!WARNING]", f"> **The plan failed.** {review.error}", ""]
    if review.refused:
        lines += [
            "> [!CAUTION]",
            (f"> **Refused by the prod guard.** `prevent_destroy` stops Terraform from replacing or destroying "
            f"{'this resource' if len(review.refused) == 1 else 'these resources'}, so this plan cannot be applied:"),
        ]
        lines += [f"> - {_name(review, address)} `{address}`" for address in review.refused]
        lines += [
            ">",
            "> The changes below come from a second plan with the guard lifted for exactly "
            f"{'this address' if len(review.refused) == 1 else 'these addresses'}. Once the outage and the "
            "on-premises work are arranged, deploy with "
            f"`vpnctl deploy {review.environment} "
            + " ".join(f"--allow-replace {address}" for address in review.refused)
            + "`.",
            "",
        ]
    if review.refused_destroys:
        lines += [
            "> [!CAUTION]",
            ("> **Refused by the prod guard.** This plan destroys guarded resources whose blocks were removed "
            "from the environment file. `prevent_destroy` does not cover a removed block, so Terraform would "
            "destroy them without a word:"),
        ]
        lines += [f"> - {_name(review, address)} `{address}`" for address in review.refused_destroys]
        lines += [
            ">",
            f"> If that is intended, deploy with `vpnctl deploy {review.environment} "
            + " ".join(f"--allow-destroy {address}" for address in review.refused_destroys)
            + "`.",
            "",
        ]
    if not review.changes and not review.error:
        lines += ["No changes.", ""]
    for action, heading in HEADINGS:
        selected = sorted((c for c in review.changes if c.action == action), key=lambda c: (c.name, c.address))
        if not selected:
            continue
        lines += [f"#### {heading}", ""]
        for change in selected:
            lines += _markdown_change(change)
        lines.append("")
    lines += _markdown_policy(review)
    return lines


def _markdown_change(change: ResourceChange) -> list[str]:
    lines = [f"- **{change.name}** `{change.address}`"]
    if change.action in ("update", "replace"):
        for attribute in change.attributes:
            forced = " **(forces replacement)**" if attribute.forces_replacement and change.action == "replace" else ""
            lines.append(f"  - `{attribute.path}`: `{attribute.before}` → `{attribute.after}`{forced}")
    for consequence in change.consequences:
        marker = "⚠️ " if change.action in ("replace", "delete") else ""
        lines.append(f"  - {marker}{consequence}")
    return lines


def _markdown_policy(review: EnvironmentReview) -> list[str]:
    report = review.policy
    if review.policy_error:
        return ["#### Policy", "", f"⚠️ The policy pack did not run: {review.policy_error}", ""]
    if report is None:
        return []
    skipped = f" Skipped outside the production tier: {', '.join(report.skipped)}." if report.skipped else ""
    if report.ok:
        return ["#### Policy", "", f"✅ checkov: {report.passed} passed, 0 failed.{skipped}", ""]
    lines = ["#### Policy", "", f"❌ checkov: {report.passed} passed, {len(report.failed)} failed.{skipped}", "",
             "| check | resource | rule |", "| --- | --- | --- |"]
    lines += [f"| {f.check_id} | `{f.resource}` | {f.check_name} |" for f in report.failed]
    return lines + [""]


def _name(review: EnvironmentReview, address: str) -> str:
    for change in review.changes:
        if change.address == address:
            return change.name
    return address


def terminal(reviews: list[EnvironmentReview]) -> str:
    lines = []
    for review in reviews:
        status = "  REFUSED by the prod guard" if review.refused or review.refused_destroys else ""
        lines.append(summary_line(review) + status)
        if review.error:
            lines.append(f"  {review.error}")
        for action, _ in HEADINGS:
            for change in sorted((c for c in review.changes if c.action == action), key=lambda c: (c.name, c.address)):
                detail = ""
                if change.action == "replace" and change.forced_by:
                    detail = f"  forced by {', '.join(change.forced_by)}"
                elif change.action == "update":
                    detail = "  " + ", ".join(f"{a.path}: {a.before} → {a.after}" for a in change.attributes)
                lines.append(f"  {SYMBOLS[change.action]:>3} {change.name}{detail}")
                lines += [f"      {consequence}" for consequence in change.consequences]
        for address in review.refused:
            lines.append(f"  refused: {address}  (deploy with --allow-replace {address} once arranged)")
        for address in review.refused_destroys:
            lines.append(f"  refused destroy: {address}  (deploy with --allow-destroy {address} if intended)")
        if review.policy_error:
            lines.append(f"  policy: did not run: {review.policy_error}")
        elif review.policy is not None:
            failed = review.policy.failed
            lines.append(f"  policy: {review.policy.passed} passed, {len(failed)} failed")
            lines += [f"    {f.check_id} {f.resource}: {f.check_name}" for f in failed]
    return "\n".join(lines) + "\n"
