"""Human names for Terraform addresses, from the construct paths cdktf records in
the synthesized JSON ("//" metadata), so a reviewer reads "site berlin-hq: VPN
connection" rather than a hashed logical ID.

A destroyed resource is no longer in the synthesized JSON; its name comes from
its logical ID, which cdktf builds from the same path joined with "_". Config
names hold no "_" (letters, digits and "-"), so the split is unambiguous.
"""

from __future__ import annotations

import re

from vpn_schema.naming import SCOPE_KINDS, scope_id, scope_of

# The scopes that own one config block's resources (`site-berlin-hq`, vpn_schema.naming.scope_id), by kind.
SCOPE_LABELS = {"site": "site ", "client_vpn": "Client VPN ", "revocation": "Client VPN ", "certificates": "certificates "}
assert set(SCOPE_LABELS) == set(SCOPE_KINDS)
# The environment's own resources, named for their construct ID.
SHARED_OWNERS = (
    ("vpn_gateway", "virtual private gateway"),
    ("alarm_topic", "alarm topic"),
    ("log_key", "log encryption key"),
)
OWNERS = (*((scope_id(kind, ""), label) for kind, label in SCOPE_LABELS.items()), *SHARED_OWNERS)
PARTS = {
    "connection": "VPN connection",
    "customer_gateway": "customer gateway",
    "tunnel_logs": "tunnel log group",
    "endpoint": "endpoint",
    "connection_logs": "connection log group",
    "security_group": "security group",
    "tgw_association": "transit gateway route table association",
    "tgw_propagation": "transit gateway route table propagation",
    "server": "server certificate",
    "client_root": "client root certificate",
    "alias": "KMS alias",
    "crl_import": "certificate revocation list import",
}
NESTED_PARTS = ("authorization", "alarms")  # parts that are themselves construct scopes
PART_PREFIXES = (
    ("authorization/", "authorization rule "),
    ("association-", "subnet association "),
    ("route-", "route "),
    ("egress-", "egress rule "),
    ("ingress-", "ingress rule "),
    ("propagation-", "route propagation "),
    ("email-", "e-mail subscription "),
    ("alarms/", "alarm "),
)


def construct_paths(synthesized: dict) -> dict[str, str]:
    """Terraform address -> construct path below the stack, for every managed resource."""
    paths = {}
    for resource_type, resources in synthesized.get("resource", {}).items():
        for name, body in resources.items():
            path = body.get("//", {}).get("metadata", {}).get("path", "")
            if "/" in path:  # cdktf's Testing.synth leaves the metadata out: the address stands
                paths[f"{resource_type}.{name}"] = path.split("/", 1)[1]
    return paths


def human_name(construct_path: str) -> str:
    """'site-berlin-hq/connection' -> 'site berlin-hq: VPN connection'."""
    owner, _, part = construct_path.partition("/")
    owner_label = owner
    scope = scope_of(owner)
    for prefix, label in SHARED_OWNERS if scope is None else ():
        if owner.startswith(prefix):
            owner_label = label + owner[len(prefix):]
            break
    if scope is not None:
        owner_label = SCOPE_LABELS[scope[0]] + scope[1]
    if not part or owner.endswith(part):  # "alarm_topic/topic": cdktf's logical ID drops the repeat too
        return owner_label
    part_label = PARTS.get(part)
    if part_label is None:
        part_label = part
        for prefix, label in PART_PREFIXES:
            if part.startswith(prefix):
                part_label = label + part[len(prefix):]
                break
    return f"{owner_label}: {part_label}"


def name_for(address: str, construct_paths: dict[str, str]) -> str:
    """The human name of `address`: from its construct path, else from its logical ID."""
    path = construct_path_for(address, construct_paths)
    return address if path is None else human_name(path)


def scope_for(address: str, construct_paths: dict[str, str]) -> tuple[str, str] | None:
    """The config block that owns `address`, as (kind, name): ("site", "berlin-hq"), ("client_vpn", "staff"),
    ("revocation", "staff"), ("certificates", "staff"); None for the environment's shared resources."""
    path = construct_path_for(address, construct_paths)
    return None if path is None else scope_of(path.partition("/")[0])


def construct_path_for(address: str, construct_paths: dict[str, str]) -> str | None:
    """The construct path below the stack of `address`: recorded in the synthesized JSON, else rebuilt
    from its logical ID (a destroyed resource); None for an address no owner of ours has."""
    if address in construct_paths:
        return construct_paths[address]
    logical_id = re.sub(r"_[0-9A-F]{8}$", "", address.split(".", 1)[-1])
    for prefix, _ in OWNERS:
        if not logical_id.startswith(prefix):
            continue
        if prefix.endswith("-"):
            cut = logical_id.find("_", len(prefix))
            owner, part = (logical_id, "") if cut < 0 else (logical_id[:cut], logical_id[cut + 1:])
        else:
            owner, part = prefix, logical_id[len(prefix):].lstrip("_")
        for scope in NESTED_PARTS:
            if part.startswith(scope + "_"):
                part = scope + "/" + part[len(scope) + 1:]
        return f"{owner}/{part}" if part else owner
    return None
