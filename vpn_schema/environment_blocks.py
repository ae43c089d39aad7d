"""The single blocks of an environment file (`state`, `vpc`, `vpn_gateway`, `logging`, `alarms`) and the
rules its top-level keys follow: names, tags, tiers. cdktf-free, no file access.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, Field, model_validator

from vpn_schema import aws_rules as rules
from vpn_schema.base import StrictModel


def _pattern(regex: str, what: str):
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


Region = Annotated[str, _pattern(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d", "an AWS region name")]
AccountId = Annotated[str, _pattern(r"\d{12}", "a 12-digit AWS account ID")]
RoleArn = Annotated[str, _pattern(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}", "an IAM role ARN")]
BucketName = Annotated[str, _pattern(r"(?!xn--)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", "a valid S3 bucket name")]
Email = Annotated[str, _pattern(r"[^@\s]+@[^@\s]+\.[^@\s]+", "an e-mail address")]
AvailabilityZone = Annotated[str, _pattern(r"[a-z]{2}(-gov)?-[a-z]+-\d[a-z]", "an availability zone name")]
SiteName = re.compile(r"[a-z0-9]([a-z0-9-]{0,46}[a-z0-9])?")
NAME_RULE = "1 to 48 lowercase letters, digits and '-', not at either end"
STACK_TAGS = ("environment", "managed-by")
# AWS's tag rules, as the strictest service the stack tags (logs, SNS, KMS) applies them.
TagKey = re.compile(r"[\w .:/=+@-]{1,128}")
TagValue = re.compile(r"[\w .:/=+@-]*")
TAG_VALUE_LENGTH = 256
MAX_TAGS = 50  # per resource
DEFAULT_AMAZON_SIDE_ASN = 64512  # a virtual private gateway's, when none is given
Tier = Literal["development", "staging", "production"]
TIERS: tuple[str, ...] = get_args(Tier)
PRODUCTION: Tier = "production"


def state_key(stack: str) -> str:
    """Where in the environment's bucket a stack's state lives: `vpn/<stack>/terraform.tfstate`. The base stack
    is named after the file (`vpn/prod/...`), a shard's stack `<env>-<shard>` (`vpn/prod-emea/...`:
    vpn_schema.naming.stack_names)."""
    return f"vpn/{stack}/terraform.tfstate"


class StateBackend(StrictModel):
    """Where Terraform keeps this environment's state: the S3 backend. The key is always
    `vpn/<env>/terraform.tfstate`, with `encrypt = true` and `use_lockfile = true`."""

    bucket: BucketName = Field(description=(
        "The state bucket: a valid S3 bucket name (3 to 63 of a-z 0-9 . -, not starting with xn--). "
        "It must already exist."))
    region: Region = Field(description="The bucket's AWS region, such as eu-central-1.")
    kms_key_id: rules.KmsKeyArn | None = Field(None, description=(
        "A KMS key or alias ARN that encrypts the state. Default: S3's default encryption."))


class Subnet(StrictModel):
    """What the stack must know of an existing subnet, since it never looks it up."""

    availability_zone: AvailabilityZone = Field(description=(
        "An availability zone of the environment's region, such as eu-central-1a. A production-tier endpoint "
        "needs subnets in two zones."))
    route_table_id: rules.RouteTableId | None = Field(None, description=(
        "The subnet's rtb- route table. When set, a Client VPN route to an on-premises network through this "
        "subnet requires the table to be in vpc.route_table_ids, so that it learns the site's routes."))


class Vpc(StrictModel):
    """An existing VPC; the stack never creates it. Required when a site uses the virtual private gateway
    (no `transit_gateway` block) or a Client VPN endpoint exists; an environment whose sites all use transit
    gateways needs none. Two environment files of one account and region may not attach a gateway to the
    same `vpc.id` (a VPC takes one virtual private gateway).

    `subnets` is written as a map: `subnets = { "subnet-0d10000000000000a" = { availability_zone =
    "eu-central-1a", route_table_id = "rtb-0d10000000000000a" } }`."""

    id: rules.VpcId = Field(description="vpc- followed by 8 or 17 hex digits. The VPN gateway attaches here.")
    cidr: rules.IPv4Cidr = Field(description=(
        "The VPC's IPv4 CIDR, with no host bits set. No site's static_routes and no client_cidr may overlap it."))
    subnets: dict[rules.SubnetId, Subnet] = Field({}, description=(
        "Subnet ID (subnet- and 8 or 17 hex digits) -> { availability_zone, route_table_id }: the subnets "
        "Client VPN endpoints may associate with. The stack never looks them up, so it is told their zone and "
        "route table here."))
    route_table_ids: Annotated[list[rules.RouteTableId], rules.Unique] = Field([], description=(
        "rtb- route table IDs, each listed once. Each gets a route propagation from the VPN gateway, so it "
        "learns the on-premises networks."))


class VpnGatewaySettings(StrictModel):
    """The one virtual private gateway of the environment, shared by every site that has no
    `transit_gateway`. It is created only if such a site exists; the stack outputs it as `vpn_gateway_id`."""

    amazon_side_asn: rules.AmazonSideAsn | None = Field(None, description=(
        "The AWS side's BGP ASN: a private ASN, 64512 to 65534 or 4200000000 to 4294967294. "
        "Default: AWS's, 64512."))


class Logging(StrictModel):
    """Log groups and their encryption. Each site gets `/aws/vpn/<env>/<site>` for its tunnel logs; each
    Client VPN endpoint with `connection_logging` gets `/aws/client-vpn/<env>/<name>`. Both use these
    settings."""

    retention_days: rules.LogRetentionDays = Field(365, description=(
        "Days CloudWatch Logs keeps the logs: one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, "
        "731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653 (CloudWatch's values). Default: 365."))
    kms_key_arn: rules.KmsKeyArn | None = Field(None, description=(
        "A KMS key or alias ARN that encrypts the log groups. Default: none (CloudWatch's own encryption)."))
    create_kms_key: bool = Field(False, description=(
        "Create a rotating KMS key, alias/vpn-logs-<env>, with a key policy for CloudWatch Logs in this account "
        "and region; it also encrypts the alarm topic. Not with kms_key_arn. Default: false."))

    @model_validator(mode="after")
    def _one_key_source(self) -> Logging:
        if self.kms_key_arn and self.create_kms_key:
            raise ValueError("create_kms_key: not with kms_key_arn; choose one")
        return self


class Alarms(StrictModel):
    """Every tunnel has an alarm on `AWS/VPN TunnelState < 1` (5-minute period, 2 periods evaluated, missing
    data counts as breaching). Each connection also has a composite alarm that fires only when both of its
    tunnels are down. All alarms notify the SNS topic `vpn-alarms-<env>`. With `logging.create_kms_key` the
    topic is encrypted with that key, whose policy lets CloudWatch alarms publish to it; otherwise it is not
    encrypted, because AWS's own `alias/aws/sns` key would make CloudWatch drop every notification. The stack
    outputs its ARN as `alarm_topic_arn`."""

    emails: Annotated[list[Email], rules.Unique] = Field([], description=(
        "E-mail addresses, each listed once, subscribed to the alarm topic vpn-alarms-<env>. Each subscriber "
        "must confirm. Default: none."))
