"""`Metric`: a typed description of one CloudWatch metric, what the constructs' `metric_*` helpers return.

One home for the namespaces, metric names and dimensions AWS publishes for VPNs
(from AWS's user guides: Site-to-Site VPN "Monitoring your Site-to-Site VPN
tunnels using Amazon CloudWatch", Client VPN "Amazon CloudWatch"), so an
alarm, a dashboard or an example reads them from here instead of spelling them
again. Both services publish every 5 minutes. cdktf-free: a dimension value
may be a token (a connection or endpoint ID), which stays a string here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Site-to-Site VPN: per connection (VpnId), per tunnel (VpnId and TunnelIpAddress, the tunnel's outside address).
VPN_NAMESPACE = "AWS/VPN"
VPN_ID = "VpnId"
TUNNEL_IP_ADDRESS = "TunnelIpAddress"
TUNNEL_STATE = "TunnelState"  # 1 up (BGP: established), 0 down; between 0 and 1 on VpnId alone: some tunnel down
TUNNEL_DATA_IN = "TunnelDataIn"  # bytes received through the tunnel
TUNNEL_DATA_OUT = "TunnelDataOut"  # bytes sent through the tunnel

# Client VPN: per endpoint.
CLIENT_VPN_NAMESPACE = "AWS/ClientVPN"
CLIENT_VPN_ENDPOINT = "Endpoint"
ACTIVE_CONNECTIONS = "ActiveConnectionsCount"
AUTHENTICATION_FAILURES = "AuthenticationFailures"
INGRESS_BYTES = "IngressBytes"
EGRESS_BYTES = "EgressBytes"
INGRESS_PACKETS = "IngressPackets"
EGRESS_PACKETS = "EgressPackets"

PUBLISHING_PERIOD_SECONDS = 300  # both services publish every 5 minutes; a shorter period has gaps


@dataclass(frozen=True)
class Metric:
    """One CloudWatch metric, with the statistic and period to read it by.

    Args:
        namespace: the CloudWatch namespace, `AWS/VPN` or `AWS/ClientVPN`.
        metric_name: the metric's name, for example `TunnelState`.
        dimensions: dimension name -> value (values may be Terraform references).
        statistic: `Average`, `Sum`, `Minimum`, `Maximum` or `SampleCount`.
        period: seconds per data point. Default: 300, how often AWS publishes.
    """

    namespace: str
    metric_name: str
    dimensions: Mapping[str, str] = field(default_factory=dict)
    statistic: str = "Average"
    period: int = PUBLISHING_PERIOD_SECONDS

    def with_(self, *, statistic: str | None = None, period: int | None = None) -> Metric:
        """The same metric read by another statistic or period."""
        return dataclasses.replace(
            self, statistic=statistic or self.statistic, period=self.period if period is None else period
        )

    def alarm_arguments(self) -> dict[str, Any]:
        """The keyword arguments of `CloudwatchMetricAlarm` that name this metric."""
        return {
            "namespace": self.namespace,
            "metric_name": self.metric_name,
            "dimensions": dict(self.dimensions),
            "statistic": self.statistic,
            "period": self.period,
        }


def vpn_metric(
    metric_name: str, vpn_id: str, tunnel_ip: str | None, statistic: str, period: int = PUBLISHING_PERIOD_SECONDS
) -> Metric:
    """A Site-to-Site VPN metric of one connection, or of one of its tunnels when `tunnel_ip` is given."""
    dimensions = {VPN_ID: vpn_id}
    if tunnel_ip is not None:
        dimensions[TUNNEL_IP_ADDRESS] = tunnel_ip
    return Metric(VPN_NAMESPACE, metric_name, dimensions, statistic, period)


def client_vpn_metric(
    metric_name: str, endpoint_id: str, statistic: str, period: int = PUBLISHING_PERIOD_SECONDS
) -> Metric:
    """A Client VPN metric of one endpoint."""
    return Metric(CLIENT_VPN_NAMESPACE, metric_name, {CLIENT_VPN_ENDPOINT: endpoint_id}, statistic, period)
