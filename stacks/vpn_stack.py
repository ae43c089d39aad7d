"""`VpnStack`: one environment, wired from its validated config to the constructs.

The provider pins the account (allowed_account_ids), the backend keeps state in
S3 with encryption and lock files, and everything a site needs comes from
`modules`. The stack chooses every construct's ID (from the config's names, so
they never change) and every output (stacks/outputs.py). Nothing here reads
files or the environment.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import S3Backend, TerraformStack, TerraformVariable
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderAssumeRole, AwsProviderDefaultTags
from constructs import Construct

from modules.alarms import AlarmTopic
from modules.certificate_revocation import CertificateRevocationList
from modules.certificates import Certificates
from modules.client_vpn import ClientVpnEndpoint
from modules.log_encryption_key import LogEncryptionKey
from modules.site_to_site import SiteToSiteVpn, TunnelLogSettings
from modules.vpn_gateway import VpnGateway
from stacks import outputs
from stacks.config import LoadedEnvironment
from stacks.guard import lift_guard
from vpn_schema.client_vpn import ClientVpn
from vpn_schema.environment import Environment, state_key
from vpn_schema.naming import resource_name, scope_id, stack_names, stack_sites
from vpn_schema.pki_layout import CRL_FILE

MANAGED_BY = "vpn-as-code"
PKI_DIR_VARIABLE = "pki_dir"
AWS_PROVIDER_VERSION = "5.100.0"


class VpnStack(TerraformStack):
    """All VPN resources of one environment, named after its file: `cdktf deploy prod`. With shard blocks, the
    base stack: what the sites share (the VPN gateway and its propagation, the alarm topic, the log key, every
    Client VPN endpoint) and the sites in no shard; each shard is a ShardStack (stacks/shard_stack.py).

    `allow_replace`: `ADDRESS@DIGEST` of the changes whose prevent_destroy a reviewer lifted (see
    stacks/guard.py); bare addresses only with `bound_allowances` off, for the review's own second synth.
    """

    def __init__(
        self, scope: Construct, environment: LoadedEnvironment, *, allow_replace: frozenset[str] = frozenset(),
        bound_allowances: bool = True,
    ) -> None:
        super().__init__(scope, environment.name)
        self.environment = environment.name
        self.config = cfg = environment.config
        self._provider_and_backend()
        self._log_key_arn, created_key_arn = self._log_key()
        self.alarm_topic = AlarmTopic(
            self, "alarm_topic", environment=self.environment, emails=list(cfg.alarms.emails),
            kms_key_arn=created_key_arn,
        )
        self.vpn_gateway = self._vpn_gateway()
        self.sites = self._sites()
        outputs.alarm_topic_outputs(self, self.alarm_topic)
        if cfg.shard:  # what the shard stacks read; an environment without shards keeps its outputs as they were
            outputs.shard_outputs(self, stack_names(self.environment, cfg)[1:])
        self.client_vpns = self._client_vpns()
        self.replace_allowed = lift_guard(self, allow_replace, bound_allowances)

    def _provider_and_backend(self) -> None:
        provider_and_backend(self, self.environment, self.config)

    def _log_key(self) -> tuple[str | None, str | None]:
        """The KMS key ARN for log groups, and the ARN of the key this stack created (None when given or none)."""
        logging = self.config.logging
        if not logging.create_kms_key:
            return logging.kms_key_arn, None
        arn = LogEncryptionKey(
            self, "log_key", environment=self.environment, account_id=self.config.account_id, region=self.config.region
        ).arn
        return arn, arn

    def _vpn_gateway(self) -> VpnGateway | None:
        """The VPC's one virtual private gateway, when any site attaches to it (in this stack or a shard's)."""
        cfg = self.config
        if all(site.transit_gateway is not None for site in cfg.sites.values()):
            return None
        gateway = VpnGateway(
            self,
            "vpn_gateway",
            environment=self.environment,
            vpc_id=cfg.vpc.id,
            route_table_ids=list(cfg.vpc.route_table_ids),
            amazon_side_asn=cfg.vpn_gateway.amazon_side_asn,
            prevent_destroy=cfg.prevent_destroy,
        )
        outputs.vpn_gateway_outputs(self, gateway)
        return gateway

    def _sites(self) -> dict[str, SiteToSiteVpn]:
        """The sites in no shard (every site of an environment without shards)."""
        cfg = self.config
        shared = SharedResources(
            alarm_topic_arn=self.alarm_topic.arn,
            vpn_gateway_id=self.vpn_gateway.id if self.vpn_gateway else None,
            logs=TunnelLogSettings(retention_days=cfg.logging.retention_days, kms_key_arn=self._log_key_arn),
        )
        own = stack_sites(self.environment, cfg)[self.environment]
        return {name: site_to_site(self, self.environment, name, cfg, shared) for name in own}

    def _client_vpns(self) -> dict[str, ClientVpnEndpoint]:
        pki_dir = self._pki_dir()
        return {name: self._client_vpn(name, endpoint, pki_dir) for name, endpoint in self.config.client_vpn.items()}

    def _pki_dir(self) -> str | None:
        """The `pki_dir` variable, when a certificate comes from files: set with TF_VAR_pki_dir or -var, so the
        path never enters the synthesized JSON."""
        if not any(endpoint.uses_pki_files for endpoint in self.config.client_vpn.values()):
            return None
        return TerraformVariable(
            self,
            PKI_DIR_VARIABLE,
            type="string",
            nullable=False,
            description="Folder holding the PKI folders that client_vpn certificates name "
            "(each with server.crt, server.key, ca.crt, crl.pem)",
        ).string_value

    def _client_vpn(self, name: str, props: ClientVpn, pki_dir: str | None) -> ClientVpnEndpoint:
        """One endpoint, its certificates, their outputs and, with client certificates from files, its CRL."""
        cfg, label = self.config, resource_name(self.environment, name)
        certificates = Certificates(
            self, scope_id("certificates", name), name=label, server=props.server_certificate,
            client_root=props.client_root_certificate, pki_dir=pki_dir,
        )
        outputs.certificate_outputs(certificates, label)
        endpoint = ClientVpnEndpoint(
            self,
            scope_id("client_vpn", name),
            name=name,
            props=props,
            environment=self.environment,
            vpc_id=cfg.vpc.id,
            vpc_cidr=cfg.vpc.cidr,
            server_certificate_arn=certificates.server_certificate_arn,
            client_root_certificate_chain_arn=certificates.client_root_certificate_chain_arn
            if "certificate" in props.authentication
            else None,
            log_retention_days=cfg.logging.retention_days,
            kms_key_arn=self._log_key_arn,
            prevent_destroy=cfg.prevent_destroy,
        )
        outputs.client_vpn_outputs(endpoint)
        if props.client_pki:
            CertificateRevocationList(
                self, scope_id("revocation", name), endpoint_id=endpoint.endpoint_id,
                crl_file=f"{pki_dir}/{props.client_pki}/{CRL_FILE}", region=cfg.region, role_arn=cfg.assume_role_arn,
            )
        return endpoint


# ---- what every stack of an environment builds the same way (stacks/shard_stack.py builds the shards) ------


@dataclass(frozen=True)
class SharedResources:
    """What a site takes from its environment: the alarm topic, the virtual private gateway (None when the
    environment has none) and the tunnel log settings. The base stack passes its own resources' attributes,
    a shard stack the base's outputs."""

    alarm_topic_arn: str
    vpn_gateway_id: str | None
    logs: TunnelLogSettings


