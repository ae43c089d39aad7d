"""A cost change in words: the "Cost" part of a review comment or of `vpnctl diff` (Markdown), the same in
terminal lines, and the two cells of the review's summary table.

Names of sites and endpoints come from the config, so they go through markdown_text (`text()` in Markdown,
`printable()` on a terminal) like every other value of the review. Dollar amounts go through `text()` too:
GitHub reads `$...$` as math.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from vpnctl.cost.estimate import CostChange, Estimate, Line, LineChange, plan_change, stack_change, usage_of
from vpnctl.review.markdown_text import printable, text
from vpnctl.review.names import construct_paths

NOUNS = {
    "site_to_site_connection": ("VPN connection", "VPN connections"),
    "accelerated_connection_extra": ("Global Accelerator pair (acceleration)", "Global Accelerator pairs (acceleration)"),
    "transit_gateway_attachment": ("transit gateway attachment", "transit gateway attachments"),
    "client_vpn_association": ("subnet association", "subnet associations"),
    "client_vpn_connection": ("connection-hour", "connection-hours"),
}
SUBJECTS = {"site": "site", "client_vpn": "Client VPN"}
SYMBOLS = {"added": "+", "removed": "-", "changed": "~"}


def plan_cost(plan: dict, synthesized: dict, environment) -> CostChange:
    """The environment's monthly cost on both sides of a plan (`terraform show -json`); `synthesized` is the
    stack's cdk.tf.json (its construct paths say which site or endpoint a resource belongs to) and
    `environment` a stacks.config.LoadedEnvironment (its region; its endpoints' `usage` blocks)."""
    return plan_change(environment.name, plan, construct_paths(synthesized), environment.config.region,
                       usage_of(environment.config),
                       f"per {Path(environment.source).name} (the default where it has no usage block)")


def stack_cost(name: str, base: dict, head: dict, environment) -> CostChange:
    """`vpnctl diff`'s cost: two synthesized stacks (`{}` where the environment is missing), with the
    usage of `environment`, the working tree's LoadedEnvironment (None: every endpoint gets the default)."""
    if environment is None:
        return stack_change(name, base, head, {}, "the default (no environment file in the working tree)")
    return stack_change(name, base, head, usage_of(environment.config),
                        f"per the working tree's {Path(environment.source).name} (the default where it has no usage "
                        "block, "
                        "and for an endpoint only the base has)")


def money(value: Decimal) -> str:
    return f"${value.quantize(Decimal('0.01')):,}"


def signed(value: Decimal) -> str:
    """`+$36.50`, `-$73.00`, `$0.00`."""
    return ("+" if value > 0 else "-" if value < 0 else "") + money(abs(value))


def subject_words(line: Line) -> str:
    kind, name = line.subject
    return f"{SUBJECTS[kind]} {name}" if kind in SUBJECTS else name


def count_words(line: Line) -> tuple[str, int]:
    """("2", 2), ("1,760 (10 users × 176 h)", 1760): a line's count in words, and the number its noun follows."""
    if line.item == "client_vpn_connection":
        hours = line.quantity * line.hours
        return f"{hours:,} ({line.quantity} users × {line.hours} h)", hours
    return str(line.quantity), line.quantity


def quantity_words(line: Line) -> str:
    """"2 subnet associations", "1,760 connection-hours (10 users × 176 h)"."""
    words, number = count_words(line)
    count, _, detail = words.partition(" ")
    return f"{count} {NOUNS[line.item][number != 1]}" + (f" {detail}" if detail else "")


def unknown_words(estimate: Estimate) -> str:
    """"3 VPN connections, 1 transit gateway attachment": what the table has no price for."""
    counts: dict[str, int] = {}
    for line in estimate.unknown:
        counts[line.item] = counts.get(line.item, 0) + (1 if line.item == "client_vpn_connection" else line.quantity)
    return ", ".join(f"{n} {'Client VPN endpoints’ connection-hours' if item == 'client_vpn_connection' else NOUNS[item][n != 1]}"
                     for item, n in counts.items())


def _kind(change: LineChange) -> str:
    return "added" if change.before is None else "removed" if change.after is None else "changed"


def _change_words(change: LineChange) -> tuple[str, str]:
    """(what changed, by how much a month) for one changed line, as plain text."""
    if change.before is None or change.after is None:
        what = quantity_words(change.line)
    else:
        what = f"{NOUNS[change.line.item][1]} {count_words(change.before)[0]} → {count_words(change.after)[0]}"
        if change.before.quantity == change.after.quantity and change.before.hours == change.after.hours:
            what = f"{quantity_words(change.after)}, price {_hourly(change.before)} → {_hourly(change.after)}"
    delta = change.delta
    return what, "price unknown" if delta is None else f"{signed(delta)} a month"


def _hourly(line: Line) -> str:
    return "unknown" if line.unit_price is None else f"${line.unit_price}/h"


def _delta_words(cost: CostChange) -> str:
    """"+$36.50 a month"; "price unknown" when only unpriced items change; "no change"."""
    if not cost.changes:
        return "no change"
    unpriced = any(change.delta is None for change in cost.changes)
    if unpriced and cost.delta == 0:
        return "price unknown"
    return f"{signed(cost.delta)} a month" + (", plus what the unpriced items change" if unpriced else "")


def summary(cost: CostChange | None) -> tuple[str, str]:
    """(monthly total after the change, the change) for the review's summary table, as plain text."""
    if cost is None:
        return "—", "—"
    if not cost.after.region_known:
        return "price unknown", "price unknown"
    total = f"{money(cost.after.total)} a month"
    if cost.after.unknown:
        total += " + unpriced items"
    return total, _delta_words(cost)


def _usage_words(cost: CostChange) -> str:
    usage = {**cost.before.usage, **cost.after.usage}
    if not usage:
        return ""
    each = "; ".join(f"{name} {u.concurrent_users} users × {u.hours_per_month} h ("
                     f"{'configured' if u.configured else 'default'})" for name, u in sorted(usage.items()))
    return f"Client VPN usage {cost.usage_source}: {each}; "


def assumptions(cost: CostChange) -> str:
    """One line: the month, the usage, what is left out, the table's version and region."""
    return (f"Assumes {cost.after.hours_per_month} h a month (AWS Pricing Calculator); {_usage_words(cost)}"
            f"data transfer and data processing excluded; price table {cost.after.table_version}, "
            f"{cost.after.region}, USD.")


def headline(cost: CostChange) -> tuple[str, str]:
    """(the total after the change and the change; what is unpriced), as plain text."""
    after = cost.after
    if not after.region_known:
        return (f"Price unknown: {after.region} is not in the price table (version {after.table_version}).",
                "No figure is given.")
    first = f"{money(after.total)} a month, no change."
    if cost.changes:
        delta = _delta_words(cost)
        delta = "what the change adds or removes has no price in the table" if delta == "price unknown" else delta
        first = f"{money(after.total)} a month after this change, {delta} (before: {money(cost.before.total)})."
    rest = ""
    if after.unknown:
        rest = (f"Price unknown for {unknown_words(after)} in {after.region}: the price table has no figure, so "
                "the totals leave it out.")
    return first, rest


def markdown_lines(cost: CostChange, heading: str = "#### Cost") -> list[str]:
    """The "Cost" part of a comment: the total and the change, the lines that changed, the assumptions."""
    first, rest = headline(cost)
    lines = [heading, "", f"**{text(first)}**" + (f" {text(rest)}" if rest else ""), ""]
    for change in cost.changes:
        what, delta = _change_words(change)
        lines.append(f"- `{SYMBOLS[_kind(change)]}` **{text(subject_words(change.line))}**: {text(what)}, {text(delta)}")
    if cost.changes:
        lines.append("")
    return lines + [f"_{text(assumptions(cost))}_", ""]


def terminal_lines(cost: CostChange) -> list[str]:
    """The same for a terminal, indented under the environment's summary line."""
    lines = ["  cost: " + printable(" ".join(part for part in headline(cost) if part))]
    for change in cost.changes:
        what, delta = _change_words(change)
        lines.append(f"    {SYMBOLS[_kind(change)]} {printable(subject_words(change.line))}: {printable(what)}, {delta}")
    return lines + [f"    {printable(assumptions(cost))}"]
