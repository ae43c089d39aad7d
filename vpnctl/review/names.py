"""Human names for Terraform addresses, from the construct paths cdktf records in
the synthesized JSON ("//" metadata), so a reviewer reads "site berlin-hq: VPN
connection" rather than a hashed logical ID."""

from __future__ import annotations

OWNERS = (
    ("site-", "site "),
    ("client_vpn-", "Client VPN "),
    ("certificates-", "certificates "),
    ("vpn_gateway", "virtual private gateway"),
    ("alarm_topic", "alarm topic"),
    ("log_key", "log encryption key"),
)
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
    "gateway": "gateway",
    "topic": "topic",
    "key": "KMS key",
    "alias": "KMS alias",
}
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
            paths[f"{resource_type}.{name}"] = path.split("/", 1)[1] if "/" in path else path
    return paths


def human_name(construct_path: str) -> str:
    """'site-berlin-hq/connection' -> 'site berlin-hq: VPN connection'."""
    owner, _, part = construct_path.partition("/")
    owner_label = owner
    for prefix, label in OWNERS:
        if owner.startswith(prefix):
            owner_label = label + owner[len(prefix):]
            break
    if not part:
        return owner_label
    part_label = PARTS.get(part)
    if part_label is None:
        part_label = part
        for prefix, label in PART_PREFIXES:
            if part.startswith(prefix):
                part_label = label + part[len(prefix):]
                break
    return f"{owner_label}: {part_label}"
