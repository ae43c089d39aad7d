"""A site moving onto a transit gateway (from the virtual private gateway, or from another transit
gateway): its VPN connection is planned as a replacement, by asking Terraform for it (`-replace`).

AWS can move a connection's target in place (ModifyVpnConnection), but provider 5.100.0 keeps the old
transit_gateway_attachment_id in the plan (empty, coming from a virtual private gateway), so the plan
of the new route table association fails: "transit_gateway_attachment_id must not be empty". A new
connection has an attachment known after apply, and the plan goes through. The review shows it as a
replacement (new tunnel outside IPs, a reconfigured device), and in production the guard refuses it
until allowed, like any other replacement of a connection.
"""

from __future__ import annotations

import json

CONNECTION = "aws_vpn_connection"
REASON = "replaced at vpnctl's request: the site moves onto a transit gateway, which the provider can't plan in place"


def replace_options(terraform, synthesized: dict) -> list[str]:
    """`-replace=ADDRESS` for each connection whose transit gateway the config changes, from what the state
    holds now. Nothing to ask (and no state read) when no connection is on a transit gateway."""
    wanted = {name: body["transit_gateway_id"] for name, body in synthesized.get("resource", {}).get(CONNECTION, {}).items()
              if body.get("transit_gateway_id")}
    if not wanted:
        return []
    state = json.loads(terraform.run("show", "-json", secret_output=True).stdout or "{}")  # in memory only: keys
    moved = []
    for resource in state.get("values", {}).get("root_module", {}).get("resources", []):
        if resource.get("type") != CONNECTION or resource.get("name") not in wanted:
            continue
        if (resource.get("values") or {}).get("transit_gateway_id") != wanted[resource["name"]]:
            moved.append(f"-replace={resource['address']}")
    return moved
