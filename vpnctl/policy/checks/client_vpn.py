"""Client VPN checks: connection logging on, and (in the production tier) no rule giving everyone the
internet and at least two associated subnets."""

import json
from pathlib import Path

from checkov.common.models.enums import CheckCategories, CheckResult
from vpnac_conf import VpnCheck, block, value

EVERYWHERE = "0.0.0.0/0"
ENDPOINT = "aws_ec2_client_vpn_endpoint"
ASSOCIATION = "aws_ec2_client_vpn_network_association"
MIN_ASSOCIATED_SUBNETS = 2


class ConnectionLogging(VpnCheck):
    title = "Client VPN endpoints log connections to CloudWatch"
    check_id = "CKV_VPNAC_4"
    category = CheckCategories.LOGGING
    resource = "aws_ec2_client_vpn_endpoint"

    def passes(self, conf):
        options = block(conf, "connection_log_options")
        return value(options, "enabled") is True and bool(value(options, "cloudwatch_log_group"))


class NoEveryoneToEverywhere(VpnCheck):
    title = "No Client VPN rule authorizes all groups to 0.0.0.0/0 (production tier)"
    check_id = "CKV_VPNAC_5"
    category = CheckCategories.NETWORKING
    resource = "aws_ec2_client_vpn_authorization_rule"

    def passes(self, conf):
        everyone = value(conf, "authorize_all_groups") is True
        everywhere = value(conf, "target_network_cidr") == EVERYWHERE
        return not (everyone and everywhere)


class TwoAssociatedSubnets(VpnCheck):
    """An endpoint reachable through two subnets survives one availability zone's outage.

    For stacks built outside our config: ours refuse a production-tier endpoint in one zone before
    synth (Environment._association_problems), because the config knows each subnet's zone. The
    synthesized JSON names subnet IDs only, not zones, so this check counts distinct subnets; AWS
    itself refuses two associations in one zone. checkov shows a Python check one resource at a
    time and gives terraform_json runs no graph, so the check reads the endpoint's file for the
    associations that reference it. Associations made with count or for_each are counted only at
    plan time: the result is then unknown.
    """

    title = "Client VPN endpoints associate at least two subnets (production tier)"
    check_id = "CKV_VPNAC_8"
    category = CheckCategories.NETWORKING
    resource = ENDPOINT

    def scan_resource_conf(self, conf):
        scanned_file, _, name = self.entity_path.rsplit(":", 2)  # checkov sets FILE:TYPE:NAME before the scan
        written = _resources(scanned_file, ASSOCIATION)
        if written is None:  # the file is not where checkov's name for it says: don't guess
            return CheckResult.UNKNOWN
        associations = [a for a in written if _references(a, name)]
        if any("count" in a or "for_each" in a for a in associations):
            return CheckResult.UNKNOWN
        subnets = {json.dumps(a.get("subnet_id")) for a in associations}
        return CheckResult.PASSED if len(subnets) >= MIN_ASSOCIATED_SUBNETS else CheckResult.FAILED


def _resources(scanned_file: str, resource_type: str) -> list | None:
    """The resources of one type in the scanned file, as written (not wrapped in lists as checkov does);
    None if the file can't be read.

    With --file, checkov names the file "/" + its path relative to the working directory.
    """
    for path in (Path.cwd() / scanned_file.lstrip("/"), Path(scanned_file)):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        resources = document.get("resource", {}).get(resource_type, {})
        return list(resources.values()) if isinstance(resources, dict) else []
    return None


def _references(association: dict, endpoint_name: str) -> bool:
    return f"{ENDPOINT}.{endpoint_name}." in str(association.get("client_vpn_endpoint_id", ""))


connection_logging = ConnectionLogging()
no_everyone_to_everywhere = NoEveryoneToEverywhere()
two_associated_subnets = TwoAssociatedSubnets()
