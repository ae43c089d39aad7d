"""Allowances bound to what was reviewed: `ADDRESS@DIGEST`.

An `--allow-replace` (or VPN_ALLOW_REPLACE) that named only an address would lift the guard for any
later change of that resource, reviewed or not, for as long as it stays in a shell or a CI setting.
So an allowance names the address and the digest of the resource as the reviewed change synthesizes
it (its Terraform JSON body, without its lifecycle): the review prints it, the synth checks it, and a
different change of the same resource no longer matches. cdktf-free: the review and the stacks share it.
"""

from __future__ import annotations

import hashlib
import json

SEPARATOR = "@"
IGNORED = ("lifecycle", "//")  # the guard itself, and cdktf's construct metadata


class GuardError(ValueError):
    """An allowed address names no guarded resource: a typo must not pass silently. Defined here, cdktf-free,
    so that vpnctl's own process catches it without loading the jsii runtime that synth runs elsewhere."""


def split(allowance: str) -> tuple[str, str | None]:
    address, _, digest = allowance.partition(SEPARATOR)
    return address, digest or None


def body(document: dict, address: str) -> dict | None:
    """The resource's body in a synthesized stack (cdk.tf.json as a dict), if it has one."""
    resource_type, _, name = address.partition(".")
    found = document.get("resource", {}).get(resource_type, {}).get(name)
    return {k: v for k, v in found.items() if k not in IGNORED} if isinstance(found, dict) else None


def digest(document: dict, address: str) -> str | None:
    found = body(document, address)
    if found is None:
        return None
    return hashlib.sha256(json.dumps(found, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:12]


def bound(document: dict, address: str) -> str:
    """The allowance a reviewer gives for this resource as `document` synthesizes it."""
    return f"{address}{SEPARATOR}{digest(document, address)}"
