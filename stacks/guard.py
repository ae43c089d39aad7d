"""The prod guard, lifted for exactly the changes a reviewer allowed.

prevent_destroy makes Terraform refuse any plan that replaces or destroys a
guarded resource. After a review, `--allow-replace ADDRESS@DIGEST` (or
VPN_ALLOW_REPLACE for `cdktf deploy`) synthesizes without it for those
addresses only, and only while each still synthesizes as the reviewed change
did (stacks/config/allowances.py); every other guarded resource keeps it.
"""

from __future__ import annotations

from cdktf import TerraformResource, TerraformStack

from stacks.config.allowances import GuardError, digest
from stacks.config.allowances import split as allowances_split

__all__ = ["GuardError", "check_all_matched", "check_each_lifted_once", "guarded_addresses", "lift_guard"]


def guarded_addresses(stack: TerraformStack) -> dict[str, TerraformResource]:
    """Address -> resource, for every resource of `stack` that carries prevent_destroy."""
    guarded = {}
    for node in stack.node.find_all():
        if isinstance(node, TerraformResource):
            lifecycle = node.lifecycle
            if lifecycle is not None and lifecycle.prevent_destroy:
                guarded[f"{node.terraform_resource_type}.{node.friendly_unique_id}"] = node
    return guarded


def lift_guard(stack: TerraformStack, allowances: frozenset[str], bound: bool = True) -> set[str]:
    """Drops prevent_destroy from the allowed resources guarded in `stack`; returns the allowances used.

    `bound`: each allowance must carry the digest of the reviewed change, and the resource must still
    synthesize to it (GuardError otherwise). Only the review's own second synth lifts unbound addresses.
    """
    if not allowances:
        return set()
    guarded = guarded_addresses(stack)
    by_address = {allowances_split(a)[0]: a for a in allowances}
    matched = set(by_address) & set(guarded)
    for address in matched:
        guarded[address].add_override("lifecycle.prevent_destroy", False)
    if bound and matched:
        _check_bound(stack, {address: allowances_split(by_address[address])[1] for address in matched})
    return {by_address[address] for address in matched}


def _check_bound(stack: TerraformStack, digests: dict[str, str | None]) -> None:
    document = stack.to_terraform()
    for address, given in sorted(digests.items()):
        now = digest(document, address)
        if given is None:
            raise GuardError(f"allow_replace: {address}: name the reviewed change too, as the review prints it: "
                             f"{address}@<digest>; an address alone would let any later change of it through")
        if given != now:
            raise GuardError(f"allow_replace: {address}@{given} was given for another change of {address}: it "
                             f"synthesizes as @{now} now. Review this change, then allow it by that name")


def check_all_matched(addresses: frozenset[str], matched: set[str], stacks: list[TerraformStack]) -> None:
    """GuardError naming every allowed address that no stack guards, and the ones they do guard."""
    unknown = sorted(addresses - matched)  # allowances as given, ADDRESS@DIGEST
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


def check_each_lifted_once(stacks: list[TerraformStack]) -> None:
    """GuardError when one allowance lifted the guard in two stacks: an address names one resource of the app.
    A site's addresses are the same in whichever stack of its environment it is, and it is in one of them;
    two environments share addresses only for sites of the same name, so name one environment at a time."""
    owners: dict[str, list[str]] = {}
    for stack in stacks:
        for allowance in getattr(stack, "replace_allowed", ()):
            owners.setdefault(allowance, []).append(stack.node.id)
    twice = {allowance: names for allowance, names in owners.items() if len(names) > 1}
    if twice:
        raise GuardError("allow_replace: " + "; ".join(
            f"{allowance} lifts the guard in {', '.join(names)}" for allowance, names in sorted(twice.items()))
            + ": an allowance must name one resource; allow it with one environment at a time")
