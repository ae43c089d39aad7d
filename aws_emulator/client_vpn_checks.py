"""What the Client VPN actions check of a request, and how their Describe calls answer.

The endpoint a request names, the ACM certificates and security groups it cites, the settings
CreateClientVpnEndpoint and ModifyClientVpnEndpoint share (AWS's limits from aws_limits), and the
filters and NextToken pages of the Describe calls.
"""

from __future__ import annotations

from moto.acm.exceptions import AWSError
from moto.acm.models import acm_backends
from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError

from aws_emulator.aws_limits import SESSION_TIMEOUT_HOURS, VPN_PORTS
from aws_emulator.client_vpn_model import Endpoint, endpoints_of
from aws_emulator.describe import paginate, select
from aws_emulator.errors import invalid_parameter, not_found

ENDPOINT_NOT_FOUND = "InvalidClientVpnEndpointId.NotFound"
# The client options an endpoint keeps (request member, Endpoint field, what AWS assumes of those not given).
CLIENT_OPTIONS = (
    ("ClientConnectOptions", "client_connect", {"Enabled": False}),
    ("ClientLoginBannerOptions", "login_banner", {"Enabled": False}),
    ("ClientRouteEnforcementOptions", "route_enforcement", {"Enforced": False}),
)


class ClientVpnChecks:
    """Helpers of the Client VPN actions, mixed into moto's EC2Response with them."""

    def _endpoint(self, endpoint_id: str | None = None) -> Endpoint:
        endpoint_id = endpoint_id or self._required_param("ClientVpnEndpointId")
        endpoint = endpoints_of(self.ec2_backend).get(endpoint_id)
        if endpoint is None:
            raise not_found(ENDPOINT_NOT_FOUND, "Client VPN endpoint", endpoint_id)
        return endpoint

    def _certificate_exists(self, arn: str, what: str) -> None:
        try:
            acm_backends[self.current_account][self.region].get_certificate(arn)
        except AWSError:  # not found, or an ARN ACM can't parse
            raise invalid_parameter(f"Certificate {arn} does not exist ({what})") from None

    def _security_groups(self, vpc_id: str | None, group_ids: list[str]) -> list[str]:
        if group_ids and not vpc_id:
            raise invalid_parameter("A VPC ID is required when security groups are specified")
        for group_id in group_ids:
            group = self.ec2_backend.get_security_group_from_id(group_id)
            if group is None:
                raise EC2ClientError("InvalidSecurityGroupID.NotFound", f"The security group '{group_id}' does not exist")
            if group.vpc_id != vpc_id:
                raise invalid_parameter(f"Security group {group_id} does not belong to VPC {vpc_id}")
        return list(group_ids)

    def _client_options(self) -> dict[str, dict]:
        """The client options the request gives, over what AWS assumes, by Endpoint field."""
        return {attr: {**default, **value} for param, attr, default in CLIENT_OPTIONS
                if (value := self._get_param(param)) is not None}

    def _described(self, items: list, fields: dict, key: str, ids: list[str] | None = None,
                   id_filter: str = "") -> ActionResult:
        """A Describe call's answer under `key`: the items it asks for (see describe.select), a page at a time."""
        described = [item.describe() for item in select(items, self._filters_from_querystring(), fields, ids, id_filter)]
        page, token = paginate(described, self._get_param("MaxResults"), self._get_param("NextToken"))
        out = {key: page}
        if token:
            out["NextToken"] = token
        return ActionResult(out)


def first(items: list, matches, code: str, message: str):
    """The first of `items` that `matches`; the EC2 error `code` when none does."""
    found = next((item for item in items if matches(item)), None)
    if found is None:
        raise EC2ClientError(code, message)
    return found


def connection_log_options(log: dict) -> dict:
    if log.get("Enabled") and not log.get("CloudwatchLogGroup"):
        raise invalid_parameter("A CloudWatch Logs log group is required when connection logging is enabled")
    return {k: log[k] for k in ("Enabled", "CloudwatchLogGroup", "CloudwatchLogStream") if k in log}


def dns_servers(servers: list[str]) -> list[str]:
    if len(servers) > 2:
        raise invalid_parameter("Specify at most two DNS servers")
    return list(servers)


def vpn_port(value) -> int:
    if int(value) not in VPN_PORTS:
        raise invalid_parameter(f"VPN port {value} is not valid; valid ports are {', '.join(map(str, VPN_PORTS))}")
    return int(value)


def session_timeout(value) -> int:
    if int(value) not in SESSION_TIMEOUT_HOURS:
        raise invalid_parameter(
            f"Session timeout {value} hours is not valid; valid values are {', '.join(map(str, SESSION_TIMEOUT_HOURS))}"
        )
    return int(value)
