"""AWS's own limits for Site-to-Site VPN, kept in one place.

The provider checks only some of these at plan time and AWS checks the rest at
apply time; we check them all before anything is written. Config models, the
constructs and the operator tooling all import from here, so a rule changes in
one place. No cdktf import: this module is plain data and functions.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated

from pydantic import AfterValidator

# --- tunnel inside addresses ------------------------------------------------

TUNNEL_INSIDE_RANGE = ipaddress.ip_network("169.254.0.0/16")
TUNNEL_INSIDE_IPV6_RANGE = ipaddress.ip_network("fd00::/8")
RESERVED_INSIDE_CIDRS = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "169.254.0.0/30",
        "169.254.1.0/30",
        "169.254.2.0/30",
        "169.254.3.0/30",
        "169.254.4.0/30",
        "169.254.5.0/30",
        "169.254.169.252/30",
    )
)

# --- tunnel option ranges (EC2 API reference, VpnTunnelOptionsSpecification) --

PHASE1_LIFETIME_SECONDS = (900, 28800)
PHASE2_LIFETIME_SECONDS = (900, 3600)
PHASE2_LIFETIME_DEFAULT = 3600
REKEY_MARGIN_MIN_SECONDS = 60
REKEY_FUZZ_PERCENTAGE = (0, 100)
REPLAY_WINDOW_SIZE = (64, 2048)
DPD_TIMEOUT_MIN_SECONDS = 30

IKE_VERSIONS = ("ikev1", "ikev2")
ENCRYPTION_ALGORITHMS = ("AES128", "AES256", "AES128-GCM-16", "AES256-GCM-16")
INTEGRITY_ALGORITHMS = ("SHA1", "SHA2-256", "SHA2-384", "SHA2-512")
PHASE1_DH_GROUPS = (2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24)
PHASE2_DH_GROUPS = (2, 5, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24)
DPD_TIMEOUT_ACTIONS = ("clear", "none", "restart")
STARTUP_ACTIONS = ("add", "start")
TUNNEL_LOG_FORMATS = ("json", "text")
PRESHARED_KEY_STORAGE = ("Standard", "SecretsManager")

# --- gateways ---------------------------------------------------------------

BGP_ASN_RANGE = (1, 4294967295)
BGP_ASN_MAX_2BYTE_FIELD = 2147483647  # above this, the provider wants bgp_asn_extended
AMAZON_SIDE_ASN_RANGES = ((64512, 65534), (4200000000, 4294967294))

# --- CloudWatch Logs --------------------------------------------------------

LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545,
    731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)

# --- pre-shared keys ----------------------------------------------------------

PSK_LENGTH = (8, 64)
PSK_CHARACTERS = r"[A-Za-z0-9._]"
PSK_RULE_TEXT = "8 to 64 characters, only letters, digits, '.' and '_', not starting with '0'"


def psk_problem(key: str) -> str | None:
    """Why a pre-shared key breaks AWS's rules, or None when it is valid.

    Never includes the key itself in the answer: the text ends up in logs.
    """
    lo, hi = PSK_LENGTH
    if not lo <= len(key) <= hi:
        return f"must be {lo} to {hi} characters, got {len(key)}"
    if not re.fullmatch(f"{PSK_CHARACTERS}+", key):
        return "may contain only letters, digits, '.' and '_'"
    if key.startswith("0"):
        return "must not start with '0'"
    return None


def psk_terraform_condition(expr: str) -> str:
    """The same rule as psk_problem, as a Terraform expression over `expr`."""
    lo, hi = PSK_LENGTH
    return (
        f"length({expr}) >= {lo} && length({expr}) <= {hi}"
        f' && can(regex("^{PSK_CHARACTERS}+$", {expr}))'
        f' && !startswith({expr}, "0")'
    )


# --- reusable checks ----------------------------------------------------------


def check_between(lo: int, hi: int, unit: str = ""):
    """A validator that states the range and the value it got."""
    suffix = f" {unit}" if unit else ""

    def check(value: int) -> int:
        if not lo <= value <= hi:
            raise ValueError(f"must be {lo} to {hi}{suffix}, got {value}")
        return value

    return AfterValidator(check)


def check_at_least(lo: int, unit: str = ""):
    suffix = f" {unit}" if unit else ""

    def check(value: int) -> int:
        if value < lo:
            raise ValueError(f"must be at least {lo}{suffix}, got {value}")
        return value

    return AfterValidator(check)


def check_one_of(allowed: tuple):
    def check(value):
        if value not in allowed:
            choices = ", ".join(str(a) for a in allowed)
            raise ValueError(f"{value!r} is not one of {choices}")
        return value

    return AfterValidator(check)


def check_list_of(allowed: tuple):
    def check(values: list) -> list:
        bad = [v for v in values if v not in allowed]
        if bad:
            choices = ", ".join(str(a) for a in allowed)
            raise ValueError(f"{', '.join(repr(b) for b in bad)} not allowed; choose from {choices}")
        if not values:
            raise ValueError("must not be empty")
        return values

    return AfterValidator(check)


def _ipv4_address(value: str) -> str:
    try:
        return str(ipaddress.IPv4Address(value))
    except ValueError:
        raise ValueError(f"{value!r} is not an IPv4 address") from None


# Addresses no device on the internet or a private network answers from; AWS's customer gateway takes a unicast
# address, public, or private for a private IP VPN.
_NOT_A_DEVICE = (
    ("0.0.0.0/8", "on this network only (RFC 1122)"),
    ("127.0.0.0/8", "a loopback address"),
    ("169.254.0.0/16", "a link-local address"),
    ("224.0.0.0/4", "a multicast address"),
    ("255.255.255.255/32", "the broadcast address"),
    ("240.0.0.0/4", "reserved (RFC 1112)"),
)


def _customer_gateway_address(value: str) -> str:
    address = ipaddress.IPv4Address(_ipv4_address(value))
    for network, what in _NOT_A_DEVICE:
        if address in ipaddress.IPv4Network(network):
            raise ValueError(f"{address} is {what}; a customer gateway needs the unicast address of a device, public "
                             "or private")
    return str(address)


def _ipv4_cidr(value: str) -> str:
    try:
        net = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        if "has host bits set" in str(exc):
            raise ValueError(f"{value} has host bits set") from None
        raise ValueError(f"{value!r} is not an IPv4 CIDR block") from None
    if "/" not in value:
        raise ValueError(f"{value!r} is not an IPv4 CIDR block (no prefix length)")
    return str(net)


def _ipv6_cidr(value: str) -> str:
    try:
        return str(ipaddress.IPv6Network(value, strict=True))
    except ValueError:
        raise ValueError(f"{value!r} is not an IPv6 CIDR block") from None


def _inside_block(value: str, net, prefixlen: int, inside, reserved: tuple = ()) -> str:
    """A tunnel inside CIDR `net` (as written: `value`): a /`prefixlen` inside `inside`, none of `reserved`."""
    if net.prefixlen != prefixlen:
        raise ValueError(f"{value} must be a /{prefixlen}, got /{net.prefixlen}")
    if not net.subnet_of(inside):
        raise ValueError(f"{value} is not inside {inside}")
    if net in reserved:
        raise ValueError(f"{value} is reserved by AWS")
    return str(net)


def _tunnel_inside_cidr(value: str) -> str:
    net = ipaddress.IPv4Network(_ipv4_cidr(value))
    return _inside_block(value, net, 30, TUNNEL_INSIDE_RANGE, RESERVED_INSIDE_CIDRS)


def tunnel_inside_cidr_problem(value: str) -> str | None:
    """What is wrong with an IPv4 tunnel inside CIDR, or None: for code outside pydantic."""
    try:
        _tunnel_inside_cidr(value)
    except ValueError as exc:
        return str(exc)
    return None


def _tunnel_inside_ipv6_cidr(value: str) -> str:
    return _inside_block(value, ipaddress.IPv6Network(_ipv6_cidr(value)), 126, TUNNEL_INSIDE_IPV6_RANGE)


def aws_id(prefix: str):
    pattern = re.compile(rf"{re.escape(prefix)}-([0-9a-f]{{8}}|[0-9a-f]{{17}})")

    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"{value!r} is not a {prefix}- ID ({prefix}- and 8 or 17 hex digits)")
        return value

    return AfterValidator(check)


def _secret_name(value: str) -> str:
    # Secrets Manager names: 1-512 of letters, digits and /_+=.@-
    if not re.fullmatch(r"[A-Za-z0-9/_+=.@-]{1,512}", value):
        raise ValueError(f"{value!r} is not a Secrets Manager secret name")
    return value


def _unique(values: list) -> list:
    seen = set()
    for value in values:
        if value in seen:
            raise ValueError(f"lists {value} twice")
        seen.add(value)
    return values


Unique = AfterValidator(_unique)

IPv4Address = Annotated[str, AfterValidator(_ipv4_address)]
CustomerGatewayAddress = Annotated[str, AfterValidator(_customer_gateway_address)]
IPv4Cidr = Annotated[str, AfterValidator(_ipv4_cidr)]
IPv6Cidr = Annotated[str, AfterValidator(_ipv6_cidr)]
TunnelInsideCidr = Annotated[str, AfterValidator(_tunnel_inside_cidr)]
TunnelInsideIpv6Cidr = Annotated[str, AfterValidator(_tunnel_inside_ipv6_cidr)]
SecretName = Annotated[str, AfterValidator(_secret_name)]
VpcId = Annotated[str, aws_id("vpc")]
SubnetId = Annotated[str, aws_id("subnet")]
RouteTableId = Annotated[str, aws_id("rtb")]
TransitGatewayId = Annotated[str, aws_id("tgw")]
TransitGatewayRouteTableId = Annotated[str, aws_id("tgw-rtb")]
TransitGatewayAttachmentId = Annotated[str, aws_id("tgw-attach")]
BgpAsn = Annotated[int, check_between(*BGP_ASN_RANGE)]
LogRetentionDays = Annotated[int, check_one_of(LOG_RETENTION_DAYS)]


def _amazon_side_asn(value: int) -> int:
    if not any(lo <= value <= hi for lo, hi in AMAZON_SIDE_ASN_RANGES):
        ranges = " or ".join(f"{lo} to {hi}" for lo, hi in AMAZON_SIDE_ASN_RANGES)
        raise ValueError(f"must be a private ASN, {ranges}, got {value}")
    return value


AmazonSideAsn = Annotated[int, AfterValidator(_amazon_side_asn)]


def _kms_key_arn(value: str) -> str:
    if not re.fullmatch(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[A-Za-z0-9/_-]+", value):
        raise ValueError(f"{value!r} is not a KMS key ARN")
    return value


KmsKeyArn = Annotated[str, AfterValidator(_kms_key_arn)]


def _acm_arn(value: str) -> str:
    if not re.fullmatch(r"arn:aws[a-z-]*:acm(-pca)?:[a-z0-9-]+:\d{12}:certificate(-authority)?/[A-Za-z0-9/-]+", value):
        raise ValueError(f"{value!r} is not an ACM certificate ARN")
    return value


AcmCertificateArn = Annotated[str, AfterValidator(_acm_arn)]
