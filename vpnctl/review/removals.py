"""What prevent_destroy can't see, refused in a guarded environment unless allowed by name and object.

prevent_destroy protects only resources still in the configuration, and only against their own
replacement or destruction. Two kinds of change slip past it:
- a guarded resource (connection, customer gateway, gateway, endpoint) destroyed because its
  block was removed;
- a path for traffic taken away without touching a guarded resource: a static route or a route
  propagation removed, a Client VPN association removed or moved to another subnet, a transit
  gateway route or association removed.
`review` and `deploy` refuse both in a guarded environment unless `--allow-destroy ADDRESS@FINGERPRINT`
names the resource and the object the plan removes (ResourceChange.fingerprint), so an allowance
can't pass a later removal of something else at the same address.
"""

from __future__ import annotations

from stacks.config.allowances import split
from vpnctl.review.changes import ResourceChange

# The resource types the stacks give prevent_destroy (tests/test_review.py checks this against a synth).
GUARDED_TYPES = frozenset({"aws_vpn_connection", "aws_customer_gateway", "aws_vpn_gateway", "aws_ec2_client_vpn_endpoint"})
# Resources that carry traffic without being guarded: removing one (or replacing an association, which moves
# it) stops traffic that nothing else in the plan names.
TRAFFIC_TYPES = frozenset({
    "aws_vpn_connection_route", "aws_vpn_gateway_route_propagation", "aws_ec2_client_vpn_network_association",
    "aws_ec2_client_vpn_route", "aws_ec2_transit_gateway_route", "aws_ec2_transit_gateway_route_table_association",
    "aws_ec2_transit_gateway_route_table_propagation",
})


def takes_away(change: ResourceChange) -> bool:
    """Whether the change removes something prevent_destroy doesn't protect."""
    if change.action == "delete":
        return change.resource_type in GUARDED_TYPES | TRAFFIC_TYPES
    return change.action == "replace" and change.resource_type in TRAFFIC_TYPES


def allowance(change: ResourceChange) -> str:
    """What `--allow-destroy` takes to let exactly this removal through."""
    return f"{change.address}@{change.fingerprint}"


def unguarded_destroys(changes: list[ResourceChange], guarded: bool, allowed: frozenset[str]) -> list[str]:
    """Addresses whose removal the plan makes, in a guarded environment, that nobody allowed."""
    if not guarded:
        return []
    return sorted(c.address for c in changes if takes_away(c) and allowance(c) not in allowed)


def unused_allowances(changes: list[ResourceChange], allowed: frozenset[str]) -> list[str]:
    """What is wrong with each --allow-destroy the plan doesn't use: a typo, or an allowance for another object."""
    removed = {c.address: c for c in changes if takes_away(c)}
    problems = []
    for given in sorted(allowed):
        address, fingerprint = split(given)
        change = removed.get(address)
        if change is None:
            problems.append(f"--allow-destroy {given}: the plan removes no such resource")
        elif fingerprint != change.fingerprint:
            problems.append(f"--allow-destroy {given}: given for another object at {address}; the plan removes "
                            f"{allowance(change)}: review it, then allow it by that name")
    return problems
