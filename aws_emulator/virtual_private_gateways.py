"""Virtual private gateways: AttachVpnGateway (one gateway a VPC), and the route propagation
EnableVgwRoutePropagation and DisableVgwRoutePropagation keep on a route table."""

from __future__ import annotations

from moto.core.responses import ActionResult, EmptyResult
from moto.ec2.exceptions import EC2ClientError


class VirtualPrivateGatewayActions:
    def attach_vpn_gateway(self) -> ActionResult:
        """A VPC takes one virtual private gateway at a time; AWS answers a second with InvalidVpcState."""
        gateway_id, vpc_id = self._get_param("VpnGatewayId"), self._get_param("VpcId")
        for gateway in self.ec2_backend.vpn_gateways.values():
            if gateway.id != gateway_id and gateway.state != "deleted" and any(
                a.vpc_id == vpc_id and a.state in ("attaching", "attached") for a in gateway.attachments.values()
            ):
                raise EC2ClientError("InvalidVpcState", f"VPC {vpc_id} is currently attached to the Virtual Private "
                                     f"Gateway {gateway.id}.")
        return ActionResult({"VpcAttachment": self.ec2_backend.attach_vpn_gateway(gateway_id, vpc_id)})

    def _route_table_and_gateway(self):
        table_id, gateway_id = self._required_param("RouteTableId"), self._required_param("GatewayId")
        table = self.ec2_backend.get_route_table(table_id)
        gateway = self.ec2_backend.get_vpn_gateway(gateway_id)
        if not any(a.vpc_id == table.vpc_id and a.state == "attached" for a in gateway.attachments.values()):
            raise EC2ClientError("Gateway.NotAttached", f"resource {gateway_id} is not attached to the route table's VPC {table.vpc_id}")
        return table, gateway_id

    def enable_vgw_route_propagation(self) -> ActionResult:
        table, gateway_id = self._route_table_and_gateway()
        propagating = table.__dict__.setdefault("propagating_vgws", [])
        if all(p["GatewayId"] != gateway_id for p in propagating):
            propagating.append({"GatewayId": gateway_id})
        return EmptyResult()

    def disable_vgw_route_propagation(self) -> ActionResult:
        table, gateway_id = self._route_table_and_gateway()
        table.__dict__["propagating_vgws"] = [p for p in getattr(table, "propagating_vgws", []) if p["GatewayId"] != gateway_id]
        return EmptyResult()
