"""The two tunnels of a Site-to-Site VPN connection: their options as created or modified, checked against
AWS's limits (aws_limits), and the addresses AWS picks for them.

Outside IPs come from 198.18.0.0/15 (the benchmarking range, never routed, so tests can assign them inside
network namespaces) and are never handed out twice; inside CIDRs and pre-shared keys are picked as AWS
picks them when not given.
"""

from __future__ import annotations

import ipaddress
import secrets

from moto.ec2.exceptions import EC2ClientError

from aws_emulator import aws_limits
from aws_emulator.errors import invalid_parameter
from aws_emulator.tunnel_telemetry import Telemetry, now

OUTSIDE_POOL = ipaddress.ip_network("198.18.0.0/15")
INSIDE_POOL = ipaddress.ip_network("169.254.0.0/16")
# Tunnel option members whose request and response names differ in case.
RESPONSE_NAMES = {"DPDTimeoutSeconds": "DpdTimeoutSeconds", "DPDTimeoutAction": "DpdTimeoutAction", "IKEVersions": "IkeVersions"}


class Tunnel:
    def __init__(self, outside_ip: str, options: dict):
        self.outside_ip = outside_ip
        self.options = dict(options)
        self.telemetry = Telemetry(now())

    @property
    def inside_cidr(self) -> str:
        return self.options["TunnelInsideCidr"]

    def inside_addresses(self) -> tuple[str, str]:
        """(AWS side, customer side): the first and second usable addresses of the /30."""
        hosts = list(ipaddress.ip_network(self.inside_cidr).hosts())
        return str(hosts[0]), str(hosts[1])

    def vgw_telemetry(self) -> dict:
        self.telemetry.settle(now())
        return self.telemetry.describe(self.outside_ip)

    @property
    def lifecycle_control(self) -> bool:
        return bool(self.options.get("EnableTunnelLifecycleControl", False))

    def describe(self, key_in_secrets_manager: bool = False) -> dict:
        out = {"OutsideIpAddress": self.outside_ip}
        for key, value in self.options.items():
            if key == "PreSharedKey" and key_in_secrets_manager:
                continue  # AWS answers with the secret's ARN instead
            out[RESPONSE_NAMES.get(key, key)] = value
        out.setdefault("EnableTunnelLifecycleControl", False)
        log = out.get("LogOptions", {}).get("CloudWatchLogOptions", {})
        out["LogOptions"] = {"CloudWatchLogOptions": {"LogEnabled": False, **log}}
        return out

    def change(self, changes: dict) -> None:
        """ModifyVpnTunnelOptions: the options given replace those kept; LogOptions' members are merged."""
        for key, value in changes.items():
            if key == "LogOptions":
                kept = self.options.get("LogOptions", {}).get("CloudWatchLogOptions", {})
                self.options["LogOptions"] = {"CloudWatchLogOptions": {**kept, **value.get("CloudWatchLogOptions", {})}}
            else:
                self.options[key] = value


def _allocations(backend) -> dict:
    return backend.__dict__.setdefault("vpn_allocations", {"outside": set(), "inside": set()})


def allocate_outside_ip(backend) -> str:
    """The next never-used address of the pool."""
    used = _allocations(backend)["outside"]
    for address in OUTSIDE_POOL.hosts():
        text = str(address)
        if text not in used and not text.endswith((".0", ".255")):
            used.add(text)
            return text
    raise EC2ClientError("VpnConnectionLimitExceeded", "No tunnel outside addresses left")


def allocate_inside_cidr(backend, taken: set[str]) -> str:
    """A random /30 of the inside range that AWS allows and `taken` does not hold."""
    while True:
        subnet = ipaddress.ip_network((int(INSIDE_POOL.network_address) + 4 * secrets.randbelow(2**14), 30))
        if aws_limits.inside_cidr_problem(str(subnet)) is None and str(subnet) not in taken:
            return str(subnet)


def check_tunnel_options(options: dict, tunnel: int) -> None:
    cidr = options.get("TunnelInsideCidr")
    if cidr:
        problem = aws_limits.inside_cidr_problem(cidr)
        if problem:
            raise invalid_parameter(f"TunnelInsideCidr {cidr} for tunnel {tunnel} is invalid: {problem}")
    key = options.get("PreSharedKey")
    if key is not None and aws_limits.preshared_key_problem(key):
        # The key itself is never echoed, as AWS doesn't echo it.
        raise invalid_parameter(f"The pre-shared key for tunnel {tunnel} is invalid: "
                                f"{aws_limits.preshared_key_problem(key)}")
    for name, (low, high) in aws_limits.TUNNEL_OPTION_RANGES.items():
        if name in options and not low <= int(options[name]) <= high:
            raise invalid_parameter(f"{name} {options[name]} for tunnel {tunnel} must be between {low} and {high}")
    action = options.get("DPDTimeoutAction")
    if action is not None and action not in aws_limits.DPD_TIMEOUT_ACTIONS:
        raise invalid_parameter(f"DPDTimeoutAction {action} for tunnel {tunnel} is invalid")
    startup = options.get("StartupAction")
    if startup is not None and startup not in aws_limits.STARTUP_ACTIONS:
        raise invalid_parameter(f"StartupAction {startup} for tunnel {tunnel} is invalid")
