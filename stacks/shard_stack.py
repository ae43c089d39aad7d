"""`ShardStack`: the sites of one shard of an environment, a stack of its own (`cdktf deploy prod-emea`).

Its provider and backend are the base stack's settings with the shard's own state key, so it has its own
state and its own lock file. Its sites are built exactly as the base builds its own (stacks/vpn_stack.py,
`site_to_site`), under the same construct IDs, so a site's Terraform addresses are the same in whichever stack
it is, and moving it is a state move. What the sites share comes from the base stack's outputs, read with a
`terraform_remote_state` data source on the base's state (see docs/shards.md for why this rather than
cdktf's own cross-stack references), and the log key the base creates by its alias: deploy the base first.
"""

from __future__ import annotations

from cdktf import DataTerraformRemoteStateS3, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_kms_alias import DataAwsKmsAlias
from constructs import Construct

from modules.site_to_site import SiteToSiteVpn, TunnelLogSettings
from stacks.config import LoadedEnvironment
from stacks.guard import lift_guard
from stacks.vpn_stack import SharedResources, provider_and_backend, site_to_site
from vpn_schema.environment import state_key
from vpn_schema.naming import (
    ALARM_TOPIC_OUTPUT,
    VPN_GATEWAY_OUTPUT,
    log_key_alias,
    shard_stack,
    stack_sites,
)

BASE_STATE = "base"  # the construct ID of the remote state: data.terraform_remote_state.base
LOG_KEY = "log_key"  # data.aws_kms_alias.log_key


class ShardStack(TerraformStack):
    """The sites of shard `shard` of `environment`, named `<env>-<shard>`. `allow_replace`, `bound_allowances`:
    as VpnStack's (stacks/guard.py): an allowance lifts the guard of the resource in whichever stack it is."""

    def __init__(
        self, scope: Construct, environment: LoadedEnvironment, shard: str, *,
        allow_replace: frozenset[str] = frozenset(), bound_allowances: bool = True,
    ) -> None:
        super().__init__(scope, shard_stack(environment.name, shard))
        self.environment = environment.name
        self.shard = shard
        self.config = cfg = environment.config
        provider_and_backend(self, self.environment, cfg)
        names = stack_sites(self.environment, cfg)[self.node.id]
        shared = self._shared(any(cfg.sites[name].transit_gateway is None for name in names))
        self.sites: dict[str, SiteToSiteVpn] = {
            name: site_to_site(self, self.environment, name, cfg, shared) for name in names
        }
        self.replace_allowed = lift_guard(self, allow_replace, bound_allowances)

    def _shared(self, needs_gateway: bool) -> SharedResources:
        """The base stack's outputs, from its state in the environment's bucket: the alarm topic and the VPN
        gateway (when a site of the shard attaches to it). A log key given by ARN comes from the config; the one
        the base creates is found by its alias, which it creates with it: a base stack without shards outputs
        no key ARN, and a shard must plan against it (the change that introduces the shard)."""
        cfg = self.config
        base = DataTerraformRemoteStateS3(
            self, BASE_STATE, bucket=cfg.state.bucket, key=state_key(self.environment), region=cfg.state.region,
        )
        key_arn = cfg.logging.kms_key_arn
        if cfg.logging.create_kms_key:
            key_arn = DataAwsKmsAlias(self, LOG_KEY, name=log_key_alias(self.environment)).target_key_arn
        return SharedResources(
            alarm_topic_arn=base.get_string(ALARM_TOPIC_OUTPUT),
            vpn_gateway_id=base.get_string(VPN_GATEWAY_OUTPUT) if needs_gateway else None,
            logs=TunnelLogSettings(retention_days=cfg.logging.retention_days, kms_key_arn=key_arn),
        )
