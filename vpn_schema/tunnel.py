"""Typed options of one VPN tunnel, and their rendering to `tunnelN_*` arguments.

Every tunnel argument of `aws_vpn_connection` (provider 5.100.0) has a field
here under its name without the `tunnelN_` prefix, with two deliberate
exceptions (see OPTIONS_LEFT_OUT): a literal pre-shared key is never accepted,
only the name of a Secrets Manager secret; and the log group ARN is wired by
the construct, which owns the log group. cdktf-free, so config code reuses it.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from vpn_schema import aws_rules as rules
from vpn_schema.crypto_profiles import CRYPTO_FIELDS, CryptoProfile, CryptoSettings

DpdTimeoutAction = Annotated[str, rules.check_one_of(rules.DPD_TIMEOUT_ACTIONS)]
DpdTimeoutSeconds = Annotated[int, rules.check_at_least(rules.DPD_TIMEOUT_MIN_SECONDS, unit="seconds")]
StartupAction = Annotated[str, rules.check_one_of(rules.STARTUP_ACTIONS)]
RekeyFuzz = Annotated[int, rules.check_between(*rules.REKEY_FUZZ_PERCENTAGE, unit="percent")]
ReplayWindow = Annotated[int, rules.check_between(*rules.REPLAY_WINDOW_SIZE, unit="packets")]
RekeyMargin = Annotated[int, rules.check_at_least(rules.REKEY_MARGIN_MIN_SECONDS, unit="seconds")]
LogFormat = Annotated[str, rules.check_one_of(rules.TUNNEL_LOG_FORMATS)]

# Provider arguments (without the tunnelN_ prefix) that have no field of the
# same name, and why.
OPTIONS_LEFT_OUT = {
    "preshared_key": "never literal: name a Secrets Manager secret with preshared_key_secret, "
    "or let AWS generate the key",
    "log_options": "rendered from log_enabled and log_output_format; the construct supplies the log group",
}


class Tunnel(CryptoSettings):
    """One of the two tunnels of a VPN connection. Unset options take AWS's defaults.

    Besides its own keys, a tunnel takes every crypto_profile key, which overrides the site's profile. A
    literal `preshared_key` is not accepted. Error paths count tunnels from 1, as AWS's `tunnel1_*` and
    `tunnel2_*` arguments do."""

    inside_cidr: rules.TunnelInsideCidr | None = Field(None, description=(
        "A /30 inside 169.254.0.0/16, not one of AWS's reserved 169.254.0.0/30 to 169.254.5.0/30 and "
        "169.254.169.252/30; unique per gateway, across sites and within a site; not with ipv6. Changing it "
        "replaces the connection. Default: AWS picks one."))
    inside_ipv6_cidr: rules.TunnelInsideIpv6Cidr | None = Field(None, description=(
        "A /126 inside fd00::/8, for IPv6 tunnels on a transit gateway (tunnel_inside_ip_version = \"ipv6\"); "
        "unique per gateway. Default: AWS picks one."))
    preshared_key_secret: rules.SecretName | None = Field(None, description=(
        "The name of a Secrets Manager secret holding the key (1 to 512 of A-Za-z0-9/_+=.@-), to match an "
        "existing device; the key must be 8 to 64 of A-Za-z0-9._ and not start with 0, checked at plan time. "
        "A literal key is never accepted. Default: AWS generates the key."))
    dpd_timeout_action: DpdTimeoutAction | None = Field(None, description=(
        "What AWS does when dead peer detection times out: clear, none or restart. Default: AWS's, clear."))
    dpd_timeout_seconds: DpdTimeoutSeconds | None = Field(None, description=(
        "Dead peer detection timeout, at least 30 seconds (AWS). Default: AWS's, 30."))
    enable_tunnel_lifecycle_control: bool | None = Field(None, description=(
        "Lets you choose when AWS replaces tunnel endpoints during maintenance. Default: AWS's, false."))
    rekey_fuzz_percentage: RekeyFuzz | None = Field(None, description=(
        "Random share of the rekey margin, 0 to 100 percent (AWS). Default: AWS's, 100."))
    rekey_margin_time_seconds: RekeyMargin | None = Field(None, description=(
        "Seconds before phase 2 expiry when AWS rekeys: at least 60, and at most half of phase2_lifetime_seconds "
        "once the profile is applied (3600 if unset). Default: AWS's, 270."))
    replay_window_size: ReplayWindow | None = Field(None, description=(
        "IPsec replay window, 64 to 2048 packets (AWS). Default: AWS's, 1024."))
    startup_action: StartupAction | None = Field(None, description=(
        "add (the device starts IKE) or start (AWS starts IKE). Default: AWS's, add."))
    log_enabled: bool = Field(True, description=(
        "Tunnel activity logs to the site's CloudWatch log group. Default: on."))
    log_output_format: LogFormat = Field("json", description="The tunnel logs' format: json or text. Default: json.")

    @model_validator(mode="after")
    def _rekey_margin_fits_phase2(self) -> Tunnel:
        margin = self.rekey_margin_time_seconds
        lifetime = self.phase2_lifetime_seconds or rules.PHASE2_LIFETIME_DEFAULT
        if margin is not None and margin > lifetime // 2:
            raise ValueError(
                f"rekey_margin_time_seconds: must be at most half the phase 2 lifetime "
                f"({lifetime // 2} of {lifetime} seconds), got {margin}"
            )
        return self

    def with_profile(self, profile: CryptoProfile) -> Tunnel:
        """This tunnel with every crypto setting it leaves unset taken from `profile`."""
        inherited = {
            name: getattr(profile, name)
            for name in CRYPTO_FIELDS
            if name not in self.model_fields_set and getattr(profile, name) is not None
        }
        data = self.model_dump(exclude_unset=True)
        return Tunnel.model_validate({**inherited, **data})

    def provider_arguments(self, number: int, log_group_arn: str | None) -> dict[str, Any]:
        """The `tunnel{number}_*` arguments of aws_vpn_connection, leaving unset options out."""
        args: dict[str, Any] = {}
        skip = {"preshared_key_secret", "log_enabled", "log_output_format"}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if name in skip or value is None:
                continue
            args[f"tunnel{number}_{name}"] = value
        if log_group_arn is not None:
            args[f"tunnel{number}_log_options"] = {
                "cloudwatch_log_options": {
                    "log_enabled": self.log_enabled,
                    "log_group_arn": log_group_arn if self.log_enabled else None,
                    "log_output_format": self.log_output_format if self.log_enabled else None,
                }
            }
        return args
