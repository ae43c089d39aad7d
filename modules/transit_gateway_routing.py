"""A transit gateway VPN attachment's route domains: the table it is associated with, and the tables that
learn the site's networks (BGP: propagation; static: one route per network and table).

A function, not a construct: the resources belong to the site's construct (their addresses carry its ID),
and the IDs in the association table keep the names they had before route domains existed.
"""

from __future__ import annotations

from collections.abc import Sequence

from cdktf_cdktf_provider_aws.ec2_transit_gateway_route import Ec2TransitGatewayRoute
from cdktf_cdktf_provider_aws.ec2_transit_gateway_route_table_association import (
    Ec2TransitGatewayRouteTableAssociation,
)
from cdktf_cdktf_provider_aws.ec2_transit_gateway_route_table_propagation import (
    Ec2TransitGatewayRouteTablePropagation,
)
from constructs import Construct

from vpn_schema.naming import id_part


def route_through_transit_gateway(
    scope: Construct,
    *,
    attachment_id: str,
    route_table_id: str,
    learning_route_table_ids: Sequence[str],
    bgp: bool,
    static_routes: Sequence[str],
) -> None:
    """The attachment associated with `route_table_id`; the site's networks into each learning table."""
    Ec2TransitGatewayRouteTableAssociation(
        scope,
        "tgw_association",
        transit_gateway_attachment_id=attachment_id,
        transit_gateway_route_table_id=route_table_id,
        # A VPN attachment joins the TGW's default association table by itself
        # when that is enabled; move it to the named table instead of failing.
        replace_existing_association=True,
    )
    for table in learning_route_table_ids:
        suffix = "" if table == route_table_id else f"-{table}"
        if bgp:
            Ec2TransitGatewayRouteTablePropagation(
                scope,
                f"tgw_propagation{suffix}",
                transit_gateway_attachment_id=attachment_id,
                transit_gateway_route_table_id=table,
            )
        for cidr in static_routes:
            Ec2TransitGatewayRoute(
                scope,
                f"tgw_route-{id_part(cidr)}{suffix}",
                destination_cidr_block=cidr,
                transit_gateway_attachment_id=attachment_id,
                transit_gateway_route_table_id=table,
            )
