"""Tunnel-down alarms and the topic they notify.

One alarm per tunnel on AWS/VPN TunnelState, keyed by the tunnel's outside
address, and a composite alarm for the connection that fires only when both
tunnels are down: one tunnel down is degraded redundancy, both is an outage.
The metric comes from `SiteToSiteVpn.metric_tunnel_state`, so its namespace,
name and dimensions are written once (modules/metrics.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from cdktf_cdktf_provider_aws.cloudwatch_composite_alarm import CloudwatchCompositeAlarm
from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from cdktf_cdktf_provider_aws.sns_topic_subscription import SnsTopicSubscription
from constructs import Construct

from modules.metrics import TUNNEL_IP_ADDRESS, Metric
from vpn_schema.naming import id_part


class TunnelAlarms(Construct):
    """Alarms for the two tunnels of one VPN connection, and one for both down.

    A tunnel is down when its TunnelState stays below 1 for `evaluation_periods`
    periods; missing data counts as down (a deleted or never-up tunnel publishes nothing).

    Args:
        name: names the alarms (`vpn-{name}-tunnel1-down`, `vpn-{name}-connection-down`).
        tunnel_state: the TunnelState metric of tunnel 1 and of tunnel 2, from
            `SiteToSiteVpn.metric_tunnel_state(address)`; the alarm description names
            each metric's TunnelIpAddress.
        topic_arn: the SNS topic told of ALARM and OK.
        evaluation_periods: consecutive periods below 1 before an alarm. Default: 2 (10 minutes).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        tunnel_state: Sequence[Metric],
        topic_arn: str,
        evaluation_periods: int = 2,
    ) -> None:
        super().__init__(scope, id)
        names = [f"vpn-{name}-tunnel{number}-down" for number in (1, 2)]
        self.tunnel_alarms = [
            self._tunnel_alarm(number, alarm_name, metric, name, topic_arn, evaluation_periods)
            for number, (alarm_name, metric) in enumerate(zip(names, tunnel_state, strict=True), start=1)
        ]
        self.connection_alarm = CloudwatchCompositeAlarm(
            self,
            "connection_down",
            alarm_name=f"vpn-{name}-connection-down",
            alarm_description=f"VPN {name}: both tunnels are down; the site is cut off",
            alarm_rule=f'ALARM("{names[0]}") AND ALARM("{names[1]}")',
            # The rule names the alarms as text, so state the order explicitly.
            depends_on=self.tunnel_alarms,
            alarm_actions=[topic_arn],
            ok_actions=[topic_arn],
        )

    def _tunnel_alarm(
        self, number: int, alarm_name: str, metric: Metric, name: str, topic_arn: str, evaluation_periods: int
    ) -> CloudwatchMetricAlarm:
        address = metric.dimensions.get(TUNNEL_IP_ADDRESS)
        return CloudwatchMetricAlarm(
            self,
            f"tunnel{number}_down",
            alarm_name=alarm_name,
            alarm_description=f"VPN {name}: tunnel {number} ({address}) is down",
            **metric.alarm_arguments(),
            evaluation_periods=evaluation_periods,
            comparison_operator="LessThanThreshold",
            threshold=1,
            treat_missing_data="breaching",
            alarm_actions=[topic_arn],
            ok_actions=[topic_arn],
        )


class AlarmTopic(Construct):
    """The environment's SNS topic for VPN alarms, with optional e-mail subscribers.

    Encrypted only with a customer-managed key whose policy lets CloudWatch use it
    (`kms_key_arn`): AWS's own alias/aws/sns key does not, and alarms published to a
    topic under it are silently dropped.

    Args:
        environment: names the topic `vpn-alarms-{environment}`.
        emails: addresses subscribed by e-mail (each must confirm). Empty: none.
        kms_key_arn: a customer-managed KMS key for the topic. Default: none (unencrypted).

    Attributes: `topic`, the SNS topic; `arn`, its ARN (for `alarm_topic_arn` of other constructs).
    """

    def __init__(
        self, scope: Construct, id: str, *, environment: str, emails: Sequence[str] = (), kms_key_arn: str | None = None
    ) -> None:
        super().__init__(scope, id)
        self.topic = SnsTopic(
            self,
            "topic",
            name=f"vpn-alarms-{environment}",
            kms_master_key_id=kms_key_arn,
        )
        self.arn = self.topic.arn
        for email in emails:
            SnsTopicSubscription(
                self,
                f"email-{id_part(email)}",
                topic_arn=self.arn,
                protocol="email",
                endpoint=email,
            )
