"""Finds what a stack deployed, by the Name tags the constructs give it (vpn_schema.naming.resource_name).

Tags rather than Terraform state, so that the commands that need a deployed
resource (client profiles, device configs) work with nothing but AWS
credentials, as an operator on the on-premises side has them.
"""

from __future__ import annotations

from vpn_schema.naming import resource_name, resource_name_of

GONE = ("deleting", "deleted")


class NotDeployed(LookupError):
    """No such resource, or more than one: the message says which and where."""


def _name(tags: list[dict]) -> str | None:
    return next((t["Value"] for t in tags or [] if t["Key"] == "Name"), None)


def client_vpn_endpoint(ec2, environment: str, endpoint: str) -> dict:
    label = resource_name(environment, endpoint)
    found = []
    for page in ec2.get_paginator("describe_client_vpn_endpoints").paginate():
        found += [e for e in page["ClientVpnEndpoints"]
                  if resource_name_of(environment, _name(e.get("Tags"))) == endpoint and e["Status"]["Code"] not in GONE]
    return _one(found, f'Client VPN endpoint "{label}"', ec2)


def vpn_connection(ec2, environment: str, site: str) -> dict:
    label = resource_name(environment, site)
    found = ec2.describe_vpn_connections(Filters=[{"Name": "tag:Name", "Values": [label]}])["VpnConnections"]
    return _one([c for c in found if c["State"] not in GONE], f'VPN connection "{label}"', ec2)


def _one(found: list[dict], what: str, ec2) -> dict:
    where = f"{ec2.meta.region_name} ({ec2.meta.endpoint_url})"
    if not found:
        raise NotDeployed(f"no {what} in {where}: deploy the environment first")
    if len(found) > 1:
        raise NotDeployed(f"{len(found)} resources are tagged {what} in {where}; expected one")
    return found[0]
