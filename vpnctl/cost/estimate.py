"""What an environment is billed for each month, read from either side of a Terraform plan or from a
synthesized stack, and what a change adds or removes.

Billed, per the price table's items (vpnctl/cost/prices.json):
- each `aws_vpn_connection`: a connection; with `enable_acceleration`, the two Global Accelerator
  accelerators on top; with `transit_gateway_id`, a transit gateway (VPN) attachment on top;
- each `aws_ec2_client_vpn_network_association`: an association;
- each `aws_ec2_client_vpn_endpoint`: its users' connection-hours, from the endpoint's `usage` block.

A month is the table's `hours_per_month`. A price the table lacks stays None ("price unknown"): the total
is then the sum of what is priced, and the words say what is not. Data transfer and data processing are
usage the configuration can't know, so they are left out (and the assumptions say so).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from vpn_schema.client_vpn_blocks import DEFAULT_CONCURRENT_USERS, DEFAULT_HOURS_PER_MONTH
from vpnctl.cost import price_table
from vpnctl.review.names import construct_paths, scope_for

BILLED_TYPES = ("aws_vpn_connection", "aws_ec2_client_vpn_network_association", "aws_ec2_client_vpn_endpoint")
ITEM_ORDER = {item: i for i, item in enumerate(price_table.ITEMS)}


@dataclass(frozen=True)
class EndpointUsage:
    """A Client VPN endpoint's expected use; `configured` False means the defaults stand in."""

    concurrent_users: int = DEFAULT_CONCURRENT_USERS
    hours_per_month: int = DEFAULT_HOURS_PER_MONTH
    configured: bool = False


DEFAULT_USAGE = EndpointUsage()


@dataclass(frozen=True)
class Line:
    """One item billed for one subject (("site", "berlin-hq"), ("client_vpn", "staff")): `quantity` units
    (connections, attachments, associations; for connection-hours, concurrent users), each billed `hours`
    a month at `unit_price` USD an hour; `unit_price` None is a price the table doesn't know."""

    item: str
    subject: tuple[str, str]
    quantity: int
    hours: int
    unit_price: Decimal | None

    @property
    def monthly(self) -> Decimal | None:
        return None if self.unit_price is None else self.unit_price * self.quantity * self.hours

    @property
    def key(self) -> tuple[str, tuple[str, str]]:
        return self.item, self.subject


@dataclass(frozen=True)
class Estimate:
    """One side's monthly bill: its lines, in `region`, priced by the table of `table_version`."""

    region: str
    lines: tuple[Line, ...]
    hours_per_month: int
    table_version: str
    usage: Mapping[str, EndpointUsage] = field(default_factory=dict)  # the endpoints estimated, by name

    @property
    def region_known(self) -> bool:
        return self.region in price_table.load().regions

    @property
    def unknown(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.unit_price is None)

    @property
    def total(self) -> Decimal:
        """The sum of the priced lines (all of the bill when `unknown` is empty)."""
        return sum((line.monthly for line in self.lines if line.monthly is not None), Decimal(0))


@dataclass(frozen=True)
class LineChange:
    """An item of a subject whose count, hours or price differs between the two sides (None: not there)."""

    before: Line | None
    after: Line | None

    @property
    def line(self) -> Line:
        return self.after or self.before

    @property
    def delta(self) -> Decimal | None:
        """The change a month; None when either side's price is unknown."""
        sides = [side.monthly if side is not None else Decimal(0) for side in (self.before, self.after)]
        return None if None in sides else sides[1] - sides[0]


@dataclass(frozen=True)
class CostChange:
    """The environment's monthly bill before and after a change, with the assumptions it rests on."""

    environment: str
    before: Estimate
    after: Estimate
    usage_source: str  # where the endpoints' usage comes from, in words

    @property
    def delta(self) -> Decimal:
        """The change of the priced part; `changes` says which changed lines are priced."""
        return self.after.total - self.before.total

    @property
    def changes(self) -> list[LineChange]:
        before = {line.key: line for line in self.before.lines}
        after = {line.key: line for line in self.after.lines}
        changed = [LineChange(before.get(k), after.get(k)) for k in set(before) | set(after) if before.get(k) != after.get(k)]
        return sorted(changed, key=lambda change: _order(change.line))


