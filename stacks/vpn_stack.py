"""`VpnStack`: one environment, wired from its validated config to the constructs.

The provider pins the account (allowed_account_ids), the backend keeps state in
S3 with encryption and lock files, and everything a site needs comes from
`modules`. Nothing here reads files or the environment.
"""

from __future__ import annotations

from cdktf import S3Backend, TerraformOutput, TerraformStack, TerraformVariable
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderAssumeRole, AwsProviderDefaultTags
from constructs import Construct

from modules.alarms import AlarmTopic
from modules.certificate_revocation import CertificateRevocationList
from modules.certificates import Certificates
from modules.client_vpn import ClientVpnEndpoint
from modules.log_encryption_key import LogEncryptionKey
from modules.site_to_site import SiteToSiteVpn, TunnelLogSettings
from modules.vpn_gateway import VpnGateway
from stacks.config import LoadedEnvironment
from stacks.guard import lift_guard
from vpn_schema.client_vpn import CRL_FILE
from vpn_schema.environment import state_key

MANAGED_BY = "vpn-as-code"
PKI_DIR_VARIABLE = "pki_dir"
AWS_PROVIDER_VERSION = "5.100.0"


class VpnStack(TerraformStack):
    """All VPN resources of one environment, named after its file: `cdktf deploy prod`."""

    def __init__(
        self, scope: Construct, environment: LoadedEnvironment, *, allow_replace: frozenset[str] = frozenset(),
        bound_allowances: bool = True,
    ) -> None:
        """`allow_replace`: `ADDRESS@DIGEST` of the changes whose prevent_destroy a reviewer lifted (see
        stacks/guard.py); bare addresses only with `bound_allowances` off, for the review's own second synth."""
        super().__init__(scope, environment.name)
        name, cfg = environment.name, environment.config

        AwsProvider(
            self,
            "aws",
            region=cfg.region,
            allowed_account_ids=[cfg.account_id],
            assume_role=[AwsProviderAssumeRole(role_arn=cfg.assume_role_arn, session_name=f"vpn-as-code-{name}")]
            if cfg.assume_role_arn
            else None,
            default_tags=[AwsProviderDefaultTags(tags={**cfg.tags, "environment": name, "managed-by": MANAGED_BY})],
        )
        S3Backend(
            self,
            bucket=cfg.state.bucket,
            key=state_key(name),
            region=cfg.state.region,
            encrypt=True,
            kms_key_id=cfg.state.kms_key_id,
        )
        # cdktf 0.21's S3Backend predates S3 lock files.
        self.add_override("terraform.backend.s3.use_lockfile", True)

        kms_key_arn = cfg.logging.kms_key_arn
        created_key_arn = None
        if cfg.logging.create_kms_key:
            kms_key_arn = created_key_arn = LogEncryptionKey(
                self, "log_key", environment=name, account_id=cfg.account_id, region=cfg.region
            ).arn
        alarms = AlarmTopic(
            self, "alarm_topic", environment=name, emails=list(cfg.alarms.emails), kms_key_arn=created_key_arn
        )
        logs = TunnelLogSettings(retention_days=cfg.logging.retention_days, kms_key_arn=kms_key_arn)

        gateway = None
        if any(site.transit_gateway is None for site in cfg.sites.values()):
            gateway = VpnGateway(
                self,
                "vpn_gateway",
                environment=name,
                vpc_id=cfg.vpc.id,
                route_table_ids=list(cfg.vpc.route_table_ids),
                amazon_side_asn=cfg.vpn_gateway.amazon_side_asn,
                prevent_destroy=cfg.prevent_destroy,
            )
            TerraformOutput(self, "vpn_gateway_id", value=gateway.id).override_logical_id("vpn_gateway_id")

        self.sites = {
            site_name: SiteToSiteVpn(
                self,
                site_name,
                site=site,
                environment=name,
                alarm_topic_arn=alarms.arn,
                vpn_gateway_id=gateway.id if gateway and site.transit_gateway is None else None,
                logs=logs,
                prevent_destroy=cfg.prevent_destroy,
            )
            for site_name, site in cfg.sites.items()
        }
        TerraformOutput(self, "alarm_topic_arn", value=alarms.arn).override_logical_id("alarm_topic_arn")

        pki_dir = None
        if any(endpoint.uses_pki_files for endpoint in cfg.client_vpn.values()):
            # Set with TF_VAR_pki_dir or -var: the path never enters the synthesized JSON.
            pki_dir = TerraformVariable(
                self,
                PKI_DIR_VARIABLE,
                type="string",
                nullable=False,
                description="Folder holding the PKI folders that client_vpn certificates name "
                "(each with server.crt, server.key, ca.crt, crl.pem)",
            ).string_value
        self.client_vpns = {}
        for endpoint_name, endpoint in cfg.client_vpn.items():
            certificates = Certificates(
                self,
                f"certificates-{endpoint_name}",
                name=f"{name}-{endpoint_name}",
                server=endpoint.server_certificate,
                client_root=endpoint.client_root_certificate,
                pki_dir=pki_dir,
            )
            self.client_vpns[endpoint_name] = ClientVpnEndpoint(
                self,
                endpoint_name,
                endpoint=endpoint,
                environment=name,
                vpc_id=cfg.vpc.id,
                vpc_cidr=cfg.vpc.cidr,
                server_certificate_arn=certificates.server_certificate_arn,
                client_root_certificate_chain_arn=certificates.client_root_certificate_chain_arn
                if "certificate" in endpoint.authentication
                else None,
                log_retention_days=cfg.logging.retention_days,
                kms_key_arn=kms_key_arn,
                prevent_destroy=cfg.prevent_destroy,
            )
            if endpoint.client_pki:
                CertificateRevocationList(
                    self,
                    f"revocation-{endpoint_name}",
                    endpoint_id=self.client_vpns[endpoint_name].endpoint.id,
                    crl_file=f"{pki_dir}/{endpoint.client_pki}/{CRL_FILE}",
                    region=cfg.region,
                    role_arn=cfg.assume_role_arn,
                )
        self.replace_allowed = lift_guard(self, allow_replace, bound_allowances)
