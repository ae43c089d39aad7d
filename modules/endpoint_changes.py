"""What `ClientVpnEndpoint.add_route` and `add_authorization_rule` return: the resources one named
route or rule made, and `done`, the one to depend on.

The resources stay where they always were, children of the endpoint (routes) or of its
`AuthorizationRules` (rules): a construct per route or rule would move every resource's address, and
Terraform would replace them all. The endpoint chains every change to it, so the last resource of a
route or rule waits for all before it; depending on `done` means "this is in place".
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import ITerraformDependable
from cdktf_cdktf_provider_aws.ec2_client_vpn_authorization_rule import Ec2ClientVpnAuthorizationRule
from cdktf_cdktf_provider_aws.ec2_client_vpn_route import Ec2ClientVpnRoute

from vpn_schema.client_vpn import AuthorizationRule, Route


class _LastResourceIsDone:
    """`done`: the last of `resources`, which waits for all the changes before it."""

    resources: tuple

    @property
    def done(self) -> ITerraformDependable:
        return self.resources[-1]


@dataclass(frozen=True)
class AddedRoute(_LastResourceIsDone):
    """One named route: an `aws_ec2_client_vpn_route` per target subnet."""

    name: str
    route: Route
    resources: tuple[Ec2ClientVpnRoute, ...]


@dataclass(frozen=True)
class AddedAuthorizationRule(_LastResourceIsDone):
    """One named rule: an `aws_ec2_client_vpn_authorization_rule` per network."""

    name: str
    rule: AuthorizationRule
    resources: tuple[Ec2ClientVpnAuthorizationRule, ...]
