"""`AuthorizationRules`: a Client VPN endpoint's authorization rules, created one after another.

IDs come from rule names (and the network), so adding a rule never renames
another. Each rule depends on the one before: AWS refuses concurrent changes
to one endpoint (ConcurrentMutationLimitExceeded), and the API is slow, hence
explicit timeouts.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from cdktf import ITerraformDependable
from cdktf_cdktf_provider_aws.ec2_client_vpn_authorization_rule import Ec2ClientVpnAuthorizationRule
from constructs import Construct

from modules.endpoint_changes import AddedAuthorizationRule
from vpn_schema.client_vpn import AuthorizationRule
from vpn_schema.naming import authorization_rule_id

RULE_TIMEOUTS = {"create": "15m", "delete": "15m"}


class AuthorizationRules(Construct):
    """Named authorization rules of one endpoint, each network's rule waiting for the one before.

    Args:
        client_vpn_endpoint_id: the endpoint the rules belong to.
        rules: name -> rule, added in order. Default: none (add them with `add_rule`).
        after: what the first rule waits for (the endpoint's last association or route). Default: nothing.
        user_based_authentication: the endpoint authenticates users (SAML or directory), so a rule may name
            a group; on a certificate-only endpoint a group rule is refused. Default: true.
        routed_networks: what the endpoint routes (the VPC CIDR and route destinations); a rule for a
            network outside all of them is refused as dead. The list is read at each `add_rule`, so an
            endpoint may keep appending to it. Default: no such check.

    Attributes: `rules`, name -> AddedAuthorizationRule; `last`, what the next change must wait for.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        client_vpn_endpoint_id: str,
        rules: dict[str, AuthorizationRule] | None = None,
        after: ITerraformDependable | None = None,
        user_based_authentication: bool = True,
        routed_networks: list[str] | None = None,
    ) -> None:
        super().__init__(scope, id)
        self._routed = routed_networks
        self._endpoint_id = client_vpn_endpoint_id
        self._user_based = user_based_authentication
        self.last: ITerraformDependable | None = after
        self.rules: dict[str, AddedAuthorizationRule] = {}
        for name, rule in (rules or {}).items():
            self.add_rule(name, rule)

    def add_rule(
        self, name: str, rule: AuthorizationRule, after: ITerraformDependable | None = None
    ) -> AddedAuthorizationRule:
        """One resource per network, each waiting for the previous change to the endpoint.

        `after` names that previous change when the caller keeps the chain (an endpoint
        that also adds routes); by default the last rule added here.
        """
        if after is not None:
            self.last = after
        self._check(name, rule)
        created = []
        for network in rule.networks:
            resource = Ec2ClientVpnAuthorizationRule(
                self,
                authorization_rule_id(name, network),
                client_vpn_endpoint_id=self._endpoint_id,
                target_network_cidr=network,
                access_group_id=rule.group,
                authorize_all_groups=True if rule.group is None else None,
                description=rule.description or name,
                depends_on=[self.last] if self.last is not None else None,
                timeouts=RULE_TIMEOUTS,
            )
            self.last = resource
            created.append(resource)
        self.rules[name] = added = AddedAuthorizationRule(name, rule, tuple(created))
        return added

    def _check(self, name: str, rule: AuthorizationRule) -> None:
        """AWS's rules the props alone can't check: unique names, groups, reachable networks."""
        if name in self.rules:
            raise ValueError(f'authorization "{name}": a rule of that name exists')
        if rule.group is not None and not self._user_based:
            raise ValueError(f'authorization "{name}" group: a group rule needs saml or directory authentication')
        if self._routed is not None:
            unreachable = _unreachable(rule.networks, self._routed)
            if unreachable:
                raise ValueError(
                    f'authorization "{name}" networks: no route reaches {unreachable}; the rule would be dead'
                )


def _unreachable(networks: Sequence[str], routed: Sequence[str]) -> str | None:
    """The first of `networks` inside none of `routed`."""
    routed_networks = [ipaddress.ip_network(n) for n in routed]
    for network in networks:
        if not any(ipaddress.ip_network(network).subnet_of(r) for r in routed_networks):
            return network
    return None
