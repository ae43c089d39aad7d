"""The review's "Impact" part: per environment, what each site and endpoint goes through, in plain words with
AWS's documents; and the prod guard's refusals on impact. Values from the config or the plan go through
markdown_text, as in vpnctl/review/render.py."""

from __future__ import annotations

import shlex

from vpnctl.review.impact import SubjectImpact
from vpnctl.review.impact_guard import OPTION
from vpnctl.review.impact_rules import Impact
from vpnctl.review.markdown_text import code, text
from vpnctl.review.report import EnvironmentReview


def headline(review: EnvironmentReview) -> str:
    """The worst impact in a few words, for the summary table: "site berlin-hq: both tunnels down for minutes"."""
    affected = [s for s in review.impacts if s.impact > Impact.NONE]
    if review.error and not review.changes:
        return "unknown: the plan failed"
    if not affected:
        return "none" if review.changes else "no changes"
    worst = affected[0]
    more = f" (+{len(affected) - 1} more)" if len(affected) > 1 else ""
    return f"{worst.label}: {worst.headline}{more}"


def markdown_section(review: EnvironmentReview) -> list[str]:
    if not review.changes:
        return []
    lines = ["#### Impact", ""]
    affected = [s for s in review.impacts if s.impact > Impact.NONE or s.warnings]
    for subject in affected:
        lines += _markdown_subject(subject)
    calm = [s.label for s in review.impacts if s not in affected]
    if not affected:
        lines.append(f"No traffic impact ({', '.join(text(label) for label in calm)})." if calm else "No traffic impact.")
    elif calm:
        lines.append(f"- No traffic impact: {', '.join(text(label) for label in calm)}.")
    return lines + [""]


def _markdown_subject(subject: SubjectImpact) -> list[str]:
    lines = [f"- **{text(subject.label)}**: {text(subject.headline)}"]
    lines += [f"  - {text(words)}" for words in subject.words()]
    lines += [f"  - ⚠️ {text(warning)}" for warning in subject.warnings]
    sources = ", ".join(f"[{text(s.title)}]({s.url})" for s in subject.sources())
    return lines + ([f"  - Sources: {sources}"] if sources else [])


def markdown_refusals(review: EnvironmentReview) -> list[str]:
    if not review.impact_refusals:
        return []
    lines = ["> [!CAUTION]", ("> **Refused by the prod guard: traffic impact.** In a production-tier environment "
             "these impacts must be accepted by name:")]
    lines += [f"> - {text(r.subject)}: {text(r.words)} ({', '.join(code(c) for c in r.causes)})"
              for r in review.impact_refusals]
    return lines + [">", "> Once the outage is arranged with the people it affects, deploy with "
                    + code(command(review)) + ".", ""]


def command(review: EnvironmentReview) -> str:
    allowances = sorted({r.allowance for r in review.impact_refusals})
    return shlex.join(["vpnctl", "deploy", review.environment, *(w for a in allowances for w in (OPTION, a))])


def terminal_lines(review: EnvironmentReview) -> list[str]:
    lines = []
    for subject in review.impacts:
        if subject.impact == Impact.NONE and not subject.warnings:
            continue
        lines.append(f"  impact: {subject.label}: {subject.headline}")
        lines += [f"      {words}" for words in subject.words()]
        lines += [f"      warning: {warning}" for warning in subject.warnings]
    if review.changes and not lines:
        lines.append("  impact: none")
    for refusal in review.impact_refusals:
        lines.append(f"  refused impact: {refusal.subject}: {refusal.words}  (deploy with {OPTION} "
                     f"{shlex.quote(refusal.allowance)} once arranged)")
    return lines
