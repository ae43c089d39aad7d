"""`SiteToSiteVpn`: one on-premises site's customer gateway, VPN connection and routing.

Resource IDs inside the construct are fixed names, and the construct's own ID
comes from the site name, so adding or reordering sites never renumbers (and so
never replaces) another site's connection.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Postcondition, TerraformOutput, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.customer_gateway import CustomerGateway
from cdktf_cdktf_provider_aws.data_aws_secretsmanager_secret_version import (
    DataAwsSecretsmanagerSecretVersion,
)
from cdktf_cdktf_provider_aws.ec2_transit_gateway_route import Ec2TransitGatewayRoute
from cdktf_cdktf_provider_aws.ec2_transit_gateway_route_table_association import (
    Ec2TransitGatewayRouteTableAssociation,
)
from cdktf_cdktf_provider_aws.ec2_transit_gateway_route_table_propagation import (
    Ec2TransitGatewayRouteTablePropagation,
)
from cdktf_cdktf_provider_aws.vpn_connection import VpnConnection
from cdktf_cdktf_provider_aws.vpn_connection_route import VpnConnectionRoute
from constructs import Construct

from modules.alarms import TunnelAlarms
from vpn_schema import aws_rules as rules
from vpn_schema.naming import id_part
from vpn_schema.site import Site


@dataclass(frozen=True)
class TunnelLogSettings:
    """Where tunnel logs go. Default: a log group per site, kept a year, AWS-managed encryption."""

    retention_days: int = 365
    kms_key_arn: str | None = None


class SiteToSiteVpn(Construct):
    """A customer gateway and a VPN connection with two tunnels to one on-premises site.

    The connection attaches to `vpn_gateway_id` (the environment's virtual private
    gateway), or to the transit gateway the site names. Pre-shared keys are never
    literal: AWS generates them, or they are read from the Secrets Manager secret a
    tunnel names, checked against AWS's rules at plan time.
    """

    def __init__(
        self,
        scope: Construct,
        name: str,
        *,
        site: Site,
        environment: str,
        alarm_topic_arn: str,
        vpn_gateway_id: str | None = None,
        logs: TunnelLogSettings = TunnelLogSettings(),
        prevent_destroy: bool = False,
    ) -> None:
        super().__init__(scope, f"site-{name}")
        if site.transit_gateway is None and vpn_gateway_id is None:
            raise ValueError(f'site "{name}": needs vpn_gateway_id or a transit_gateway')
        if site.transit_gateway is not None and vpn_gateway_id is not None:
            raise ValueError(f'site "{name}": give vpn_gateway_id or a transit_gateway, not both')
        if logs.retention_days not in rules.LOG_RETENTION_DAYS:
            raise ValueError(f"logs.retention_days: {logs.retention_days} is not a CloudWatch retention value")
        self.name = name
        self.site = site
        label = f"{environment}-{name}"

        self.customer_gateway = CustomerGateway(
            self,
            "customer_gateway",
            type="ipsec.1",
            ip_address=site.ip_address,
            bgp_asn=None if site.uses_extended_asn else str(site.bgp_asn),
            bgp_asn_extended=str(site.bgp_asn) if site.uses_extended_asn else None,
            device_name=site.device_name,
            certificate_arn=site.certificate_arn,
            tags={"Name": label},
            # A new address or ASN replaces the customer gateway; the connection then
            # moves to the new one in place, keeping its tunnel outside IPs.
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True, prevent_destroy=prevent_destroy or None),
        )

        self.log_group = CloudwatchLogGroup(
            self,
            "tunnel_logs",
            name=f"/aws/vpn/{environment}/{name}",
            retention_in_days=logs.retention_days,
            kms_key_id=logs.kms_key_arn,
        )

        # Each attribute read is a round trip to the jsii runtime: read each token once.
        log_group_arn = self.log_group.arn
        self.customer_gateway_id = self.customer_gateway.id
        tunnel_args: dict = {}
        for number, tunnel in enumerate(site.tunnels(), start=1):
            tunnel_args.update(tunnel.provider_arguments(number, log_group_arn))
            if tunnel.preshared_key_secret:
                tunnel_args[f"tunnel{number}_preshared_key"] = self._preshared_key(
                    number, tunnel.preshared_key_secret
                ).secret_string

        tgw = site.transit_gateway
        self.connection = connection = VpnConnection(
            self,
            "connection",
            type="ipsec.1",
            customer_gateway_id=self.customer_gateway_id,
            vpn_gateway_id=vpn_gateway_id,
            transit_gateway_id=tgw.id if tgw else None,
            static_routes_only=site.routing == "static",
            preshared_key_storage=site.storage,
            enable_acceleration=site.enable_acceleration,
            tunnel_inside_ip_version=site.tunnel_inside_ip_version,
            local_ipv4_network_cidr=site.local_ipv4_network_cidr,
            remote_ipv4_network_cidr=site.remote_ipv4_network_cidr,
            local_ipv6_network_cidr=site.local_ipv6_network_cidr,
            remote_ipv6_network_cidr=site.remote_ipv6_network_cidr,
            outside_ip_address_type=site.outside_ip_address_type,
            transport_transit_gateway_attachment_id=site.transport_transit_gateway_attachment_id,
            tags={"Name": label},
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True) if prevent_destroy else None,
            **tunnel_args,
        )

        self.connection_id = connection.id
        self.tunnel_addresses = (connection.tunnel1_address, connection.tunnel2_address)
        if tgw:
            self._route_through_transit_gateway(tgw.route_table_id, tgw.learning_route_table_ids)
        else:
            for cidr in site.static_routes:
                VpnConnectionRoute(
                    self,
                    f"route-{id_part(cidr)}",
                    vpn_connection_id=self.connection_id,
                    destination_cidr_block=cidr,
                )

        self.alarms = TunnelAlarms(
            self,
            "alarms",
            name=label,
            vpn_connection_id=self.connection_id,
            tunnel_addresses=self.tunnel_addresses,
            topic_arn=alarm_topic_arn,
        )
        self._outputs()

    def _preshared_key(self, number: int, secret: str) -> DataAwsSecretsmanagerSecretVersion:
        """Reads a bring-your-own key; it lives in state only, never in the synthesized JSON."""
        condition = rules.psk_terraform_condition("self.secret_string")
        return DataAwsSecretsmanagerSecretVersion(
            self,
            f"tunnel{number}_preshared_key",
            secret_id=secret,
            lifecycle=TerraformResourceLifecycle(
                postcondition=[
                    Postcondition(
                        condition=f"${{{condition}}}",
                        error_message=(
                            f'site "{self.name}" tunnel[{number}]: the pre-shared key in Secrets Manager '
                            f'secret "{secret}" breaks AWS\'s rules: {rules.PSK_RULE_TEXT}.'
                        ),
                    )
                ]
            ),
        )

    def _route_through_transit_gateway(self, route_table_id: str, learning: list[str]) -> None:
        """The attachment associated with `route_table_id`; the site's networks into each `learning` table (BGP:
        propagation; static: routes). IDs in the association table keep their names from before route domains."""
        attachment_id = self.connection.transit_gateway_attachment_id
        Ec2TransitGatewayRouteTableAssociation(
            self,
            "tgw_association",
            transit_gateway_attachment_id=attachment_id,
            transit_gateway_route_table_id=route_table_id,
            # A VPN attachment joins the TGW's default association table by itself
            # when that is enabled; move it to the named table instead of failing.
            replace_existing_association=True,
        )
        for table in learning:
            suffix = "" if table == route_table_id else f"-{table}"
            if self.site.routing == "bgp":
                Ec2TransitGatewayRouteTablePropagation(
                    self,
                    f"tgw_propagation{suffix}",
                    transit_gateway_attachment_id=attachment_id,
                    transit_gateway_route_table_id=table,
                )
            for cidr in self.site.static_routes:
                Ec2TransitGatewayRoute(
                    self,
                    f"tgw_route-{id_part(cidr)}{suffix}",
                    destination_cidr_block=cidr,
                    transit_gateway_attachment_id=attachment_id,
                    transit_gateway_route_table_id=table,
                )

    def _outputs(self) -> None:
        c = self.connection
        tunnels = TerraformOutput(
            self,
            "tunnels",
            description=f'Tunnel endpoints of site "{self.name}", to configure the device',
            value={
                "vpn_connection_id": self.connection_id,
                "customer_gateway_id": self.customer_gateway_id,
                "tunnel1_address": self.tunnel_addresses[0],
                "tunnel1_cgw_inside_address": c.tunnel1_cgw_inside_address,
                "tunnel1_vgw_inside_address": c.tunnel1_vgw_inside_address,
                "tunnel2_address": self.tunnel_addresses[1],
                "tunnel2_cgw_inside_address": c.tunnel2_cgw_inside_address,
                "tunnel2_vgw_inside_address": c.tunnel2_vgw_inside_address,
                "preshared_key_arn": c.preshared_key_arn,
            },
        )
        # Readable, stable output names: `terraform output site_berlin-hq_tunnels`.
        tunnels.override_logical_id(f"site_{self.name}_tunnels")
        config = TerraformOutput(
            self,
            "customer_gateway_configuration",
            description=f'AWS\'s device configuration for site "{self.name}"; holds the pre-shared keys',
            value=c.customer_gateway_configuration,
            sensitive=True,
        )
        config.override_logical_id(f"site_{self.name}_customer_gateway_configuration")
