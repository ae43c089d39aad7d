"""A boto3 session for the account an environment deploys into, as its provider reaches it.

The same region and, when the environment names one, the same role as the stack's
provider block; credentials and endpoint (AWS_ENDPOINT_URL for the local
emulator) come from the usual environment variables and profiles.
"""

from __future__ import annotations

import boto3


def session(region: str, role_arn: str | None = None, session_name: str = "vpn-as-code") -> boto3.Session:
    base = boto3.Session(region_name=region)
    if not role_arn:
        return base
    credentials = base.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=session_name)["Credentials"]
    return boto3.Session(
        region_name=region,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def for_environment(config) -> boto3.Session:
    return session(config.region, config.assume_role_arn)
