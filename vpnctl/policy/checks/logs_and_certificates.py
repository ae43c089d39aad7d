"""Log groups kept a year and encrypted with KMS (production tier); ACM certificates replaced before destroyed.

An imported certificate in use by a Client VPN endpoint can't be deleted, so
without create_before_destroy a replacement fails halfway.
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from vpnac_conf import block, value

MIN_RETENTION_DAYS = 365
NEVER_EXPIRE = 0


class LogRetentionAndKms(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="Log groups keep logs at least 365 days and are encrypted with KMS (production tier)",
            id="CKV_VPNAC_6",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_cloudwatch_log_group"],
        )

    def scan_resource_conf(self, conf):
        days = value(conf, "retention_in_days", NEVER_EXPIRE)
        kept = isinstance(days, int) and (days == NEVER_EXPIRE or days >= MIN_RETENTION_DAYS)
        return CheckResult.PASSED if kept and value(conf, "kms_key_id") else CheckResult.FAILED


class CertificateCreateBeforeDestroy(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="ACM certificates are created before the old one is destroyed",
            id="CKV_VPNAC_7",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_acm_certificate"],
        )

    def scan_resource_conf(self, conf):
        ok = value(block(conf, "lifecycle"), "create_before_destroy") is True
        return CheckResult.PASSED if ok else CheckResult.FAILED


log_retention_and_kms = LogRetentionAndKms()
certificate_create_before_destroy = CertificateCreateBeforeDestroy()
