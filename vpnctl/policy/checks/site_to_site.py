"""Site-to-Site VPN checks: both tunnels logged, IKEv2 only, and (in the production tier) no weak crypto.

An unset crypto list means AWS's default, which allows IKEv1, SHA1, AES128 and
DH group 2, so unset fails the crypto checks.
"""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from vpnac_conf import TUNNELS, block, value

WEAK_ALGORITHMS = {"SHA1", "AES128", "AES128-GCM-16"}
MIN_DH_GROUP = 14
PHASES = ("phase1", "phase2")


class TunnelLogging(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="Both VPN tunnels send their logs to CloudWatch",
            id="CKV_VPNAC_1",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_vpn_connection"],
        )

    def scan_resource_conf(self, conf):
        for tunnel in TUNNELS:
            options = block(block(conf, f"{tunnel}_log_options"), "cloudwatch_log_options")
            if value(options, "log_enabled") is not True or not value(options, "log_group_arn"):
                return CheckResult.FAILED
        return CheckResult.PASSED


class IkeV2Only(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="Both VPN tunnels allow IKEv2 only",
            id="CKV_VPNAC_2",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_vpn_connection"],
        )

    def scan_resource_conf(self, conf):
        ok = all(value(conf, f"{tunnel}_ike_versions") == ["ikev2"] for tunnel in TUNNELS)
        return CheckResult.PASSED if ok else CheckResult.FAILED


class StrongTunnelCrypto(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="VPN tunnels offer no SHA1, no AES128 and no DH group below 14 (production tier)",
            id="CKV_VPNAC_3",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_vpn_connection"],
        )

    def scan_resource_conf(self, conf):
        for tunnel in TUNNELS:
            for phase in PHASES:
                algorithms = [
                    *(value(conf, f"{tunnel}_{phase}_encryption_algorithms") or [None]),
                    *(value(conf, f"{tunnel}_{phase}_integrity_algorithms") or [None]),
                ]
                groups = value(conf, f"{tunnel}_{phase}_dh_group_numbers") or [None]
                if None in algorithms or None in groups:
                    return CheckResult.FAILED
                if WEAK_ALGORITHMS.intersection(algorithms) or min(groups) < MIN_DH_GROUP:
                    return CheckResult.FAILED
        return CheckResult.PASSED


tunnel_logging = TunnelLogging()
ike_v2_only = IkeV2Only()
strong_tunnel_crypto = StrongTunnelCrypto()
