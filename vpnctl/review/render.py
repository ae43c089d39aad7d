"""The review as Markdown for a pull-request comment, and as a compact terminal view.

Every value from the config or the plan goes through markdown_text: `code()` or `text()` in the
Markdown, `printable()` on the terminal, so a value can't forge the comment or drive the terminal.
Suggested commands quote their addresses for the shell.
"""

from __future__ import annotations

import shlex

from vpnctl.cost import words as cost_words
from vpnctl.review import render_impact
from vpnctl.review.changes import ResourceChange, counts
from vpnctl.review.markdown_text import code, printable, text
from vpnctl.review.report import EnvironmentReview

MARKER = "<!-- vpnctl-review -->"  # the workflow finds and updates its one comment by this
HEADINGS = (("replace", "Replaced"), ("delete", "Destroyed"), ("update", "Changed in place"), ("create", "Added"))
SYMBOLS = {"create": "+", "update": "~", "replace": "-/+", "delete": "-"}


def summary_line(review: EnvironmentReview) -> str:
    """One line for a terminal: control characters in the environment's name are shown escaped."""
    environment = printable(review.environment)
    if review.error and not review.changes:
        return f"{environment}: the plan failed"
    totals = counts(review.changes)
    return (
        f"{environment}: {totals['create']} to add, {totals['update']} to change, "
        f"{totals['replace']} to replace, {totals['delete']} to destroy"
    )


TABLE_HEAD = ("| environment | traffic impact | monthly cost | change |", "| --- | --- | --- | --- |")


def markdown(reviews: list[EnvironmentReview]) -> str:
    """The pull-request comment: what each environment's change does to traffic and to the bill first, then the
    guard's verdicts, the resources and the policy."""
    return merged([parts(reviews)])


def parts(reviews: list[EnvironmentReview]) -> dict[str, list[str]]:
    """The comment's parts for these reviews (`vpnctl review --parts`): the summary table's rows and the
    sections, so that the reviews of several CI jobs (a matrix of stacks) merge into one comment."""
    sections: list[str] = []
    for review in reviews:
        sections += _markdown_environment(review)
    return {"rows": summary_table(reviews)[len(TABLE_HEAD):-1], "sections": sections}


def merged(all_parts: list[dict[str, list[str]]]) -> str:
    """One comment from several reviews' parts, in the order given: one table, then every section."""
    rows = [row for part in all_parts for row in part["rows"]]
    lines = [MARKER, "## VPN plan review", "", *TABLE_HEAD, *rows, ""]
    for part in all_parts:
        lines += part["sections"]
    return "\n".join(lines).rstrip() + "\n"


def summary_table(reviews: list[EnvironmentReview]) -> list[str]:
    lines = list(TABLE_HEAD)
    for review in reviews:
        total, delta = cost_words.summary(review.cost)
        lines.append(f"| {text(review.environment)} | {text(render_impact.headline(review))} | {text(total)} | "
                     f"{text(delta)} |")
    return lines + [""]


def _markdown_environment(review: EnvironmentReview) -> list[str]:
    lines = [f"### {text(summary_line(review))}", ""]
    lines += render_impact.markdown_section(review)
    lines += cost_words.markdown_lines(review.cost) if review.cost is not None and review.changes else []
    lines += _markdown_callouts(review)
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
    return lines + _markdown_policy(review)


def _markdown_callouts(review: EnvironmentReview) -> list[str]:
    """The plan failed, the guard refused, the state moves: said before any resource."""
    lines = []
    if review.error:
        lines += ["> [!WARNING]", f"> **The plan failed.** {text(review.error)}", ""]
    if review.identity_refusals:
        lines += ["> [!CAUTION]", ("> **Refused by the prod guard, before any plan.** This change makes the "
                  "environment another one than the one deployed (its guard manifest says which):")]
        lines += [f"> - {text(line)}" for line in review.identity_refusals] + [""]
    if review.state_move:
        lines += ["> [!NOTE]", f"> **The state moves.** {text(review.state_move)}.", ""]
    if review.moves:
        lines += ["> [!NOTE]", ("> **Sites move between stacks.** `vpnctl deploy` moves their state before it plans, "
                  "so nothing of theirs is destroyed or created, and their tunnels keep their outside IPs:")]
        lines += [f"> - {text(words)}" for words in review.moves] + [""]
    if review.refused:
        lines += [
            "> [!CAUTION]",
            (f"> **Refused by the prod guard.** `prevent_destroy` stops Terraform from replacing or destroying "
            f"{'this resource' if len(review.refused) == 1 else 'these resources'}, so this plan cannot be applied:"),
        ]
        lines += [f"> - {text(_name(review, address))} {code(address)}" for address in review.refused]
        lines += [
            ">",
            "> The changes below come from a second plan with the guard lifted for exactly "
            f"{'this address' if len(review.refused) == 1 else 'these addresses'}. Once the outage and the "
            "on-premises work are arranged, deploy with "
            + code(_command(review.environment, "--allow-replace", [review.allowance(a) for a in review.refused]))
            + ".",
            "",
        ]
    if review.refused_destroys:
        lines += [
            "> [!CAUTION]",
            ("> **Refused by the prod guard.** This plan takes away what `prevent_destroy` can't see: guarded "
            "resources whose blocks were removed from the environment file, or routes, propagations and Client VPN "
            "associations that carry traffic. Terraform would do it without a word:"),
        ]
        lines += [f"> - {text(_name(review, address))} {code(address)}" + _why(review, address)
                  for address in review.refused_destroys]
        lines += [
            ">",
            "> If that is intended, deploy with "
            + code(_command(review.environment, "--allow-destroy",
                            [review.allowance(a) for a in review.refused_destroys]))
            + ".",
            "",
        ]
    return lines + render_impact.markdown_refusals(review)


