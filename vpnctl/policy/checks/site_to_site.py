"""Site-to-Site VPN checks: both tunnels logged, IKEv2 only, and (in the production tier) no weak crypto.

An unset crypto list means AWS's default, which allows IKEv1, SHA1, AES128 and
DH group 2, so unset fails the crypto checks.
"""

from checkov.common.models.enums import CheckCategories
from vpnac_conf import TUNNELS, VpnCheck, block, value

WEAK_ALGORITHMS = {"SHA1", "AES128", "AES128-GCM-16"}
MIN_DH_GROUP = 14
PHASES = ("phase1", "phase2")


class TunnelLogging(VpnCheck):
    title = "Both VPN tunnels send their logs to CloudWatch"
    check_id = "CKV_VPNAC_1"
    category = CheckCategories.LOGGING
    resource = "aws_vpn_connection"

    def passes(self, conf):
        for tunnel in TUNNELS:
            options = block(block(conf, f"{tunnel}_log_options"), "cloudwatch_log_options")
            if value(options, "log_enabled") is not True or not value(options, "log_group_arn"):
                return False
        return True


class IkeV2Only(VpnCheck):
    title = "Both VPN tunnels allow IKEv2 only"
    check_id = "CKV_VPNAC_2"
    category = CheckCategories.ENCRYPTION
    resource = "aws_vpn_connection"

    def passes(self, conf):
        return all(value(conf, f"{tunnel}_ike_versions") == ["ikev2"] for tunnel in TUNNELS)


class StrongTunnelCrypto(VpnCheck):
    title = "VPN tunnels offer no SHA1, no AES128 and no DH group below 14 (production tier)"
    check_id = "CKV_VPNAC_3"
    category = CheckCategories.ENCRYPTION
    resource = "aws_vpn_connection"

    def passes(self, conf):
        for tunnel in TUNNELS:
            for phase in PHASES:
                algorithms = [
                    *(value(conf, f"{tunnel}_{phase}_encryption_algorithms") or [None]),
                    *(value(conf, f"{tunnel}_{phase}_integrity_algorithms") or [None]),
                ]
                groups = value(conf, f"{tunnel}_{phase}_dh_group_numbers") or [None]
                if None in algorithms or None in groups:
                    return False
                if WEAK_ALGORITHMS.intersection(algorithms) or min(groups) < MIN_DH_GROUP:
                    return False
        return True


tunnel_logging = TunnelLogging()
ike_v2_only = IkeV2Only()
strong_tunnel_crypto = StrongTunnelCrypto()