def plan_resources(plan: dict, side: str) -> list[tuple[str, str, dict]]:
    """(type, address, values) of each billed managed resource on one side ("before" or "after") of a plan;
    no-op changes are in the plan too, so a side is the whole environment."""
    found = []
    for change in plan.get("resource_changes") or []:
        values = (change.get("change") or {}).get(side)
        if change.get("mode") == "managed" and change.get("type") in BILLED_TYPES and values is not None:
            found.append((change["type"], change["address"], values))
    return found


def stack_resources(document: dict) -> list[tuple[str, str, dict]]:
    """(type, address, body) of each billed resource of a synthesized stack (cdk.tf.json)."""
    resources = document.get("resource", {})
    return [(kind, f"{kind}.{name}", body) for kind in BILLED_TYPES for name, body in resources.get(kind, {}).items()]


def stack_region(document: dict) -> str | None:
    """The region a synthesized stack's AWS provider deploys to."""
    providers = document.get("provider", {}).get("aws") or [{}]
    return providers[0].get("region")


def usage_of(config) -> dict[str, EndpointUsage]:
    """Each Client VPN endpoint's usage from an environment's config: its `usage` block, else the defaults."""
    usage = {}
    for name, endpoint in config.client_vpn.items():
        block = endpoint.usage
        usage[name] = DEFAULT_USAGE if block is None else EndpointUsage(block.concurrent_users, block.hours_per_month,
                                                                         configured=True)
    return usage


def estimate(resources: Iterable[tuple[str, str, dict]], paths: Mapping[str, str], region: str,
             usage: Mapping[str, EndpointUsage]) -> Estimate:
    """The monthly bill of `resources`; `paths` (names.construct_paths) tells which site or endpoint each
    belongs to; an endpoint missing from `usage` is estimated with the defaults."""
    table = price_table.load()
    month = table.hours_per_month.value
    counts: dict[tuple[str, tuple[str, str]], int] = {}
    hours: dict[tuple[str, tuple[str, str]], int] = {}
    used: dict[str, EndpointUsage] = {}
    paths = dict(paths)
    for kind, address, values in resources:
        subject = scope_for(address, paths) or ("resource", address)
        for item in _items(kind, values):
            key = (item, subject)
            if item == "client_vpn_connection":
                used[subject[1]] = endpoint = usage.get(subject[1], DEFAULT_USAGE)
                counts[key] = counts.get(key, 0) + endpoint.concurrent_users
                hours[key] = endpoint.hours_per_month
            else:
                counts[key] = counts.get(key, 0) + 1
                hours[key] = month
    lines = sorted((Line(item, subject, counts[(item, subject)], hours[(item, subject)], table.price(region, item))
                    for item, subject in counts), key=_order)
    return Estimate(region, tuple(lines), month, table.version.isoformat(), used)


SUBJECT_ORDER = {"site": 0, "client_vpn": 1}


def _order(line: Line) -> tuple:
    """Sites first, then endpoints, each by name; within a subject, the table's item order."""
    return SUBJECT_ORDER.get(line.subject[0], 2), line.subject[1], ITEM_ORDER[line.item]


def _items(kind: str, values: dict) -> list[str]:
    """The items one resource is billed for: an accelerated or transit gateway connection costs more than
    the connection itself, so those are items of their own."""
    if kind == "aws_ec2_client_vpn_network_association":
        return ["client_vpn_association"]
    if kind == "aws_ec2_client_vpn_endpoint":
        return ["client_vpn_connection"]
    items = ["site_to_site_connection"]
    if values.get("enable_acceleration") is True:
        items.append("accelerated_connection_extra")
    if values.get("transit_gateway_id"):
        items.append("transit_gateway_attachment")
    return items


def plan_change(environment: str, plan: dict, paths: Mapping[str, str], region: str,
                usage: Mapping[str, EndpointUsage], usage_source: str) -> CostChange:
    """Both sides of a plan (`terraform show -json`), priced in `region`."""
    before, after = (estimate(plan_resources(plan, side), paths, region, usage) for side in ("before", "after"))
    return CostChange(environment, before, after, usage_source)


def stack_change(environment: str, base: dict, head: dict, usage: Mapping[str, EndpointUsage],
                 usage_source: str) -> CostChange:
    """Two synthesized stacks (an environment missing on one side is `{}`), each priced in its own region."""
    paths = {**construct_paths(base), **construct_paths(head)}
    region = stack_region(head) or stack_region(base) or "unknown"
    sides = (estimate(stack_resources(document), paths, stack_region(document) or region, usage)
             for document in (base, head))
    return CostChange(environment, *sides, usage_source)
