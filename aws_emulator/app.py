"""The emulator process: moto's server with our EC2 actions installed, and a
seeding route that creates pre-existing resources under fixed IDs.

Fixed IDs need the emulator's own process: moto's EC2 models draw random IDs
and honour no custom-ID tag, so seeding swaps in the wanted ID for the one
create call that draws it.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator

from moto.acm.models import CertBundle, acm_backends
from moto.cloudwatch.models import Alarm
from moto.cloudwatch.responses import CloudWatchResponse
from moto.ec2.models import ec2_backends
from moto.ec2.models.security_groups import SecurityGroupRule
from moto.ec2.responses import EC2Response

from aws_emulator.auth import Secret
from aws_emulator.client_vpn import ClientVpnResponses
from aws_emulator.controls import ControlError, handle, is_control
from aws_emulator.query_calls import QueryCalls
from aws_emulator.serialized import STATE_LOCK
from aws_emulator.site_to_site import SiteToSiteResponses
from aws_emulator.transit_gateway import TransitGatewayResponses

SEED_PATH = "/_vpn_emulator/seed"
STATE_PATH = "/_vpn_emulator/resources"


def install() -> None:
    """Adds or replaces the EC2 actions on moto's response class, and PutCompositeAlarm, which moto's CloudWatch
    stores but does not route. They run under aws_emulator.serialized's lock, as every request does."""
    for mixin in (ClientVpnResponses, SiteToSiteResponses, TransitGatewayResponses):
        for part in reversed(mixin.__mro__[:-1]):  # the mixin's own bases, the first named winning; not object
            for name, value in vars(part).items():
                if callable(value) and not name.startswith("__"):
                    setattr(EC2Response, name, value)
    CloudWatchResponse.put_composite_alarm = CloudWatchResponse.put_metric_alarm
    # moto's security group rules lose the description of a rule that references a group,
    # and leave out GroupOwnerId, so the provider reads the reference as "account/sg-..." (drift).
    SecurityGroupRule.description = property(
        lambda rule: rule.ip_range.get("Description") or (rule.source_group or {}).get("Description")
    )
    SecurityGroupRule.group_owner_id = property(lambda rule: rule.ec2_backend.account_id)
    if not hasattr(Alarm, "alarm_rule"):
        Alarm.alarm_rule = property(lambda alarm: alarm.rule)  # the CompositeAlarm shape's AlarmRule


@contextlib.contextmanager
def _fixed_id(module_name: str, function: str, wanted: str) -> Iterator[None]:
    import importlib

    module = importlib.import_module(module_name)
    original = getattr(module, function)
    setattr(module, function, lambda *a, **k: wanted)
    try:
        yield
    finally:
        setattr(module, function, original)


def seed(account_id: str, document: dict) -> dict:
    """Creates the VPCs, subnets, route tables, transit gateways and ACM
    certificates `document` names, under its IDs and ARNs; what already exists
    is left as it is."""
    with STATE_LOCK:
        result = _seed(ec2_backends[account_id][document["region"]], document)
        certificates = acm_backends[account_id][document["region"]]
        for cert in document.get("certificates", []):
            if cert["arn"] not in certificates._certificates:
                bundle = CertBundle(
                    account_id,
                    cert["certificate"].encode(),
                    cert["private_key"].encode(),
                    chain=cert["chain"].encode(),
                    region=document["region"],
                    arn=cert["arn"],
                )
                certificates._certificates[cert["arn"]] = bundle
                result["created"].append(cert["arn"])
        return result


def _create(created: list[str], where: tuple[str, str], resource_id: str, make) -> None:
    """`make()` creates a resource under `resource_id`, where moto would pick a random ID (`where`: its module
    and ID function)."""
    with _fixed_id(*where, resource_id):
        make()
    created.append(resource_id)


