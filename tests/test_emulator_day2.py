"""Conformance of the emulator's day-2 actions, through boto3 as the CLI calls them: tunnel telemetry, tunnel
endpoint replacement and maintenance, Client VPN client connections; and the control routes that stand in for
the real world (LocalAws's set_tunnel_state, seed_pending_maintenance, set_replacement_seconds,
tunnel_history, seed_client_vpn_connection)."""

from __future__ import annotations

import ipaddress
import itertools
import time
import urllib.error
from datetime import UTC, datetime, timedelta

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from vpn_schema.pki_layout import CERTIFICATE_FILE, CHAIN_FILE, PRIVATE_KEY_FILE
from vpnctl.emulator_process import LocalAws
from vpnctl.pki.throwaway import ensure_dev_pki

pytestmark = pytest.mark.emulator

ACCOUNT, REGION = "222222222222", "eu-west-1"
VPC, VPC_CIDR = "vpc-0d1d2d3d4d5d6d7d8", "10.40.0.0/16"
SUBNET = "subnet-0d0000000000000a1"
TGW = "tgw-0d1d2d3d4d5d6d7d8"
CLIENT_CIDR = "10.210.0.0/22"
NAMES = itertools.count()


def error_code(call, *args, **kwargs) -> str:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    return caught.value.response["Error"]["Code"]


