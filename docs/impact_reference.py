"""docs/reference/impact-rules.md: the review's traffic-impact rules (vpnctl/review/impact_rules.py), each with the
document it comes from, so the table a reviewer reads is the table the code applies."""

from __future__ import annotations

from vpnctl.review.impact import CONDITION_WORDS
from vpnctl.review.impact_rules import GUARDED, LABELS, RULES, Impact


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render() -> str:
    lines = [
        "# Traffic impact rules",
        "",
        "Generated from `vpnctl/review/impact_rules.py` by `make docs`; do not edit.",
        "",
        "`vpnctl review` matches each planned change against these rules, from the plan's before and after values,",
        "and groups what it finds by site and Client VPN endpoint (the review's **Impact** part). A change that",
        "no rule matches, a tag-only change for example, has no traffic impact. For an in-place update, an",
        "attribute belongs to the rule with the longest matching prefix.",
        "",
        "## Classes",
        "",
        "| class | what users feel | refused in the production tier |",
        "| --- | --- | --- |",
    ]
    for impact in sorted(Impact, reverse=True):
        guarded = "yes, unless allowed" if impact in GUARDED else "no"
        lines.append(f"| `{impact.name}` | {LABELS[impact]} | {guarded} |")
    lines += ["", "## Rules", "", "| resource | change | when | class | what it means | source |",
              "| --- | --- | --- | --- | --- | --- |"]
    for rule in RULES:
        change = " / ".join(sorted(rule.actions))
        if rule.attributes:
            change += ": " + ", ".join(f"`{a}…`" if a.endswith("_") else f"`{a}`" for a in rule.attributes)
        when = CONDITION_WORDS[rule.when] if rule.when else ""
        sources = "; ".join(f"[{_cell(s.title)}]({s.url})" for s in rule.sources)
        lines.append(f"| `{rule.resource_type}` | {change} | {when} | `{rule.impact.name}` | {_cell(rule.words)} | "
                     f"{sources} |")
    return "\n".join(lines) + "\n"
