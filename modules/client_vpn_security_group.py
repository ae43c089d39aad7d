"""The security group a Client VPN endpoint makes for itself when none is given: least privilege.

It starts with no egress at all; each authorization rule's network is let out as the rule is added,
so clients reach exactly what they are authorized for. Functions, not a construct: the resources are
the endpoint's own children (their addresses carry the endpoint's ID).
"""

from __future__ import annotations

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from vpn_schema.naming import id_part


def least_privilege_security_group(scope: Construct, *, label: str, vpc_id: str, client_to_client: bool
                                   ) -> SecurityGroup:
    """The group, and with `client_to_client` the rule that lets clients reach each other."""
    group = SecurityGroup(
        scope,
        "security_group",
        name=f"client-vpn-{label}",
        description=f"Client VPN {label}: clients reach only authorized networks",
        vpc_id=vpc_id,
        tags={"Name": f"client-vpn-{label}"},
        lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
    )
    if client_to_client:
        # AWS's client-to-client scenario: traffic between clients passes the
        # endpoint's network interfaces, which share this group.
        VpcSecurityGroupIngressRule(
            scope,
            "ingress-client-to-client",
            security_group_id=group.id,
            referenced_security_group_id=group.id,
            ip_protocol="-1",
            description="clients to clients",
        )
    return group


def allow_egress(scope: Construct, group: SecurityGroup, network: str) -> VpcSecurityGroupEgressRule:
    """Lets traffic to one authorized network out of `group`."""
    return VpcSecurityGroupEgressRule(
        scope,
        f"egress-{id_part(network)}",
        security_group_id=group.id,
        cidr_ipv4=network,
        ip_protocol="-1",
        description=f"authorized network {network}",
    )