def _markdown_change(change: ResourceChange) -> list[str]:
    lines = [f"- **{text(change.name)}** {code(change.address)}"]
    if change.action in ("update", "replace"):
        for attribute in change.attributes:
            forced = " **(forces replacement)**" if attribute.forces_replacement and change.action == "replace" else ""
            lines.append(f"  - {code(attribute.path)}: {code(attribute.before)} → {code(attribute.after)}{forced}")
    for consequence in change.consequences:
        marker = "⚠️ " if change.action in ("replace", "delete") else ""
        lines.append(f"  - {marker}{text(consequence)}")
    return lines


def _markdown_policy(review: EnvironmentReview) -> list[str]:
    report = review.policy
    if review.policy_error:
        return ["#### Policy", "", f"⚠️ The policy pack did not run: {text(review.policy_error)}", ""]
    if report is None:
        return []
    skipped = (f" Skipped outside the production tier: {', '.join(text(s) for s in report.skipped)}."
               if report.skipped else "")
    if report.ok:
        return ["#### Policy", "", f"✅ checkov: {report.passed} passed, 0 failed.{skipped}", ""]
    lines = ["#### Policy", "", f"❌ checkov: {report.passed} passed, {len(report.failed)} failed.{skipped}", "",
             "| check | resource | rule |", "| --- | --- | --- |"]
    lines += [f"| {text(f.check_id)} | {code(f.resource, table=True)} | {text(f.check_name)} |" for f in report.failed]
    return lines + [""]


def _why(review: EnvironmentReview, address: str) -> str:
    """The consequence the review names for a refused removal, after a colon."""
    for change in review.changes:
        if change.address == address and change.consequences:
            return ": " + text(change.consequences[0])
    return ""


def _command(environment: str, option: str, addresses: list[str]) -> str:
    """The deploy command that lifts the guard for `addresses`, quoted for a shell."""
    return shlex.join(["vpnctl", "deploy", environment, *(word for a in addresses for word in (option, a))])


def _name(review: EnvironmentReview, address: str) -> str:
    for change in review.changes:
        if change.address == address:
            return change.name
    return address


def terminal(reviews: list[EnvironmentReview]) -> str:
    lines = []
    for review in reviews:
        refused = review.refused or review.refused_destroys or review.identity_refusals or review.impact_refusals
        lines.append(summary_line(review) + ("  REFUSED by the prod guard" if refused else ""))
        lines += [f"  refused: {line}" for line in review.identity_refusals]
        lines += [f"  {review.state_move}"] if review.state_move else []
        lines += [f"  moves: {words}" for words in review.moves]
        if review.error:
            lines.append(f"  {review.error}")
        lines += render_impact.terminal_lines(review)
        lines += cost_words.terminal_lines(review.cost) if review.cost is not None and review.changes else []
        lines += _terminal_changes(review)
        if review.policy_error:
            lines.append(f"  policy: did not run: {review.policy_error}")
        elif review.policy is not None:
            failed = review.policy.failed
            lines.append(f"  policy: {review.policy.passed} passed, {len(failed)} failed")
            lines += [f"    {f.check_id} {f.resource}: {f.check_name}" for f in failed]
    return "\n".join(printable(line) for line in lines) + "\n"  # a line break in a value shows as "\\n"


def _terminal_changes(review: EnvironmentReview) -> list[str]:
    lines = []
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
        lines.append(f"  refused: {address}  (deploy with --allow-replace {shlex.quote(review.allowance(address))} "
                     "once arranged)")
    for address in review.refused_destroys:
        lines.append(f"  refused destroy: {address}  (deploy with --allow-destroy "
                     f"{shlex.quote(review.allowance(address))} if intended)")
    return lines
