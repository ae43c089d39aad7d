"""The prod guard's blind spot: prevent_destroy protects only resources still in
the configuration. Removing a site's block from prod.hcl plans a plain destroy of
its connection, which Terraform carries out without a word. `review` and
`deploy` refuse such a destroy in a guarded environment unless the address is
named with --allow-destroy.
"""

from __future__ import annotations

from vpnctl.review.changes import ResourceChange

# The resource types the stacks give prevent_destroy (tests/test_review.py checks this against a synth).
GUARDED_TYPES = frozenset({"aws_vpn_connection", "aws_customer_gateway", "aws_vpn_gateway", "aws_ec2_client_vpn_endpoint"})


def unguarded_destroys(changes: list[ResourceChange], guarded: bool, allowed: frozenset[str]) -> list[str]:
    """Addresses of guarded types the plan destroys outright, in a guarded environment, that nobody allowed."""
    if not guarded:
        return []
    return sorted(
        c.address for c in changes
        if c.action == "delete" and c.resource_type in GUARDED_TYPES and c.address not in allowed
    )


def unused_allowances(changes: list[ResourceChange], allowed: frozenset[str]) -> list[str]:
    """--allow-destroy addresses the plan doesn't destroy: a typo must not pass silently."""
    destroyed = {c.address for c in changes if c.action == "delete"}
    return sorted(allowed - destroyed)
