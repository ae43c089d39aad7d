"""A KMS key for an environment's VPN logs and its alarm topic.

CloudWatch Logs encrypts log groups with it, and CloudWatch alarms publish to
the SNS topic encrypted with it; the key policy grants both services.
"""

from __future__ import annotations

import json

from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from constructs import Construct


def key_policy(account_id: str, region: str, partition: str = "aws") -> str:
    """Account root administers the key; CloudWatch Logs in this region and account may use it."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountAdministers",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "CloudWatchLogsUse",
                    "Effect": "Allow",
                    "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                    "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                    "Resource": "*",
                    "Condition": {
                        "ArnLike": {
                            "kms:EncryptionContext:aws:logs:arn": f"arn:{partition}:logs:{region}:{account_id}:*"
                        }
                    },
                },
                {
                    "Sid": "CloudWatchAlarmsPublishToEncryptedTopic",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                },
            ],
        },
        indent=2,
    )


class LogEncryptionKey(Construct):
    """A rotating KMS key, with an alias, for the environment's VPN log groups and alarm topic."""

    def __init__(self, scope: Construct, id: str, *, environment: str, account_id: str, region: str) -> None:
        super().__init__(scope, id)
        self.key = KmsKey(
            self,
            "key",
            description=f"VPN logs of {environment}",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=key_policy(account_id, region),
        )
        KmsAlias(self, "alias", name=f"alias/vpn-logs-{environment}", target_key_id=self.key.key_id)

    @property
    def arn(self) -> str:
        return self.key.arn