def provider_and_backend(stack: TerraformStack, environment: str, config: Environment) -> None:
    """The AWS provider and the S3 backend, with the same settings in every stack of `environment`; the state
    under the stack's own key (`vpn/<stack>/terraform.tfstate`), so each stack has its own lock file too."""
    cfg = config
    AwsProvider(
        stack,
        "aws",
        region=cfg.region,
        allowed_account_ids=[cfg.account_id],
        assume_role=[AwsProviderAssumeRole(role_arn=cfg.assume_role_arn, session_name=f"vpn-as-code-{environment}")]
        if cfg.assume_role_arn
        else None,
        default_tags=[AwsProviderDefaultTags(tags={**cfg.tags, "environment": environment, "managed-by": MANAGED_BY})],
    )
    S3Backend(
        stack,
        bucket=cfg.state.bucket,
        key=state_key(stack.node.id),
        region=cfg.state.region,
        encrypt=True,
        kms_key_id=cfg.state.kms_key_id,
    )
    # cdktf 0.21's S3Backend predates S3 lock files.
    stack.add_override("terraform.backend.s3.use_lockfile", True)


def site_to_site(stack: TerraformStack, environment: str, name: str, config: Environment,
                 shared: SharedResources) -> SiteToSiteVpn:
    """One site and its outputs, under the construct ID `site-<name>` directly below the stack: its Terraform
    addresses are the same in whichever stack of the environment it is, so a move between stacks is a state
    move (vpnctl/shard_moves.py)."""
    site = config.sites[name]
    built = SiteToSiteVpn(
        stack,
        scope_id("site", name),
        name=name,
        site=site,
        environment=environment,
        alarm_topic_arn=shared.alarm_topic_arn,
        vpn_gateway_id=shared.vpn_gateway_id if site.transit_gateway is None else None,
        logs=shared.logs,
        prevent_destroy=config.prevent_destroy,
    )
    outputs.site_outputs(built)
    return built
