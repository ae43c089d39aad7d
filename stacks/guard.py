"""The prod guard, lifted for exactly the addresses a reviewer allowed.

prevent_destroy makes Terraform refuse any plan that replaces or destroys a
guarded resource. After a review, `--allow-replace ADDRESS` (or
VPN_ALLOW_REPLACE for `cdktf deploy`) synthesizes without it for those
addresses only; every other guarded resource keeps it.
"""

from __future__ import annotations

from cdktf import TerraformResource, TerraformStack


class GuardError(ValueError):
    """An allowed address names no guarded resource: a typo must not pass silently."""


def guarded_addresses(stack: TerraformStack) -> dict[str, TerraformResource]:
    """Address -> resource, for every resource of `stack` that carries prevent_destroy."""
    guarded = {}
    for node in stack.node.find_all():
        if isinstance(node, TerraformResource):
            lifecycle = node.lifecycle
            if lifecycle is not None and lifecycle.prevent_destroy:
                guarded[f"{node.terraform_resource_type}.{node.friendly_unique_id}"] = node
    return guarded


def lift_guard(stack: TerraformStack, addresses: frozenset[str]) -> set[str]:
    """Drops prevent_destroy from those of `addresses` guarded in `stack`; returns them."""
    if not addresses:
        return set()
    guarded = guarded_addresses(stack)
    matched = addresses & set(guarded)
    for address in matched:
        guarded[address].add_override("lifecycle.prevent_destroy", False)
    return matched


def check_all_matched(addresses: frozenset[str], matched: set[str], stacks: list[TerraformStack]) -> None:
    """GuardError naming every allowed address that no stack guards, and the ones they do guard."""
    unknown = sorted(addresses - matched)
    if not unknown:
        return
    listed = "\n".join(
        f"  {address}" for stack in stacks for address in sorted(guarded_addresses(stack))
    ) or "  (none)"
    names = ", ".join(stack.node.id for stack in stacks)
    raise GuardError(
        f"allow_replace: {', '.join(unknown)} is not a resource guarded by prevent_destroy in {names}; "
        f"guarded resources:\n{listed}"
    )
