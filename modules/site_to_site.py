"""`SiteToSiteVpn`: one on-premises site's customer gateway, VPN connection and routing.

Resource IDs inside the construct are fixed names and the caller chooses the
construct's own ID (the project's stack derives it from the site name), so
adding or reordering sites never renumbers, and so never replaces, another
site's connection. Outputs are the caller's: the construct exposes what they
need (`tunnel_endpoints`, `customer_gateway_configuration`).
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Postcondition, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.customer_gateway import CustomerGateway
from cdktf_cdktf_provider_aws.data_aws_secretsmanager_secret_version import (
    DataAwsSecretsmanagerSecretVersion,
)
from cdktf_cdktf_provider_aws.vpn_connection import VpnConnection
from cdktf_cdktf_provider_aws.vpn_connection_route import VpnConnectionRoute
from constructs import Construct

from modules.alarms import TunnelAlarms
from modules.metrics import (
    PUBLISHING_PERIOD_SECONDS,
    TUNNEL_DATA_IN,
    TUNNEL_DATA_OUT,
    TUNNEL_STATE,
    Metric,
    vpn_metric,
)
from modules.transit_gateway_routing import route_through_transit_gateway
from vpn_schema import aws_rules as rules
from vpn_schema.naming import id_part, resource_name
from vpn_schema.site import Site


@dataclass(frozen=True)
class TunnelLogSettings:
    """Where tunnel logs go. Default: a log group per site, kept a year, AWS-managed encryption.

    Args:
        retention_days: a CloudWatch Logs retention value. Default: 365.
        kms_key_arn: a KMS key whose policy lets CloudWatch Logs use it. Default: none (AWS-managed).
    """

    retention_days: int = 365
    kms_key_arn: str | None = None


class SiteToSiteVpn(Construct):
    """A customer gateway and a VPN connection with two tunnels to one on-premises site.

    The connection attaches to `vpn_gateway_id` (the VPC's virtual private gateway), or
    to the transit gateway the site names. Pre-shared keys are never literal: AWS
    generates them, or they are read from the Secrets Manager secret a tunnel names,
    checked against AWS's rules at plan time. Each tunnel gets a down alarm, the
    connection one for both tunnels down.

    Args:
        name: the site's name: tags (`{environment}-{name}`), the log group
            (`/aws/vpn/{environment}/{name}`) and error messages.
        site: the site's props (vpn_schema.site.Site): address, ASN, routing, tunnels.
        environment: the environment's name, in tags and names.
        alarm_topic_arn: the SNS topic the tunnel alarms notify.
        vpn_gateway_id: the virtual private gateway to attach to; exactly one of it and
            `site.transit_gateway`. Default: none.
        logs: tunnel log retention and encryption. Default: `TunnelLogSettings()`, 365 days, AWS-managed key.
        prevent_destroy: refuse plans that replace or destroy the connection or the customer
            gateway (production). Default: false.

    Attributes: `customer_gateway`, `connection`, `log_group`, `alarms` (TunnelAlarms);
    `connection_id`, `customer_gateway_id`, `tunnel_addresses` (the two outside IPs).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        site: Site,
        environment: str,
        alarm_topic_arn: str,
        vpn_gateway_id: str | None = None,
        logs: TunnelLogSettings = TunnelLogSettings(),
        prevent_destroy: bool = False,
    ) -> None:
        super().__init__(scope, id)
        _check_props(name, site, vpn_gateway_id, logs)
        self.name = name
        self.site = site
        label = resource_name(environment, name)
        self.customer_gateway = self._customer_gateway(label, prevent_destroy)
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
        self.connection = self._connection(label, vpn_gateway_id, log_group_arn, prevent_destroy)
        self.connection_id = self.connection.id
        self.tunnel_addresses = (self.connection.tunnel1_address, self.connection.tunnel2_address)
        self._routes()
        self.alarms = TunnelAlarms(
            self,
            "alarms",
            name=label,
            tunnel_state=[self.metric_tunnel_state(address) for address in self.tunnel_addresses],
            topic_arn=alarm_topic_arn,
        )

    # ---- the steps of the constructor ----------------------------------------------------

    def _customer_gateway(self, label: str, prevent_destroy: bool) -> CustomerGateway:
        site = self.site
        return CustomerGateway(
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

    def _tunnel_arguments(self, log_group_arn: str) -> dict:
        """Every `tunnelN_*` argument of both tunnels, bring-your-own keys read from Secrets Manager."""
        arguments: dict = {}
        for number, tunnel in enumerate(self.site.tunnels(), start=1):
            arguments.update(tunnel.provider_arguments(number, log_group_arn))
            # Off is the provider's default (an Optional bool): left out, so turning the tier's default off
            # changes no synthesized byte; a change of it replaces the tunnel's endpoint at once.
            if arguments.get(f"tunnel{number}_enable_tunnel_lifecycle_control") is False:
                del arguments[f"tunnel{number}_enable_tunnel_lifecycle_control"]
            if tunnel.preshared_key_secret:
                arguments[f"tunnel{number}_preshared_key"] = self._preshared_key(
                    number, tunnel.preshared_key_secret
                ).secret_string
        return arguments

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

    def _connection(
        self, label: str, vpn_gateway_id: str | None, log_group_arn: str, prevent_destroy: bool
    ) -> VpnConnection:
        site, tgw = self.site, self.site.transit_gateway
        return VpnConnection(
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
            **self._tunnel_arguments(log_group_arn),
        )

    def _routes(self) -> None:
        """Static routes on the connection (virtual private gateway), or transit gateway route tables."""
        tgw = self.site.transit_gateway
        if tgw:
            route_through_transit_gateway(
                self,
                attachment_id=self.connection.transit_gateway_attachment_id,
                route_table_id=tgw.route_table_id,
                learning_route_table_ids=tgw.learning_route_table_ids,
                bgp=self.site.routing == "bgp",
                static_routes=self.site.static_routes,
            )
            return
        for cidr in self.site.static_routes:
            VpnConnectionRoute(
                self,
                f"route-{id_part(cidr)}",
                vpn_connection_id=self.connection_id,
                destination_cidr_block=cidr,
            )

    # ---- what outputs and monitoring read ------------------------------------------------

    @property
    def tunnel_endpoints(self) -> dict[str, str]:
        """What configuring the device needs, and no secret: IDs, both tunnels' outside and inside
        addresses, and the ARN of the Secrets Manager secret that holds AWS-generated keys."""
        c = self.connection
        return {
            "vpn_connection_id": self.connection_id,
            "customer_gateway_id": self.customer_gateway_id,
            "tunnel1_address": self.tunnel_addresses[0],
            "tunnel1_cgw_inside_address": c.tunnel1_cgw_inside_address,
            "tunnel1_vgw_inside_address": c.tunnel1_vgw_inside_address,
            "tunnel2_address": self.tunnel_addresses[1],
            "tunnel2_cgw_inside_address": c.tunnel2_cgw_inside_address,
            "tunnel2_vgw_inside_address": c.tunnel2_vgw_inside_address,
            "preshared_key_arn": c.preshared_key_arn,
        }

    @property
    def customer_gateway_configuration(self) -> str:
        """AWS's device configuration (XML). It holds the pre-shared keys: output it only as sensitive."""
        return self.connection.customer_gateway_configuration

    def metric(self, metric_name: str, tunnel_ip: str | None = None, *, statistic: str = "Average",
               period: int = PUBLISHING_PERIOD_SECONDS) -> Metric:
        """An AWS/VPN metric of this connection, or of the tunnel whose outside address is `tunnel_ip`."""
        return vpn_metric(metric_name, self.connection_id, tunnel_ip, statistic, period)

    def metric_tunnel_state(self, tunnel_ip: str | None = None, *, statistic: str = "Maximum",
                            period: int = PUBLISHING_PERIOD_SECONDS) -> Metric:
        """TunnelState: 1 up (BGP: established), 0 down. Maximum: a period counts as down only when no
        sample in it was up. Without `tunnel_ip`, the connection's value lies between 0 and 1 while one
        tunnel is down."""
        return self.metric(TUNNEL_STATE, tunnel_ip, statistic=statistic, period=period)

    def metric_tunnel_data_in(self, tunnel_ip: str | None = None, *, statistic: str = "Sum",
                              period: int = PUBLISHING_PERIOD_SECONDS) -> Metric:
        """TunnelDataIn: bytes received through the tunnel(s), summed per period."""
        return self.metric(TUNNEL_DATA_IN, tunnel_ip, statistic=statistic, period=period)

    def metric_tunnel_data_out(self, tunnel_ip: str | None = None, *, statistic: str = "Sum",
                               period: int = PUBLISHING_PERIOD_SECONDS) -> Metric:
        """TunnelDataOut: bytes sent through the tunnel(s), summed per period."""
        return self.metric(TUNNEL_DATA_OUT, tunnel_ip, statistic=statistic, period=period)


def _check_props(name: str, site: Site, vpn_gateway_id: str | None, logs: TunnelLogSettings) -> None:
    """What the Site model can't know: where the connection attaches, and the log settings."""
    if site.transit_gateway is None and vpn_gateway_id is None:
        raise ValueError(f'site "{name}": needs vpn_gateway_id or a transit_gateway')
    if site.transit_gateway is not None and vpn_gateway_id is not None:
        raise ValueError(f'site "{name}": give vpn_gateway_id or a transit_gateway, not both')
    if logs.retention_days not in rules.LOG_RETENTION_DAYS:
        raise ValueError(f"logs.retention_days: {logs.retention_days} is not a CloudWatch retention value")
