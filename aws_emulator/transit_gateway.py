"""Transit gateway route table actions moto lacks or answers in its own shapes.

moto keeps a static route's attachment and state under its own keys, so SearchTransitGatewayRoutes
answered without them and the provider read every route as a blackhole with no attachment (a
replacement in every plan); here routes are answered in the EC2 API's shape.
"""

from __future__ import annotations

from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError

from aws_emulator.errors import not_found


def route_shape(route: dict) -> dict:
    """A route as moto stores it, in the API's TransitGatewayRoute shape."""
    out = {"DestinationCidrBlock": route["destinationCidrBlock"], "State": route["state"], "Type": route["type"]}
    attachment = route.get("transitGatewayAttachments")
    if attachment:
        out["TransitGatewayAttachments"] = [{
            "ResourceId": attachment["resourceId"],
            "ResourceType": attachment["resourceType"],
            "TransitGatewayAttachmentId": attachment["transitGatewayAttachmentId"],
        }]
    return out


class TransitGatewayResponses:
    def create_transit_gateway_route(self) -> ActionResult:
        route = self.ec2_backend.create_transit_gateway_route(
            destination_cidr_block=self._get_param("DestinationCidrBlock"),
            transit_gateway_route_table_id=self._get_param("TransitGatewayRouteTableId"),
            transit_gateway_attachment_id=self._get_param("TransitGatewayAttachmentId"),
            blackhole=str(self._get_param("Blackhole")).lower() == "true",
        )
        return ActionResult({"Route": route_shape(route)})

    def search_transit_gateway_routes(self) -> ActionResult:
        routes = self.ec2_backend.search_transit_gateway_routes(
            transit_gateway_route_table_id=self._get_param("TransitGatewayRouteTableId"),
            filters=self._filters_from_querystring(),
            max_results=self._get_param("MaxResults"),
        )
        return ActionResult({"Routes": [route_shape(r) for r in routes], "AdditionalRoutesAvailable": False})

    def disassociate_transit_gateway_route_table(self) -> ActionResult:
        """moto keeps the default association a VPN attachment gets from its transit gateway
        only on the route table, and fails to find it; replace_existing_association needs it."""
        table_id = self._get_param("TransitGatewayRouteTableId")
        attachment_id = self._get_param("TransitGatewayAttachmentId")
        backend = self.ec2_backend
        table = backend.transit_gateways_route_tables.get(table_id)
        if table is None:
            raise not_found("InvalidRouteTableID.NotFound", "transit gateway route table", str(table_id))
        attachment = backend.transit_gateway_attachments.get(attachment_id)
        associated = attachment is not None and (
            attachment_id in table.route_table_associations
            or getattr(attachment, "_association_data", {}).get("transitGatewayRouteTableId") == table_id
        )
        if not associated:
            raise EC2ClientError("InvalidAssociation.NotFound", f"{attachment_id} is not associated with {table_id}")
        backend.transit_gateway_associations.pop(attachment_id, None)
        table.route_table_associations.pop(attachment_id, None)
        backend.unset_attachment_association(attachment_id)
        return ActionResult(
            {
                "Association": {
                    "TransitGatewayRouteTableId": table_id,
                    "TransitGatewayAttachmentId": attachment_id,
                    "ResourceId": attachment.resource_id,
                    "ResourceType": attachment.resource_type,
                    "State": "disassociating",
                }
            }
        )
