"""Client VPN, which moto lacks: endpoints, target networks, authorization rules, routes, security groups,
the client configuration export and the CRL, and client connections (client_vpn_connections).

The resources and their Describe shapes are in client_vpn_model, the request checks in client_vpn_checks;
the actions are grouped by resource in the modules this one gathers into one mixin.
"""

from __future__ import annotations

from aws_emulator.client_vpn_checks import ClientVpnChecks
from aws_emulator.client_vpn_configuration import ClientConfigurationActions
from aws_emulator.client_vpn_connections import ClientConnectionActions
from aws_emulator.client_vpn_endpoints import EndpointActions
from aws_emulator.client_vpn_rules_and_routes import AuthorizationRuleActions, RouteActions
from aws_emulator.client_vpn_target_networks import TargetNetworkActions
from aws_emulator.parameters import RequestParameters


class ClientVpnResponses(EndpointActions, TargetNetworkActions, AuthorizationRuleActions, RouteActions,
                         ClientConfigurationActions, ClientConnectionActions, ClientVpnChecks, RequestParameters):
    """EC2 actions for Client VPN, mixed into moto's EC2Response (see aws_emulator.app)."""
