"""Client VPN checks: connection logging on, and (in prod) no rule giving everyone the internet."""

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from vpnac_conf import block, value

EVERYWHERE = "0.0.0.0/0"


class ConnectionLogging(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="Client VPN endpoints log connections to CloudWatch",
            id="CKV_VPNAC_4",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_ec2_client_vpn_endpoint"],
        )

    def scan_resource_conf(self, conf):
        options = block(conf, "connection_log_options")
        ok = value(options, "enabled") is True and bool(value(options, "cloudwatch_log_group"))
        return CheckResult.PASSED if ok else CheckResult.FAILED


class NoEveryoneToEverywhere(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="No Client VPN rule authorizes all groups to 0.0.0.0/0 (prod)",
            id="CKV_VPNAC_5",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_ec2_client_vpn_authorization_rule"],
        )

    def scan_resource_conf(self, conf):
        everyone = value(conf, "authorize_all_groups") is True
        everywhere = value(conf, "target_network_cidr") == EVERYWHERE
        return CheckResult.FAILED if everyone and everywhere else CheckResult.PASSED


connection_logging = ConnectionLogging()
no_everyone_to_everywhere = NoEveryoneToEverywhere()
