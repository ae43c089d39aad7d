"""Tunnel-down alarms and the topic they notify.

One alarm per tunnel on AWS/VPN TunnelState, keyed by the tunnel's outside
address, and a composite alarm for the connection that fires only when both
tunnels are down: one tunnel down is degraded redundancy, both is an outage.
"""

from __future__ import annotations

from cdktf_cdktf_provider_aws.cloudwatch_composite_alarm import CloudwatchCompositeAlarm
from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from cdktf_cdktf_provider_aws.sns_topic_subscription import SnsTopicSubscription
from constructs import Construct

from vpn_schema.naming import id_part

# AWS publishes TunnelState every 5 minutes; 1 means up (or BGP established).
TUNNEL_STATE_PERIOD_SECONDS = 300


class TunnelAlarms(Construct):
    """Alarms for the two tunnels of one VPN connection."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        vpn_connection_id: str,
        tunnel_addresses: tuple[str, str],
        topic_arn: str,
        evaluation_periods: int = 2,
    ) -> None:
        super().__init__(scope, id)
        self.tunnel_alarms = []
        names = [f"vpn-{name}-tunnel{number}-down" for number in (1, 2)]
        for number, address in enumerate(tunnel_addresses, start=1):
            self.tunnel_alarms.append(
                CloudwatchMetricAlarm(
                    self,
                    f"tunnel{number}_down",
                    alarm_name=names[number - 1],
                    alarm_description=f"VPN {name}: tunnel {number} ({address}) is down",
                    namespace="AWS/VPN",
                    metric_name="TunnelState",
                    dimensions={"VpnId": vpn_connection_id, "TunnelIpAddress": address},
                    statistic="Maximum",
                    period=TUNNEL_STATE_PERIOD_SECONDS,
                    evaluation_periods=evaluation_periods,
                    comparison_operator="LessThanThreshold",
                    threshold=1,
                    treat_missing_data="breaching",
                    alarm_actions=[topic_arn],
                    ok_actions=[topic_arn],
                )
            )
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


class AlarmTopic(Construct):
    """The environment's SNS topic for VPN alarms, with optional e-mail subscribers.

    Encrypted only with a customer-managed key whose policy lets CloudWatch use it
    (`kms_key_arn`): AWS's own alias/aws/sns key does not, and alarms published to a
    topic under it are silently dropped.
    """

    def __init__(
        self, scope: Construct, id: str, *, environment: str, emails: list[str], kms_key_arn: str | None = None
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
