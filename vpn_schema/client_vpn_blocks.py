"""The nested blocks of a Client VPN endpoint (its certificates, authorization rules and routes) and the
types of its AWS identifiers.

Props of the constructs and config schema alike (vpn_schema.client_vpn re-exports them). cdktf-free.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from vpn_schema import aws_rules as rules
from vpn_schema.base import StrictModel

CONNECT_HANDLER_PREFIX = "AWSClientVPN-"


def _saml_provider_arn(value: str) -> str:
    if not re.fullmatch(r"arn:aws[a-z-]*:iam::\d{12}:saml-provider/[\w+=,.@-]{1,128}", value):
        raise ValueError(f"{value!r} is not an IAM SAML provider ARN")
    return value


SamlProviderArn = Annotated[str, AfterValidator(_saml_provider_arn)]
DirectoryId = Annotated[str, Field(pattern=r"^d-[0-9a-f]{10}$")]
SecurityGroupId = Annotated[str, rules.aws_id("sg")]


def _lambda_arn(value: str) -> str:
    match = re.fullmatch(r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]{1,64})(:[\w$-]+)?", value)
    if not match:
        raise ValueError(f"{value!r} is not a Lambda function ARN")
    if not match.group(1).startswith(CONNECT_HANDLER_PREFIX):
        raise ValueError(f"the function name must start with {CONNECT_HANDLER_PREFIX}, got {match.group(1)}")
    return value


LambdaArn = Annotated[str, AfterValidator(_lambda_arn)]


class CertificateSource(StrictModel):
    """An ACM certificate by ARN, or PEM files imported from a folder under the `pki_dir` variable. Give
    exactly one key.

    A `pki` folder holds server.crt, server.key and ca.crt; they are read by Terraform's
    file() at plan time, so no key material or machine path is synthesized.
    """

    acm_arn: rules.AcmCertificateArn | None = Field(None, description=(
        "An ACM (or ACM PCA) certificate ARN, used as it is. Exactly one of acm_arn and pki."))
    pki: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,62}$")] | None = Field(None, description=(
        "A folder name ([a-z0-9][a-z0-9._-]{0,62}) under the pki_dir variable, holding server.crt, server.key, "
        "ca.crt and crl.pem (vpnctl pki init). They are imported into ACM as an aws_acm_certificate "
        "(create_before_destroy), with ca.crt as the chain; the client root's folder's crl.pem is imported into "
        "the endpoint. Exactly one of acm_arn and pki."))

    @model_validator(mode="after")
    def _exactly_one(self) -> CertificateSource:
        if (self.acm_arn is None) == (self.pki is None):
            raise ValueError("give exactly one of acm_arn or pki")
        return self


class AuthorizationRule(StrictModel):
    """Grants one group, or every authenticated user, access to networks. Each network becomes one
    `aws_ec2_client_vpn_authorization_rule`. Names, like route names, follow the site name rule (lowercase
    letters, digits, `-`), so that resource IDs derived from them never collide."""

    networks: Annotated[list[rules.IPv4Cidr], rules.Unique, Field(min_length=1)] = Field(description=(
        "IPv4 CIDRs, at least one, each once. Each must be routed: inside the VPC CIDR, a route destination or "
        "(with client_to_client) the client CIDR; a rule no route reaches is dead and refused."))
    group: Annotated[str, Field(min_length=1, max_length=255)] | None = Field(None, description=(
        "1 to 255 characters: an IdP group (SAML) or an Active Directory group SID. Needs saml or directory "
        "authentication. Default: every authenticated user."))
    description: Annotated[str, Field(max_length=255)] | None = Field(None, description=(
        "At most 255 characters (AWS). Default: the rule's name."))


class Route(StrictModel):
    """Sends traffic for `destination` out through associated subnets. Each target subnet gets one
    `aws_ec2_client_vpn_route`."""

    destination: rules.IPv4Cidr = Field(description=(
        "An IPv4 CIDR. 0.0.0.0/0 only with split_tunnel = false; not the VPC CIDR itself (AWS adds that route "
        "with each association); not overlapping the client CIDR; in one route block only."))
    subnet_ids: Annotated[list[rules.SubnetId], rules.Unique, Field(min_length=1)] | None = Field(None, description=(
        "Target subnets, at least one, each once, each an associated subnet (subnet_ids of the endpoint). "
        "Default: every associated subnet, for redundancy."))
    description: Annotated[str, Field(max_length=255)] | None = Field(None, description=(
        "At most 255 characters (AWS). Default: the route's name."))


# The usage an endpoint is estimated with when its block doesn't say (docs/costs.md).
DEFAULT_CONCURRENT_USERS = 10
DEFAULT_HOURS_PER_MONTH = 176
MONTH_HOURS = 730  # the cost estimate's month (vpnctl/cost/prices.json): no one is connected longer


class Usage(StrictModel):
    """How much people use the endpoint: the one input of its monthly cost that no resource holds (AWS bills
    Client VPN per connected user per hour). Only vpnctl's cost estimate reads it (docs/costs.md); the
    constructs ignore it, so changing it changes no resource."""

    concurrent_users: Annotated[int, rules.check_at_least(0, unit="users")] = Field(
        DEFAULT_CONCURRENT_USERS, description=(
            "Users connected at the same time, on average over the hours below: at least 0. Default: 10, a small "
            "team; set your own, since connection-hours are the one part of the bill that grows with use."))
    hours_per_month: Annotated[int, rules.check_between(0, MONTH_HOURS, unit="hours")] = Field(
        DEFAULT_HOURS_PER_MONTH, description=(
            "Hours a month they are connected: 0 to 730 (the estimate's month). Default: 176, a working month "
            "(22 days of 8 hours), for people who connect for the working day."))
