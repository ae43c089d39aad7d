"""`VpnGateway`: the one virtual private gateway of a VPC, and its route propagation.

AWS attaches at most one virtual private gateway to a VPC, so every site of an
environment shares it. Propagation is one resource per (gateway, route table),
keyed by the route table ID so the list's order does not matter.
"""

from __future__ import annotations

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.vpn_gateway import VpnGateway as VpnGatewayResource
from cdktf_cdktf_provider_aws.vpn_gateway_route_propagation import VpnGatewayRoutePropagation
from constructs import Construct

from vpn_schema.naming import resource_name


class VpnGateway(Construct):
    """A virtual private gateway attached to `vpc_id`, propagating into `route_table_ids`."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        environment: str,
        vpc_id: str,
        route_table_ids: list[str],
        amazon_side_asn: int | None = None,
        prevent_destroy: bool = False,
    ) -> None:
        super().__init__(scope, id)
        self.gateway = VpnGatewayResource(
            self,
            "gateway",
            vpc_id=vpc_id,
            amazon_side_asn=str(amazon_side_asn) if amazon_side_asn is not None else None,
            tags={"Name": resource_name(environment, "vpn-gateway")},
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True) if prevent_destroy else None,
        )
        self.id = self.gateway.id
        for route_table_id in route_table_ids:
            VpnGatewayRoutePropagation(
                self,
                f"propagation-{route_table_id}",
                vpn_gateway_id=self.id,
                route_table_id=route_table_id,
            )
