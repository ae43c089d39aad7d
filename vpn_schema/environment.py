"""The schema of `environments/*.hcl`: strict, typed, with AWS's rules.

Plain data and validation only: no cdktf, no file access. Site and tunnel
models come from the constructs' own props (vpn_schema.site, vpn_schema.tunnel), so a
rule is stated once and holds for config and constructs alike. Validators that
see several fields raise one `key: rule` line per problem. The single blocks live in
vpn_schema.environment_blocks, the cross checks in vpn_schema.environment_checks.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, PrivateAttr, ValidationError

from vpn_schema import environment_checks
from vpn_schema.base import CrossCheckedModel
from vpn_schema.client_vpn import ClientVpn
from vpn_schema.crypto_profiles import BUILTIN_PROFILES, CryptoProfile
from vpn_schema.environment_blocks import (  # noqa: F401  (re-exported: the names callers import from here)
    NAME_RULE,
    PRODUCTION,
    TIERS,
    AccountId,
    Alarms,
    Logging,
    Region,
    RoleArn,
    SiteName,
    StateBackend,
    Subnet,
    Tier,
    Vpc,
    VpnGatewaySettings,
    state_key,
)
from vpn_schema.shards import Shard
from vpn_schema.site import Site


class Environment(CrossCheckedModel):
    """One environment file: account, state, VPC and sites.

    `tier` says what the environment is for, so that production's safeguards follow the config
    and not the file's name; see the field.
    """

    RETIRED_KEYS: ClassVar[dict[str, str]] = {
        "prevent_destroy": (f'not a setting any more: tier = "{PRODUCTION}" guards replacements and deletions, any '
                            "other tier guards nothing, and lowering a deployed production tier is refused unless "
                            "allowed (--allow-change tier=...)"),
    }
    """Keys a file may still hold from an older version, with what replaced them."""

    region: Region = Field(description="The AWS region the environment deploys into, such as eu-central-1.")
    account_id: AccountId = Field(description=(
        "The 12-digit AWS account. It becomes the provider's allowed_account_ids: Terraform refuses to run "
        "against any other account."))
    assume_role_arn: RoleArn | None = Field(None, description=(
        "An IAM role ARN in account_id's account. The provider assumes it with session name vpn-as-code-<env>. "
        "Default: none (the caller's own credentials)."))
    tags: dict[str, str] = Field({}, description=(
        "Provider default tags. Keys are 1 to 128 characters of letters, digits, space and _ . : / = + @ -, and "
        "may not start with aws:; values at most 256 characters of the same. At most 47: the stack adds "
        "environment = <env>, managed-by = \"vpn-as-code\" and Name (AWS takes 50 per resource), so those "
        "keys are refused here."))
    tier: Tier = Field("development", description=(
        "What the environment is for: development, staging or production. Production (and only production) "
        "adds prevent_destroy to the VPN gateway, the customer gateways, the VPN connections and the Client VPN "
        "endpoints, runs the strict policy pack, and requires Client VPN associations in two availability zones. "
        "A file whose name says prod (prod, prod-eu, eu-prod, production) must say tier = \"production\". The "
        "old prevent_destroy key is refused with a pointer to tier. Default: development."))
    state: StateBackend = Field(description="The S3 backend that keeps Terraform's state.")
    vpc: Vpc | None = Field(None, description=(
        "The existing VPC: required for sites on the virtual private gateway and for Client VPN endpoints. "
        "Default: none (every site on a transit gateway)."))
    vpn_gateway: VpnGatewaySettings = Field(VpnGatewaySettings(), description=(
        "The virtual private gateway's settings. Default: AWS's."))
    logging: Logging = Field(Logging(), description=(
        "Log retention and encryption for tunnel and connection logs. Default: 365 days, no customer KMS key."))
    alarms: Alarms = Field(Alarms(), description=(
        "Who the tunnel alarms notify. Default: nobody subscribed to the topic."))
    crypto_profile: dict[str, CryptoProfile] = Field({}, description=(
        "Named IKE/IPsec settings sites can select, besides the built-in modern and compatible. A name may not "
        "reuse a built-in one."))
    site: dict[str, Site] = Field({}, description=(
        "On-premises sites, by name (1 to 48 lowercase letters, digits and -, not at either end): one customer "
        "gateway and one VPN connection each."))
    client_vpn: dict[str, ClientVpn] = Field({}, description=(
        "Client VPN endpoints, by name (the site name rule): remote access for people."))
    shard: dict[str, Shard] = Field({}, description=(
        "Named groups of sites, each deployed as a stack of its own, `<env>-<name>`, with its own state and lock "
        "(docs/shards.md). Default: none (every site in the environment's one stack)."))

    _resolved_sites: dict[str, Site] = PrivateAttr(default_factory=dict)

    def _problems(self) -> list[str]:
        """The cross checks' problems; when there are none, those of applying each site's crypto profile to its
        tunnels (which fills `sites`)."""
        return list(environment_checks.problems(self)) or self._resolve_crypto_profiles()

    @property
    def sites(self) -> dict[str, Site]:
        """Sites with their crypto profile and tunnel lifecycle control filled into both tunnels."""
        return self._resolved_sites

    @property
    def prevent_destroy(self) -> bool:
        """Guard against replacement and deletion: what the production tier means to the stack and review."""
        return self.tier == PRODUCTION

    @property
    def profiles(self) -> dict[str, CryptoProfile]:
        return {**BUILTIN_PROFILES, **self.crypto_profile}

    def _resolve_crypto_profiles(self) -> list[str]:
        """Fills `sites`: each site's tunnels with its crypto profile and its tunnel_lifecycle_control (by
        default on in the production tier)."""
        problems = []
        for name, site in self.site.items():
            if site.tunnel_lifecycle_control is None:  # production holds endpoint replacements for a reviewed run
                site = site.model_copy(update={"tunnel_lifecycle_control": self.tier == PRODUCTION})
            profile = self.profiles[site.crypto_profile] if site.crypto_profile else CryptoProfile()
            merged = []
            for number, tunnel in enumerate(site.tunnels(), start=1):
                try:
                    merged.append(tunnel.with_profile(profile))
                except ValidationError as exc:
                    for error in exc.errors():
                        field = "".join(f".{part}" for part in error["loc"])
                        message = error["msg"].removeprefix("Value error, ")
                        problems.append(
                            f'site "{name}" tunnel[{number}]{field}: {message}'
                            f' (with crypto_profile "{site.crypto_profile}")'
                        )
            if len(merged) == 2:
                self._resolved_sites[name] = site.model_copy(update={"tunnel": merged})
        return problems