def until(condition, timeout: float = 30.0):
    """Polls `condition` until it answers something true; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = condition()
        if answer:
            return answer
        time.sleep(0.05)
    pytest.fail(f"not reached within {timeout} s")


@pytest.fixture(scope="module")
def aws(tmp_path_factory):
    with LocalAws(ACCOUNT, log_file=tmp_path_factory.mktemp("emulator") / "emulator.log") as server:
        server.post("/_vpn_emulator/seed", {
            "region": REGION,
            "vpcs": [{"id": VPC, "cidr": VPC_CIDR,
                      "subnets": [{"id": SUBNET, "cidr": "10.40.0.0/24", "availability_zone": "eu-west-1a"}]}],
            "transit_gateways": [{"id": TGW, "route_table_ids": ["tgw-rtb-0d1d2d3d4d5d6d7d8"]}],
        })
        yield server


@pytest.fixture(scope="module")
def ec2(aws):
    return aws.client("ec2", REGION)


@pytest.fixture(scope="module")
def gateways(ec2):
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=VPC, VpnGatewayId=vgw)
    cgw = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="203.0.113.20", BgpAsn=65020)["CustomerGateway"]
    return {"vgw": vgw, "cgw": cgw["CustomerGatewayId"]}


def new_connection(ec2, gateways, lifecycle: bool = False, **extra) -> tuple[str, list[str]]:
    """A new connection (a tag of its own: CreateVpnConnection is idempotent) on the virtual private gateway,
    unless `extra` names another: its ID and outside IPs."""
    tags = [{"ResourceType": "vpn-connection", "Tags": [{"Key": "Name", "Value": f"day2-{next(NAMES)}"}]}]
    options = {"TunnelOptions": [{"EnableTunnelLifecycleControl": True}] * 2} if lifecycle else {}
    params = {"Type": "ipsec.1", "CustomerGatewayId": gateways["cgw"], "VpnGatewayId": gateways["vgw"],
              "Options": options, "TagSpecifications": tags, **extra}
    created = ec2.create_vpn_connection(**{k: v for k, v in params.items() if v is not None})["VpnConnection"]
    return created["VpnConnectionId"], [t["OutsideIpAddress"] for t in created["Options"]["TunnelOptions"]]


def telemetry(ec2, connection_id: str) -> dict[str, dict]:
    (connection,) = ec2.describe_vpn_connections(VpnConnectionIds=[connection_id])["VpnConnections"]
    return {t["OutsideIpAddress"]: t for t in connection["VgwTelemetry"]}


def status_of(ec2, connection_id: str, ip: str) -> str:
    return telemetry(ec2, connection_id)[ip]["Status"]


def maintenance(ec2, connection_id: str, ip: str) -> dict:
    return ec2.get_vpn_tunnel_replacement_status(VpnConnectionId=connection_id,
                                                 VpnTunnelOutsideIpAddress=ip)["MaintenanceDetails"]


def history_of(aws, connection_id: str, ip: str) -> list[str]:
    return [c["status"] for c in aws.tunnel_history(REGION)
            if (c["vpn_connection_id"], c["outside_ip"]) == (connection_id, ip)]


def control_refusal(call, *args, **kwargs) -> int:
    with pytest.raises(urllib.error.HTTPError) as caught:
        call(*args, **kwargs)
    return caught.value.code


# ---- VgwTelemetry -------------------------------------------------------------------------------


def test_a_tunnel_is_down_until_its_device_brings_it_up(aws, ec2, gateways):
    connection_id, (first, second) = new_connection(ec2, gateways)
    down = telemetry(ec2, connection_id)
    assert {t["Status"] for t in down.values()} == {"DOWN"} and down[first]["AcceptedRouteCount"] == 0
    before = datetime.now(UTC) - timedelta(seconds=1)
    aws.set_tunnel_state(REGION, connection_id, first, "UP", status_message="2 BGP ROUTES", accepted_route_count=2)
    up = telemetry(ec2, connection_id)
    assert (up[first]["Status"], up[first]["StatusMessage"], up[first]["AcceptedRouteCount"]) == ("UP", "2 BGP ROUTES", 2)
    assert before <= up[first]["LastStatusChange"] <= datetime.now(UTC) + timedelta(seconds=1)
    assert up[second]["Status"] == "DOWN"
    assert history_of(aws, connection_id, first) == ["UP"]


def test_the_tunnel_state_route_refuses_what_is_not_there(aws, ec2, gateways):
    connection_id, (first, _) = new_connection(ec2, gateways)
    assert control_refusal(aws.set_tunnel_state, REGION, "vpn-0123456789abcdef0", first, "UP") == 404
    assert control_refusal(aws.set_tunnel_state, REGION, connection_id, "198.19.255.254", "UP") == 404
    assert control_refusal(aws.set_tunnel_state, REGION, connection_id, first, "SIDEWAYS") == 400
    assert control_refusal(aws.set_replacement_seconds, -1) == 400


# ---- ReplaceVpnTunnel -------------------------------------------------------------------------


def test_a_replaced_tunnel_goes_down_and_comes_back_up(aws, ec2, gateways):
    aws.set_replacement_seconds(1.5)
    connection_id, (first, second) = new_connection(ec2, gateways)
    aws.set_tunnel_state(REGION, connection_id, first, "UP", accepted_route_count=3)
    aws.set_tunnel_state(REGION, connection_id, second, "UP")
    replaced_at = datetime.now(UTC)
    assert ec2.replace_vpn_tunnel(VpnConnectionId=connection_id, VpnTunnelOutsideIpAddress=first)["Return"] is True
    assert status_of(ec2, connection_id, first) == "DOWN"
    assert status_of(ec2, connection_id, second) == "UP"  # one tunnel at a time
    back = until(lambda: (t := telemetry(ec2, connection_id)[first])["Status"] == "UP" and t)
    assert back["AcceptedRouteCount"] == 3
    # The replacement time after the replacement (EC2 answers timestamps to the second).
    assert back["LastStatusChange"] >= (replaced_at + timedelta(seconds=1.5)).replace(microsecond=0)
    assert history_of(aws, connection_id, first) == ["UP", "DOWN", "UP"]
    times = [c["time"] for c in aws.tunnel_history(REGION)]
    assert times == sorted(times, key=datetime.fromisoformat)


def test_a_tunnel_that_was_down_stays_down_after_its_replacement(aws, ec2, gateways):
    aws.set_replacement_seconds(0.2)
    connection_id, (first, _) = new_connection(ec2, gateways)
    ec2.replace_vpn_tunnel(VpnConnectionId=connection_id, VpnTunnelOutsideIpAddress=first)
    until(lambda: len(history_of(aws, connection_id, first)) == 2)
    assert status_of(ec2, connection_id, first) == "DOWN"


def test_replace_and_replacement_status_refuse_unknown_connections_and_tunnels(ec2, gateways):
    connection_id, _ = new_connection(ec2, gateways)
    for call in (ec2.replace_vpn_tunnel, ec2.get_vpn_tunnel_replacement_status):
        assert error_code(call, VpnConnectionId="vpn-0123456789abcdef0",
                          VpnTunnelOutsideIpAddress="198.18.0.1") == "InvalidVpnConnectionID.NotFound"
        assert error_code(call, VpnConnectionId=connection_id,
                          VpnTunnelOutsideIpAddress="198.19.255.254") == "InvalidParameterValue"


# ---- GetVpnTunnelReplacementStatus, maintenance ---------------------------------------------------


def test_replacement_status_names_the_connection_and_its_gateways(ec2, gateways):
    connection_id, (first, _) = new_connection(ec2, gateways, lifecycle=True)
    status = ec2.get_vpn_tunnel_replacement_status(VpnConnectionId=connection_id, VpnTunnelOutsideIpAddress=first)
    assert {k: status[k] for k in ("VpnConnectionId", "VpnGatewayId", "CustomerGatewayId", "VpnTunnelOutsideIpAddress")} == {
        "VpnConnectionId": connection_id, "VpnGatewayId": gateways["vgw"], "CustomerGatewayId": gateways["cgw"],
        "VpnTunnelOutsideIpAddress": first}
    assert "TransitGatewayId" not in status and status["MaintenanceDetails"] == {}
    on_tgw, (tgw_ip, _) = new_connection(ec2, gateways, VpnGatewayId=None, TransitGatewayId=TGW)
    status = ec2.get_vpn_tunnel_replacement_status(VpnConnectionId=on_tgw, VpnTunnelOutsideIpAddress=tgw_ip)
    assert status["TransitGatewayId"] == TGW and "VpnGatewayId" not in status


def test_applying_pending_maintenance_clears_it(aws, ec2, gateways):
    aws.set_replacement_seconds(0.2)
    connection_id, (first, _) = new_connection(ec2, gateways, lifecycle=True)
    auto = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
    aws.seed_pending_maintenance(REGION, connection_id, first, "Available", auto)
    assert maintenance(ec2, connection_id, first) == {"PendingMaintenance": "Available", "MaintenanceAutoAppliedAfter": auto}
    ec2.replace_vpn_tunnel(VpnConnectionId=connection_id, VpnTunnelOutsideIpAddress=first)
    assert maintenance(ec2, connection_id, first)["PendingMaintenance"] == "Available"  # replaced, not applied
    applied_at = datetime.now(UTC)
    ec2.replace_vpn_tunnel(VpnConnectionId=connection_id, VpnTunnelOutsideIpAddress=first, ApplyPendingMaintenance=True)
    details = maintenance(ec2, connection_id, first)
    assert set(details) == {"LastMaintenanceApplied"}
    assert applied_at - timedelta(seconds=1) <= details["LastMaintenanceApplied"] <= datetime.now(UTC) + timedelta(seconds=1)


def test_pending_maintenance_is_applied_by_itself_after_its_time(aws, ec2, gateways):
    aws.set_replacement_seconds(0.3)
    connection_id, (first, _) = new_connection(ec2, gateways, lifecycle=True)
    aws.set_tunnel_state(REGION, connection_id, first, "UP")
    auto = datetime.now(UTC) + timedelta(seconds=1)
    aws.seed_pending_maintenance(REGION, connection_id, first, "Available", auto)
    details = until(lambda: (d := maintenance(ec2, connection_id, first)) and "LastMaintenanceApplied" in d and d)
    assert "PendingMaintenance" not in details
    assert details["LastMaintenanceApplied"] == auto.replace(microsecond=0)  # when it was due, to the second
    until(lambda: history_of(aws, connection_id, first) == ["UP", "DOWN", "UP"])


# ---- ModifyVpnTunnelOptions and lifecycle control ---------------------------------------------------


def test_turning_lifecycle_control_on_replaces_the_tunnel_unless_skipped(aws, ec2, gateways):
    aws.set_replacement_seconds(1.0)
    connection_id, (first, second) = new_connection(ec2, gateways)
    for ip in (first, second):
        aws.set_tunnel_state(REGION, connection_id, ip, "UP")
    changed = ec2.modify_vpn_tunnel_options(VpnConnectionId=connection_id, VpnTunnelOutsideIpAddress=first,
                                            TunnelOptions={"EnableTunnelLifecycleControl": True},
                                            SkipTunnelReplacement=True)["VpnConnection"]
    assert changed["Options"]["TunnelOptions"][0]["EnableTunnelLifecycleControl"] is True
    assert status_of(ec2, connection_id, first) == "UP" and history_of(aws, connection_id, first) == ["UP"]
    ec2.modify_vpn_tunnel_options(VpnConnectionId=connection_id, VpnTunnelOutsideIpAddress=second,
                                  TunnelOptions={"EnableTunnelLifecycleControl": True})
    assert status_of(ec2, connection_id, second) == "DOWN"
    until(lambda: status_of(ec2, connection_id, second) == "UP")
    assert history_of(aws, connection_id, second) == ["UP", "DOWN", "UP"]


def test_other_tunnel_option_changes_replace_the_tunnel_even_with_skip(aws, ec2, gateways):
    aws.set_replacement_seconds(1.0)
    connection_id, (first, _) = new_connection(ec2, gateways)
    aws.set_tunnel_state(REGION, connection_id, first, "UP")
    ec2.modify_vpn_tunnel_options(VpnConnectionId=connection_id, VpnTunnelOutsideIpAddress=first,
                                  TunnelOptions={"DPDTimeoutSeconds": 40}, SkipTunnelReplacement=True)
    assert status_of(ec2, connection_id, first) == "DOWN"
    until(lambda: status_of(ec2, connection_id, first) == "UP")


def test_turning_lifecycle_control_off_applies_pending_maintenance_and_cannot_skip_it(aws, ec2, gateways):
    aws.set_replacement_seconds(0.2)
    connection_id, (first, _) = new_connection(ec2, gateways, lifecycle=True)
    aws.seed_pending_maintenance(REGION, connection_id, first, "Available", datetime.now(UTC) + timedelta(days=3))
    off = {"VpnConnectionId": connection_id, "VpnTunnelOutsideIpAddress": first,
           "TunnelOptions": {"EnableTunnelLifecycleControl": False}}
    assert error_code(ec2.modify_vpn_tunnel_options, **off, SkipTunnelReplacement=True) == "InvalidParameterValue"
    assert maintenance(ec2, connection_id, first)["PendingMaintenance"] == "Available"
    ec2.modify_vpn_tunnel_options(**off)
    assert set(maintenance(ec2, connection_id, first)) == {"LastMaintenanceApplied"}
    assert history_of(aws, connection_id, first) == ["DOWN"]


# ---- Client VPN client connections ------------------------------------------------------------------


@pytest.fixture(scope="module")
def server_cert(aws, tmp_path_factory) -> str:
    folder = ensure_dev_pki(tmp_path_factory.mktemp("pki"), "day2")
    return aws.client("acm", REGION).import_certificate(
        Certificate=(folder / CERTIFICATE_FILE).read_bytes(), PrivateKey=(folder / PRIVATE_KEY_FILE).read_bytes(),
        CertificateChain=(folder / CHAIN_FILE).read_bytes())["CertificateArn"]


def new_endpoint(ec2, server_cert, directory: bool = False, associate: bool = True) -> str:
    auth = [{"Type": "certificate-authentication", "MutualAuthentication": {"ClientRootCertificateChainArn": server_cert}}]
    if directory:
        auth.append({"Type": "directory-service-authentication", "ActiveDirectory": {"DirectoryId": "d-0123456789"}})
    endpoint_id = ec2.create_client_vpn_endpoint(ClientCidrBlock=CLIENT_CIDR, ServerCertificateArn=server_cert,
                                                 AuthenticationOptions=auth,
                                                 ConnectionLogOptions={"Enabled": False})["ClientVpnEndpointId"]
    if associate:
        ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, SubnetId=SUBNET)
    return endpoint_id


def connections(ec2, endpoint_id: str, **kwargs) -> dict[str, dict]:
    answer = ec2.describe_client_vpn_connections(ClientVpnEndpointId=endpoint_id, **kwargs)
    return {c["ConnectionId"]: c for c in answer["Connections"]}


def test_a_seeded_connection_is_described_as_aws_describes_it(aws, ec2, server_cert):
    endpoint_id = new_endpoint(ec2, server_cert, directory=True)
    connection_id = aws.seed_client_vpn_connection(REGION, endpoint_id, "alice", username="alice",
                                                   ingress_bytes=3000, egress_bytes=1500)
    assert connection_id.startswith("cvpn-connection-") and len(connection_id) == len("cvpn-connection-") + 17
    (connection,) = connections(ec2, endpoint_id).values()
    assert {k: connection[k] for k in ("ClientVpnEndpointId", "ConnectionId", "Username", "CommonName", "IngressBytes",
                                       "EgressBytes", "IngressPackets", "EgressPackets", "Status")} == {
        "ClientVpnEndpointId": endpoint_id, "ConnectionId": connection_id, "Username": "alice", "CommonName": "alice",
        "IngressBytes": "3000", "EgressBytes": "1500", "IngressPackets": "2", "EgressPackets": "1",
        "Status": {"Code": "active"}}
    assert ipaddress.ip_address(connection["ClientIp"]) in ipaddress.ip_network(CLIENT_CIDR)
    assert connection["Timestamp"] and connection["ConnectionEstablishedTime"] and "ConnectionEndTime" not in connection


def test_the_connection_route_refuses_what_no_user_could_do(aws, ec2, server_cert):
    certificate_only = new_endpoint(ec2, server_cert)
    assert control_refusal(aws.seed_client_vpn_connection, REGION, certificate_only, "bob", username="bob") == 400
    unassociated = new_endpoint(ec2, server_cert, associate=False)
    assert control_refusal(aws.seed_client_vpn_connection, REGION, unassociated, "bob") == 400
    assert control_refusal(aws.seed_client_vpn_connection, REGION, "cvpn-endpoint-0123456789abcdef0", "bob") == 404


def test_describe_connections_filters_and_pages(aws, ec2, server_cert):
    endpoint_id = new_endpoint(ec2, server_cert, directory=True)
    ids = [aws.seed_client_vpn_connection(REGION, endpoint_id, f"user{i}", username=f"user{i % 2}") for i in range(7)]
    seen, token = [], None
    while True:
        page = ec2.describe_client_vpn_connections(ClientVpnEndpointId=endpoint_id, MaxResults=5,
                                                   **({"NextToken": token} if token else {}))
        assert len(page["Connections"]) <= 5
        seen += [c["ConnectionId"] for c in page["Connections"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == ids
    assert list(connections(ec2, endpoint_id, Filters=[{"Name": "connection-id", "Values": [ids[3]]}])) == [ids[3]]
    assert list(connections(ec2, endpoint_id, Filters=[{"Name": "username", "Values": ["user1"]}])) == ids[1::2]
    unchecked = aws.client("ec2", REGION, config=Config(parameter_validation=False))  # boto3 checks MaxResults too
    for size in (4, 1001):
        assert error_code(unchecked.describe_client_vpn_connections, ClientVpnEndpointId=endpoint_id,
                          MaxResults=size) == "InvalidParameterValue"
    assert error_code(ec2.describe_client_vpn_connections, ClientVpnEndpointId=endpoint_id,
                      Filters=[{"Name": "common-name", "Values": ["x"]}]) == "InvalidParameterValue"
    assert error_code(ec2.describe_client_vpn_connections,
                      ClientVpnEndpointId="cvpn-endpoint-0123456789abcdef0") == "InvalidClientVpnEndpointId.NotFound"


def test_a_terminated_connection_is_terminating_then_terminated(aws, ec2, server_cert):
    endpoint_id = new_endpoint(ec2, server_cert)
    connection_id = aws.seed_client_vpn_connection(REGION, endpoint_id, "laptop-7", client_ip="10.210.0.77")
    other = aws.seed_client_vpn_connection(REGION, endpoint_id, "laptop-8")
    answer = ec2.terminate_client_vpn_connections(ClientVpnEndpointId=endpoint_id, ConnectionId=connection_id)
    assert answer["ClientVpnEndpointId"] == endpoint_id and "Username" not in answer
    assert answer["ConnectionStatuses"] == [{"ConnectionId": connection_id, "PreviousStatus": {"Code": "active"},
                                             "CurrentStatus": {"Code": "terminating"}}]
    found = connections(ec2, endpoint_id)
    assert found[connection_id]["Status"] == {"Code": "terminated"} and found[connection_id]["ClientIp"] == "10.210.0.77"
    assert found[connection_id]["ConnectionEndTime"] and found[other]["Status"] == {"Code": "active"}
    again = ec2.terminate_client_vpn_connections(ClientVpnEndpointId=endpoint_id, ConnectionId=connection_id)
    assert again["ConnectionStatuses"][0]["PreviousStatus"] == {"Code": "terminated"}


def test_terminate_by_username_ends_that_users_active_connections(aws, ec2, server_cert):
    endpoint_id = new_endpoint(ec2, server_cert, directory=True)
    carol = [aws.seed_client_vpn_connection(REGION, endpoint_id, "carol", username="carol") for _ in range(2)]
    dave = aws.seed_client_vpn_connection(REGION, endpoint_id, "dave", username="dave")
    answer = ec2.terminate_client_vpn_connections(ClientVpnEndpointId=endpoint_id, Username="carol")
    assert answer["Username"] == "carol"
    assert [s["ConnectionId"] for s in answer["ConnectionStatuses"]] == carol
    assert {c: s["Status"]["Code"] for c, s in connections(ec2, endpoint_id).items()} == {
        carol[0]: "terminated", carol[1]: "terminated", dave: "active"}
    assert error_code(ec2.terminate_client_vpn_connections, ClientVpnEndpointId=endpoint_id, Username="carol") == (
        "InvalidClientVpnConnection.UserNotFound")


def test_terminate_errors(aws, ec2, server_cert):
    endpoint_id = new_endpoint(ec2, server_cert, directory=True)
    busy = [aws.seed_client_vpn_connection(REGION, endpoint_id, "erin", username="erin") for _ in range(6)]

    def code(**kwargs) -> str:
        return error_code(ec2.terminate_client_vpn_connections, **{"ClientVpnEndpointId": endpoint_id, **kwargs})

    assert code() == "MissingParameter"
    assert code(ConnectionId=busy[0], Username="erin") == "InvalidParameterCombination"
    assert code(ConnectionId="cvpn-connection-0123456789abcdef0") == "InvalidClientVpnConnection.IdNotFound"
    assert code(Username="nobody") == "InvalidClientVpnConnection.UserNotFound"
    assert code(Username="erin") == "InvalidParameterValue"  # more than five connections
    assert code(ClientVpnEndpointId="cvpn-endpoint-0123456789abcdef0", ConnectionId=busy[0]) == (
        "InvalidClientVpnEndpointId.NotFound")
