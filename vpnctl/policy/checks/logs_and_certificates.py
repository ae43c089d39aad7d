"""Log groups kept a year and encrypted with KMS (production tier); ACM certificates replaced before destroyed.

An imported certificate in use by a Client VPN endpoint can't be deleted, so
without create_before_destroy a replacement fails halfway.
"""

from checkov.common.models.enums import CheckCategories
from vpnac_conf import VpnCheck, block, value

MIN_RETENTION_DAYS = 365
NEVER_EXPIRE = 0


class LogRetentionAndKms(VpnCheck):
    title = "Log groups keep logs at least 365 days and are encrypted with KMS (production tier)"
    check_id = "CKV_VPNAC_6"
    category = CheckCategories.LOGGING
    resource = "aws_cloudwatch_log_group"

    def passes(self, conf):
        days = value(conf, "retention_in_days", NEVER_EXPIRE)
        kept = isinstance(days, int) and (days == NEVER_EXPIRE or days >= MIN_RETENTION_DAYS)
        return kept and bool(value(conf, "kms_key_id"))


class CertificateCreateBeforeDestroy(VpnCheck):
    title = "ACM certificates are created before the old one is destroyed"
    check_id = "CKV_VPNAC_7"
    category = CheckCategories.GENERAL_SECURITY
    resource = "aws_acm_certificate"

    def passes(self, conf):
        return value(block(conf, "lifecycle"), "create_before_destroy") is True


log_retention_and_kms = LogRetentionAndKms()
certificate_create_before_destroy = CertificateCreateBeforeDestroy()
