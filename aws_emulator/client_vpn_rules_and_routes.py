"""Client VPN authorization rules (AuthorizeClientVpnIngress, RevokeClientVpnIngress,
DescribeClientVpnAuthorizationRules) and routes (CreateClientVpnRoute, DeleteClientVpnRoute,
DescribeClientVpnRoutes)."""

from __future__ import annotations

from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError

from aws_emulator.client_vpn_checks import first
from aws_emulator.client_vpn_model import AuthorizationRule, Route
from aws_emulator.errors import invalid_parameter

# The filters DescribeClientVpnAuthorizationRules and DescribeClientVpnRoutes take.
RULE_FILTERS = {
    "description": lambda r: r.description,
    "destination-cidr": lambda r: r.destination_cidr,
    "group-id": lambda r: r.group_id,
}
ROUTE_FILTERS = {
    "destination-cidr": lambda r: r.destination_cidr,
    "origin": lambda r: r.origin,
    "target-subnet": lambda r: r.target_subnet,
}


class AuthorizationRuleActions:
    def authorize_client_vpn_ingress(self) -> ActionResult:
        endpoint = self._endpoint()
        cidr = self._cidr_param("TargetNetworkCidr")
        group = self._get_param("AccessGroupId") or ""
        everyone = bool(self._get_param("AuthorizeAllGroups", False))
        if everyone == bool(group):
            raise invalid_parameter("Specify either AccessGroupId or AuthorizeAllGroups, not both and not neither")
        if any(r.destination_cidr == cidr and r.group_id == group and r.access_all == everyone for r in endpoint.rules):
            raise EC2ClientError("InvalidClientVpnDuplicateAuthorizationRule", f"An authorization rule for {cidr} and this group already exists")
        rule = AuthorizationRule(endpoint.id, cidr, group, everyone, self._get_param("Description") or "")
        endpoint.rules.append(rule)
        return ActionResult({"Status": {"Code": rule.status}})

    def revoke_client_vpn_ingress(self) -> ActionResult:
        endpoint = self._endpoint()
        cidr = self._cidr_param("TargetNetworkCidr")
        group = self._get_param("AccessGroupId") or ""
        everyone = bool(self._get_param("RevokeAllGroups", False))
        rule = first(endpoint.rules,
                     lambda r: r.destination_cidr == cidr and (r.access_all if everyone else r.group_id == group),
                     "InvalidClientVpnEndpointAuthorizationRuleNotFound", f"No authorization rule for {cidr} on {endpoint.id}")
        endpoint.rules.remove(rule)
        return ActionResult({"Status": {"Code": "revoking"}})

    def describe_client_vpn_authorization_rules(self) -> ActionResult:
        return self._described(self._endpoint().rules, RULE_FILTERS, "AuthorizationRules")


class RouteActions:
    def create_client_vpn_route(self) -> ActionResult:
        endpoint = self._endpoint()
        cidr = self._cidr_param("DestinationCidrBlock")
        subnet = self._required_param("TargetVpcSubnetId")
        if subnet not in {n.subnet_id for n in endpoint.live_networks()} and subnet != "local":
            raise EC2ClientError("InvalidClientVpnActiveAssociationNotFound", f"Subnet {subnet} is not associated with {endpoint.id}")
        if any(r.destination_cidr == cidr and r.target_subnet == subnet for r in endpoint.routes):
            raise EC2ClientError("InvalidClientVpnDuplicateRoute", f"A route to {cidr} through {subnet} already exists")
        route = Route(endpoint.id, cidr, subnet, "add-route", self._get_param("Description") or "")
        endpoint.routes.append(route)
        return ActionResult({"Status": {"Code": route.status}})

    def delete_client_vpn_route(self) -> ActionResult:
        endpoint = self._endpoint()
        cidr = self._cidr_param("DestinationCidrBlock")
        subnet = self._get_param("TargetVpcSubnetId")
        route = first(endpoint.routes, lambda r: r.destination_cidr == cidr and (not subnet or r.target_subnet == subnet),
                      "InvalidClientVpnRouteNotFound", f"No route to {cidr} on {endpoint.id}")
        if route.origin == "associate":
            raise invalid_parameter(f"The route to {cidr} was added by a target network association; disassociate it instead")
        endpoint.routes.remove(route)
        return ActionResult({"Status": {"Code": "deleting"}})

    def describe_client_vpn_routes(self) -> ActionResult:
        return self._described(self._endpoint().routes, ROUTE_FILTERS, "Routes")
