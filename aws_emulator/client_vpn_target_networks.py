"""Client VPN target networks: AssociateClientVpnTargetNetwork, DisassociateClientVpnTargetNetwork,
DescribeClientVpnTargetNetworks and ApplySecurityGroupsToClientVpnTargetNetwork."""

from __future__ import annotations

import ipaddress

from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.utils import random_id

from aws_emulator.client_vpn_model import Route, TargetNetwork
from aws_emulator.errors import invalid_parameter, missing_parameter, not_found


class TargetNetworkActions:
    def associate_client_vpn_target_network(self) -> ActionResult:
        endpoint = self._endpoint()
        subnet_id = self._required_param("SubnetId")
        try:
            subnet = self.ec2_backend.get_subnet(subnet_id)
        except EC2ClientError:
            raise not_found("InvalidClientVpnSubnetId.NotFound", "subnet", subnet_id) from None
        if endpoint.vpc_id and subnet.vpc_id != endpoint.vpc_id:
            raise EC2ClientError("InvalidClientVpnSubnetId.NotFound", f"Subnet {subnet_id} is not in the endpoint's "
                                 f"VPC {endpoint.vpc_id}")
        live = endpoint.live_networks()
        if any(n.subnet_id == subnet_id for n in live):
            raise EC2ClientError("InvalidClientVpnDuplicateAssociationException", f"Subnet {subnet_id} is already associated")
        if any(n.availability_zone == subnet.availability_zone for n in live):
            raise EC2ClientError(
                "InvalidClientVpnSubnetId.DuplicateAz",
                f"A subnet in availability zone {subnet.availability_zone} is already associated with {endpoint.id}",
            )
        if ipaddress.ip_network(subnet.cidr_block).overlaps(ipaddress.ip_network(endpoint.client_cidr)):
            raise EC2ClientError("InvalidClientVpnSubnetId.OverlappingCidr", f"Subnet {subnet_id} overlaps the client CIDR {endpoint.client_cidr}")
        if not endpoint.vpc_id:
            endpoint.vpc_id = subnet.vpc_id
            endpoint.security_group_ids = [self.ec2_backend.get_default_security_group(subnet.vpc_id).id]
        network = TargetNetwork(
            association_id=random_id("cvpn-assoc"),
            endpoint_id=endpoint.id,
            subnet_id=subnet_id,
            vpc_id=subnet.vpc_id,
            availability_zone=subnet.availability_zone,
            security_groups=list(endpoint.security_group_ids),
        )
        endpoint.networks[network.association_id] = network
        vpc_cidr = self.ec2_backend.get_vpc(subnet.vpc_id).cidr_block
        endpoint.routes.append(Route(endpoint.id, vpc_cidr, subnet_id, "associate", "Default Route"))
        return ActionResult({"AssociationId": network.association_id, "Status": {"Code": network.status}})

    def disassociate_client_vpn_target_network(self) -> ActionResult:
        endpoint = self._endpoint()
        association_id = self._get_param("AssociationId")
        network = endpoint.networks.get(association_id)
        if network is None or network.status not in ("associating", "associated"):
            raise not_found("InvalidClientVpnAssociationIdNotFound", "association", str(association_id))
        network.status = "disassociated"
        # Routes through the subnet go with it: the association's own, and any added to it.
        endpoint.routes = [r for r in endpoint.routes if r.target_subnet != network.subnet_id]
        return ActionResult({"AssociationId": association_id, "Status": {"Code": "disassociating"}})

    def describe_client_vpn_target_networks(self) -> ActionResult:
        endpoint = self._endpoint()
        return self._described(
            [n for n in endpoint.networks.values() if n.status != "disassociated"],
            {
                "association-id": lambda n: n.association_id,
                "target-network-id": lambda n: n.subnet_id,
                "vpc-id": lambda n: n.vpc_id,
            },
            "ClientVpnTargetNetworks", self._get_param("AssociationIds", []), "association-id",
        )

    def apply_security_groups_to_client_vpn_target_network(self) -> ActionResult:
        endpoint = self._endpoint()
        vpc_id = self._required_param("VpcId")
        if endpoint.vpc_id and vpc_id != endpoint.vpc_id:
            raise invalid_parameter(f"VPC {vpc_id} is not the endpoint's VPC {endpoint.vpc_id}")
        groups = self._security_groups(vpc_id, self._get_param("SecurityGroupIds", []))
        if not groups:
            raise missing_parameter("SecurityGroupIds")
        endpoint.use_security_groups(vpc_id, groups)
        return ActionResult({"SecurityGroupIds": groups})
