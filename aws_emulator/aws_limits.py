"""AWS's limits as the emulator applies them, written from AWS's documentation, not taken from the
project's rules (vpn_schema/aws_rules.py): when one of our rules is wrong, the emulator must disagree.

Sources: the EC2 API reference (VpnTunnelOptionsSpecification, CreateClientVpnEndpoint) and the
Site-to-Site VPN user guide's tunnel options page.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import string

# CreateClientVpnEndpoint: ClientCidrBlock between /12 and /22; VpnPort 443 or 1194; SessionTimeoutHours.
CLIENT_CIDR_PREFIX = (12, 22)
VPN_PORTS = (443, 1194)
SESSION_TIMEOUT_HOURS = (8, 10, 12, 24)

# VpnTunnelOptionsSpecification.
TUNNEL_OPTION_RANGES = {
    "Phase1LifetimeSeconds": (900, 28_800),
    "Phase2LifetimeSeconds": (900, 3_600),
    "DPDTimeoutSeconds": (30, 2**31 - 1),  # "30 or higher"
    "RekeyFuzzPercentage": (0, 100),
    "ReplayWindowSize": (64, 2_048),
    "RekeyMarginTimeSeconds": (60, 2**31 - 1),  # "60 or higher", and under half of phase 2's lifetime
}
DPD_TIMEOUT_ACTIONS = ("clear", "none", "restart")
STARTUP_ACTIONS = ("add", "start")

# TunnelInsideCidr: a /30 in 169.254.0.0/16, none of these.
TUNNEL_INSIDE_RANGE = ipaddress.ip_network("169.254.0.0/16")
RESERVED_INSIDE = {ipaddress.ip_network(c) for c in (
    "169.254.0.0/30", "169.254.1.0/30", "169.254.2.0/30", "169.254.3.0/30", "169.254.4.0/30", "169.254.5.0/30",
    "169.254.169.252/30")}

# PreSharedKey: 8 to 64 characters, letters, digits, periods and underscores, not starting with zero.
PRESHARED_KEY = re.compile(r"[A-Za-z1-9._][A-Za-z0-9._]{7,63}")


def inside_cidr_problem(value: str) -> str | None:
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        return "not an IPv4 CIDR block"
    if network.prefixlen != 30 or not network.subnet_of(TUNNEL_INSIDE_RANGE):
        return "must be a /30 in 169.254.0.0/16"
    if network in RESERVED_INSIDE:
        return "is a reserved range"
    return None


def preshared_key_problem(key: str) -> str | None:
    """Never the key itself: AWS doesn't echo it."""
    if not PRESHARED_KEY.fullmatch(key):
        return "must be 8 to 64 letters, digits, '.' or '_', not starting with 0"
    return None


def generated_preshared_key(length: int = 32) -> str:
    """A key as AWS makes one when none is given: letters, digits, '.' and '_', not starting with 0."""
    alphabet = string.ascii_letters + string.digits + "._"
    return secrets.choice(string.ascii_letters) + "".join(secrets.choice(alphabet) for _ in range(length - 1))