def _seed(backend, document: dict) -> dict:
    created: list[str] = []
    for vpc in document.get("vpcs", []):
        if vpc["id"] not in backend.vpcs:
            _create(created, ("moto.ec2.models.vpcs", "random_vpc_id"), vpc["id"],
                    lambda vpc=vpc: backend.create_vpc(cidr_block=vpc["cidr"]))
        for subnet in vpc.get("subnets", []):
            if not any(subnet["id"] in by_az for by_az in backend.subnets.values()):
                _create(created, ("moto.ec2.models.subnets", "random_subnet_id"), subnet["id"],
                        lambda vpc=vpc, subnet=subnet: backend.create_subnet(
                            vpc_id=vpc["id"], cidr_block=subnet["cidr"], availability_zone=subnet["availability_zone"]))
        for table in vpc.get("route_tables", []):
            if table["id"] not in backend.route_tables:
                _create(created, ("moto.ec2.models.route_tables", "random_route_table_id"), table["id"],
                        lambda vpc=vpc: backend.create_route_table(vpc_id=vpc["id"]))
                for subnet_id in table.get("subnet_ids", []):
                    backend.associate_route_table(table["id"], subnet_id=subnet_id)
    for gateway in document.get("transit_gateways", []):
        if gateway["id"] not in backend.transit_gateways:
            _create(created, ("moto.ec2.models.transit_gateway", "random_transit_gateway_id"), gateway["id"],
                    lambda: backend.create_transit_gateway(description="seeded by vpn-as-code", options=None, tags=None))
        for table_id in gateway.get("route_table_ids", []):
            if table_id not in backend.transit_gateways_route_tables:
                _create(created, ("moto.ec2.models.transit_gateway_route_tables", "random_transit_gateway_route_table_id"),
                        table_id, lambda gateway=gateway: backend.create_transit_gateway_route_table(
                            transit_gateway_id=gateway["id"]))
    return {"created": created}


def issued_key(access_key_id: str) -> Secret | None:
    """A key the emulated accounts issued themselves: temporary credentials from STS (AssumeRole and its
    kin, with their session token) or an active access key of an IAM user. Read under the state's lock: the
    signature check runs before the request's own work takes it, while STS and IAM may be issuing keys."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    with STATE_LOCK:
        for by_partition in sts_backends.values():
            for backend in by_partition.values():
                for role in backend.assumed_roles:
                    if role.access_key_id == access_key_id:
                        return Secret(role.secret_access_key, role.session_token)
        for by_partition in iam_backends.values():
            for backend in by_partition.values():
                for user in backend.users.values():
                    for key in user.access_keys:
                        if key.access_key_id == access_key_id and key.status == "Active":
                            return Secret(key.secret_access_key)
    return None


def resources(account_id: str, region: str) -> dict:
    """What VPN and Client VPN resources exist, for tests that check nothing is left behind or doubled."""
    backend = ec2_backends[account_id][region]
    connections = [c for c in backend.vpn_connections.values() if c.state != "deleted"]
    return {
        "vpn_connections": [c.id for c in connections],
        "customer_gateways": [g.id for g in backend.customer_gateways.values() if g.state != "deleted"],
        "vpn_gateways": [g.id for g in backend.vpn_gateways.values() if g.state != "deleted"],
        "client_vpn_endpoints": list(backend.__dict__.get("client_vpn_endpoints", {})),
    }


class EmulatorApp:
    """WSGI: the seeding and inspection routes, and moto for everything else."""

    def __init__(self, moto_app, account_id: str):
        self.moto_app = moto_app
        self.account_id = account_id
        self.query_calls = QueryCalls(moto_app, self._still_there)

    def _still_there(self, action: str, response: str) -> bool:
        """Whether a replayed create's resource exists: a deleted VPN connection may be created anew."""
        if action != "CreateVpnConnection":
            return True
        found = re.search(r"<vpnConnectionId>([^<]+)</vpnConnectionId>", response)
        return bool(found) and any(
            getattr(backend.vpn_connections.get(found.group(1)), "state", "deleted") != "deleted"
            for backend in ec2_backends[self.account_id].values()
        )

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == SEED_PATH and environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            document = json.loads(environ["wsgi.input"].read(length) or b"{}")
            return self._json(start_response, seed(self.account_id, document))
        if is_control(environ.get("REQUEST_METHOD", ""), path):
            return self._control(environ, start_response, path)
        if path == STATE_PATH:
            from urllib.parse import parse_qs

            region = parse_qs(environ.get("QUERY_STRING", "")).get("region", ["us-east-1"])[0]
            return self._json(start_response, resources(self.account_id, region))
        if path == "/" and environ.get("REQUEST_METHOD") == "POST":
            return self.query_calls(environ, start_response)
        return self.moto_app(environ, start_response)

    def _control(self, environ, start_response, path: str):
        """The control routes of aws_emulator.controls, under the lock every request's work takes."""
        from urllib.parse import parse_qsl

        try:
            if environ.get("REQUEST_METHOD") == "GET":
                document = dict(parse_qsl(environ.get("QUERY_STRING", "")))
            else:
                document = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)) or b"{}")
            with STATE_LOCK:
                return self._json(start_response, handle(self.account_id, path, document))
        except ControlError as refused:
            return self._json(start_response, {"message": str(refused)}, refused.status)
        except json.JSONDecodeError as wrong:
            return self._json(start_response, {"message": f"{path}: the body is not JSON ({wrong})"}, 400)

    @staticmethod
    def _json(start_response, body: dict, status: int = 200):
        data = json.dumps(body).encode()
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}[status]
        start_response(f"{status} {reason}", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]
