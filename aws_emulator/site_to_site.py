"""Site-to-Site VPN actions moto lacks or answers with fixed data.

A connection keeps its Options and TunnelOptions as created or modified, two tunnels with distinct outside
IPs, inside CIDRs and pre-shared keys picked as AWS picks them when not given (vpn_tunnels), static routes,
and a customer gateway configuration document built from those values (customer_gateway_configuration).
Each tunnel reports its VgwTelemetry and endpoint maintenance (tunnel_telemetry), and has its endpoint
replaced by ReplaceVpnTunnel and ModifyVpnTunnelOptions (vpn_tunnel_replacement).
Customer gateways keep DeviceName, CertificateArn and BgpAsnExtended, and route tables keep the virtual
private gateways that propagate into them. The actions are grouped by resource in the modules this one
gathers into one mixin.
"""

from __future__ import annotations

from aws_emulator.customer_gateways import CustomerGatewayActions
from aws_emulator.parameters import RequestParameters
from aws_emulator.virtual_private_gateways import VirtualPrivateGatewayActions
from aws_emulator.vpn_connection_options_and_routes import VpnConnectionChangeActions
from aws_emulator.vpn_connections import VpnConnectionActions
from aws_emulator.vpn_tunnel_replacement import TunnelReplacementActions


class SiteToSiteResponses(VpnConnectionActions, VpnConnectionChangeActions, TunnelReplacementActions,
                          VirtualPrivateGatewayActions, CustomerGatewayActions, RequestParameters):
    """EC2 actions for Site-to-Site VPN, mixed into moto's EC2Response (see aws_emulator.app)."""
