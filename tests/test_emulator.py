"""Conformance of the local AWS emulator: each added or corrected EC2 action, called
through boto3 as the provider calls it, on its happy path and with AWS's error codes."""

from __future__ import annotations

import ipaddress
import xml.etree.ElementTree as ET

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from vpn_schema.pki_layout import CERTIFICATE_FILE, CHAIN_FILE, PRIVATE_KEY_FILE
from vpnctl.emulator_process import LocalAws
from vpnctl.pki.throwaway import ensure_dev_pki

pytestmark = pytest.mark.emulator

ACCOUNT, REGION = "111111111111", "eu-central-1"
VPC, VPC_CIDR = "vpc-0e1e2e3e4e5e6e7e8", "10.30.0.0/16"
SUBNET_A, SUBNET_B, SUBNET_A2 = "subnet-0e0000000000000a1", "subnet-0e0000000000000b1", "subnet-0e0000000000000a2"
TABLE = "rtb-0e0000000000000a1"


def error_code(call, *args, **kwargs) -> str:
    with pytest.raises(ClientError) as caught:
        call(*args, **kwargs)
    return caught.value.response["Error"]["Code"]


@pytest.fixture(scope="module")
def aws(tmp_path_factory):
    with LocalAws(ACCOUNT, log_file=tmp_path_factory.mktemp("emulator") / "emulator.log") as server:
        server.post(
            "/_vpn_emulator/seed",
            {
                "region": REGION,
                "vpcs": [
                    {
                        "id": VPC,
                        "cidr": VPC_CIDR,
                        "subnets": [
                            {"id": SUBNET_A, "cidr": "10.30.0.0/24", "availability_zone": "eu-central-1a"},
                            {"id": SUBNET_B, "cidr": "10.30.1.0/24", "availability_zone": "eu-central-1b"},
                            {"id": SUBNET_A2, "cidr": "10.30.2.0/24", "availability_zone": "eu-central-1a"},
                        ],
                        "route_tables": [{"id": TABLE, "subnet_ids": [SUBNET_A]}],
                    }
                ],
                "transit_gateways": [{"id": "tgw-0e1e2e3e4e5e6e7e8", "route_table_ids": ["tgw-rtb-0e1e2e3e4e5e6e7e8"]}],
            },
        )
        yield server


@pytest.fixture(scope="module")
def ec2(aws):
    return aws.client("ec2", REGION)


@pytest.fixture(scope="module")
def server_cert(aws, tmp_path_factory) -> str:
    folder = ensure_dev_pki(tmp_path_factory.mktemp("pki"), "conformance")
    return aws.client("acm", REGION).import_certificate(
        Certificate=(folder / CERTIFICATE_FILE).read_bytes(),
        PrivateKey=(folder / PRIVATE_KEY_FILE).read_bytes(),
        CertificateChain=(folder / CHAIN_FILE).read_bytes(),
    )["CertificateArn"]


def new_endpoint(ec2, server_cert, **extra) -> str:
    params = {
        "ClientCidrBlock": "10.200.0.0/22",
        "ServerCertificateArn": server_cert,
        "AuthenticationOptions": [
            {"Type": "certificate-authentication", "MutualAuthentication": {"ClientRootCertificateChainArn": server_cert}}
        ],
        "ConnectionLogOptions": {"Enabled": False},
        **extra,
    }
    return ec2.create_client_vpn_endpoint(**params)["ClientVpnEndpointId"]


# ---- seeding -------------------------------------------------------------------------


def test_seeding_creates_the_network_under_the_config_ids(ec2):
    assert ec2.describe_vpcs(VpcIds=[VPC])["Vpcs"][0]["CidrBlock"] == VPC_CIDR
    subnets = {s["SubnetId"]: s["AvailabilityZone"] for s in ec2.describe_subnets(SubnetIds=[SUBNET_A, SUBNET_B])["Subnets"]}
    assert subnets == {SUBNET_A: "eu-central-1a", SUBNET_B: "eu-central-1b"}
    assert ec2.describe_route_tables(RouteTableIds=[TABLE])["RouteTables"][0]["VpcId"] == VPC
    assert ec2.describe_transit_gateways(TransitGatewayIds=["tgw-0e1e2e3e4e5e6e7e8"])["TransitGateways"]


# ---- Client VPN endpoints --------------------------------------------------------------


def test_create_and_describe_endpoint_round_trip(ec2, server_cert):
    endpoint_id = new_endpoint(
        ec2, server_cert, VpnPort=1194, TransportProtocol="udp", SplitTunnel=True, DnsServers=["10.30.0.2"],
        SessionTimeoutHours=12, Description="conformance",
        TagSpecifications=[{"ResourceType": "client-vpn-endpoint", "Tags": [{"Key": "Name", "Value": "c1"}]}],
    )
    (endpoint,) = ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint_id])["ClientVpnEndpoints"]
    assert endpoint["Status"]["Code"] == "pending-associate"
    assert endpoint["ClientCidrBlock"] == "10.200.0.0/22"
    assert endpoint["VpnPort"] == 1194 and endpoint["SplitTunnel"] is True and endpoint["SessionTimeoutHours"] == 12
    assert endpoint["DnsServers"] == ["10.30.0.2"]
    assert endpoint["DnsName"] == f"*.{endpoint_id}.prod.clientvpn.{REGION}.amazonaws.com"
    assert endpoint["AuthenticationOptions"][0]["MutualAuthentication"]["ClientRootCertificateChain"] == server_cert
    assert endpoint["Tags"] == [{"Key": "Name", "Value": "c1"}]


@pytest.mark.parametrize("cidr", ["10.200.0.0/23", "10.200.0.0/11", "not-a-cidr"])
def test_create_endpoint_refuses_a_client_cidr_outside_12_to_22(ec2, server_cert, cidr):
    assert error_code(new_endpoint, ec2, server_cert, ClientCidrBlock=cidr) == "InvalidParameterValue"


def test_create_endpoint_refuses_an_unknown_certificate(ec2, server_cert):
    missing = server_cert.rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
    assert error_code(new_endpoint, ec2, missing) == "InvalidParameterValue"


def test_describe_unknown_endpoint_is_not_found(ec2):
    code = error_code(ec2.describe_client_vpn_endpoints, ClientVpnEndpointIds=["cvpn-endpoint-0123456789abcdef0"])
    assert code == "InvalidClientVpnEndpointId.NotFound"


def test_describe_endpoints_filters_and_pages(ec2, server_cert):
    ids = {new_endpoint(ec2, server_cert, TransportProtocol="tcp") for _ in range(6)}
    seen, token = [], None
    while True:
        page = ec2.describe_client_vpn_endpoints(
            MaxResults=5, Filters=[{"Name": "transport-protocol", "Values": ["tcp"]}], **({"NextToken": token} if token else {})
        )
        assert len(page["ClientVpnEndpoints"]) <= 5
        seen += [e["ClientVpnEndpointId"] for e in page["ClientVpnEndpoints"]]
        token = page.get("NextToken")
        if not token:
            break
    assert ids <= set(seen) and len(seen) == len(set(seen))
    assert error_code(ec2.describe_client_vpn_endpoints, NextToken="not-a-token") == "InvalidParameterValue"


def test_modify_endpoint(ec2, server_cert):
    endpoint_id = new_endpoint(ec2, server_cert)
    ec2.modify_client_vpn_endpoint(
        ClientVpnEndpointId=endpoint_id, DnsServers={"CustomDnsServers": ["10.30.0.2"], "Enabled": True},
        SessionTimeoutHours=8, Description="changed",
    )
    (endpoint,) = ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint_id])["ClientVpnEndpoints"]
    assert (endpoint["DnsServers"], endpoint["SessionTimeoutHours"], endpoint["Description"]) == (["10.30.0.2"], 8, "changed")
    assert error_code(ec2.modify_client_vpn_endpoint, ClientVpnEndpointId=endpoint_id, VpnPort=8443) == "InvalidParameterValue"


# ---- target networks, security groups ------------------------------------------------------


def test_associate_describe_disassociate_and_delete(ec2, server_cert):
    endpoint_id = new_endpoint(ec2, server_cert)
    association = ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, SubnetId=SUBNET_A)
    assert association["Status"]["Code"] == "associating"
    networks = ec2.describe_client_vpn_target_networks(
        ClientVpnEndpointId=endpoint_id, Filters=[{"Name": "target-network-id", "Values": [SUBNET_A]}]
    )["ClientVpnTargetNetworks"]
    assert [(n["AssociationId"], n["Status"]["Code"], n["VpcId"]) for n in networks] == [
        (association["AssociationId"], "associated", VPC)
    ]
    (endpoint,) = ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[endpoint_id])["ClientVpnEndpoints"]
    assert endpoint["Status"]["Code"] == "available"
    # The association adds the route to the VPC, as AWS does.
    routes = ec2.describe_client_vpn_routes(ClientVpnEndpointId=endpoint_id)["Routes"]
    assert [(r["DestinationCidr"], r["Origin"]) for r in routes] == [(VPC_CIDR, "associate")]
    assert error_code(ec2.delete_client_vpn_endpoint, ClientVpnEndpointId=endpoint_id) == "IncorrectState"
    gone = ec2.disassociate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, AssociationId=association["AssociationId"])
    assert gone["Status"]["Code"] == "disassociating"
    assert ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=endpoint_id)["ClientVpnTargetNetworks"] == []
    assert ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=endpoint_id)["Status"]["Code"] == "deleting"
    code = error_code(ec2.describe_client_vpn_endpoints, ClientVpnEndpointIds=[endpoint_id])
    assert code == "InvalidClientVpnEndpointId.NotFound"


def test_association_errors(ec2, server_cert):
    endpoint_id = new_endpoint(ec2, server_cert)
    ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, SubnetId=SUBNET_A)
    assert error_code(ec2.associate_client_vpn_target_network, ClientVpnEndpointId=endpoint_id, SubnetId=SUBNET_A) == (
        "InvalidClientVpnDuplicateAssociationException"
    )
    assert error_code(ec2.associate_client_vpn_target_network, ClientVpnEndpointId=endpoint_id, SubnetId=SUBNET_A2) == (
        "InvalidClientVpnSubnetId.DuplicateAz"
    )
    assert error_code(
        ec2.associate_client_vpn_target_network, ClientVpnEndpointId=endpoint_id, SubnetId="subnet-0fffffffffffffff0"
    ) == "InvalidClientVpnSubnetId.NotFound"
    other_vpc = ec2.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    elsewhere = ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.77.0.0/24", AvailabilityZone="eu-central-1c")
    assert error_code(ec2.associate_client_vpn_target_network, ClientVpnEndpointId=endpoint_id,
                      SubnetId=elsewhere["Subnet"]["SubnetId"]) == "InvalidClientVpnSubnetId.NotFound"
    assert error_code(
        ec2.disassociate_client_vpn_target_network, ClientVpnEndpointId=endpoint_id, AssociationId="cvpn-assoc-0000000000000000"
    ) == "InvalidClientVpnAssociationIdNotFound"


def test_apply_security_groups(ec2, server_cert):
    group = ec2.create_security_group(GroupName="cvpn-conformance", Description="x", VpcId=VPC)["GroupId"]
    endpoint_id = new_endpoint(ec2, server_cert)
    ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, SubnetId=SUBNET_B)
    applied = ec2.apply_security_groups_to_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, VpcId=VPC, SecurityGroupIds=[group])
    assert applied["SecurityGroupIds"] == [group]
    (network,) = ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=endpoint_id)["ClientVpnTargetNetworks"]
    assert network["SecurityGroups"] == [group]
    assert error_code(
        ec2.apply_security_groups_to_client_vpn_target_network,
        ClientVpnEndpointId=endpoint_id, VpcId=VPC, SecurityGroupIds=["sg-0fffffffffffffff0"],
    ) == "InvalidSecurityGroupID.NotFound"


# ---- authorization rules and routes -----------------------------------------------------------


def test_authorization_rules(ec2, server_cert):
    endpoint_id = new_endpoint(ec2, server_cert)
    status = ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="10.30.0.0/16", AuthorizeAllGroups=True)
    assert status["Status"]["Code"] == "authorizing"
    for n in range(6):
        ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=endpoint_id, TargetNetworkCidr=f"10.40.{n}.0/24", AccessGroupId=f"team-{n}")
    assert error_code(
        ec2.authorize_client_vpn_ingress, ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="10.30.0.0/16", AuthorizeAllGroups=True
    ) == "InvalidClientVpnDuplicateAuthorizationRule"
    rules = ec2.describe_client_vpn_authorization_rules(
        ClientVpnEndpointId=endpoint_id, Filters=[{"Name": "group-id", "Values": ["team-3"]}]
    )["AuthorizationRules"]
    assert [(r["DestinationCidr"], r["GroupId"], r["Status"]["Code"]) for r in rules] == [("10.40.3.0/24", "team-3", "active")]
    first = ec2.describe_client_vpn_authorization_rules(ClientVpnEndpointId=endpoint_id, MaxResults=5)
    second = ec2.describe_client_vpn_authorization_rules(ClientVpnEndpointId=endpoint_id, NextToken=first["NextToken"])
    assert len(first["AuthorizationRules"]) + len(second["AuthorizationRules"]) == 7
    ec2.revoke_client_vpn_ingress(ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="10.40.3.0/24", AccessGroupId="team-3")
    assert error_code(
        ec2.revoke_client_vpn_ingress, ClientVpnEndpointId=endpoint_id, TargetNetworkCidr="10.40.3.0/24", AccessGroupId="team-3"
    ) == "InvalidClientVpnEndpointAuthorizationRuleNotFound"


def test_a_retried_request_with_its_client_token_succeeds_without_doing_it_again(ec2, server_cert):
    """AWS's EC2 guide: same client token and parameters, no second rule; other parameters, a mismatch."""
    endpoint_id = new_endpoint(ec2, server_cert)
    call = {"ClientVpnEndpointId": endpoint_id, "TargetNetworkCidr": "10.30.0.0/16", "AuthorizeAllGroups": True,
            "ClientToken": "retried-by-the-sdk"}
    ec2.authorize_client_vpn_ingress(**call)
    assert ec2.authorize_client_vpn_ingress(**call)["Status"]["Code"] == "authorizing"
    rules = ec2.describe_client_vpn_authorization_rules(ClientVpnEndpointId=endpoint_id)["AuthorizationRules"]
    assert [r["DestinationCidr"] for r in rules] == ["10.30.0.0/16"]
    assert error_code(ec2.authorize_client_vpn_ingress, **{**call, "TargetNetworkCidr": "10.31.0.0/16"}) == (
        "IdempotentParameterMismatch")


def test_routes(ec2, server_cert):
    endpoint_id = new_endpoint(ec2, server_cert)
    assert error_code(
        ec2.create_client_vpn_route, ClientVpnEndpointId=endpoint_id, DestinationCidrBlock="192.168.50.0/24", TargetVpcSubnetId=SUBNET_A
    ) == "InvalidClientVpnActiveAssociationNotFound"
    ec2.associate_client_vpn_target_network(ClientVpnEndpointId=endpoint_id, SubnetId=SUBNET_A)
    created = ec2.create_client_vpn_route(
        ClientVpnEndpointId=endpoint_id, DestinationCidrBlock="192.168.50.0/24", TargetVpcSubnetId=SUBNET_A, Description="lab"
    )
    assert created["Status"]["Code"] == "creating"
    routes = ec2.describe_client_vpn_routes(
        ClientVpnEndpointId=endpoint_id, Filters=[{"Name": "destination-cidr", "Values": ["192.168.50.0/24"]}]
    )["Routes"]
    assert [(r["TargetSubnet"], r["Origin"], r["Status"]["Code"], r["Description"]) for r in routes] == [
        (SUBNET_A, "add-route", "active", "lab")
    ]
    assert error_code(
        ec2.create_client_vpn_route, ClientVpnEndpointId=endpoint_id, DestinationCidrBlock="192.168.50.0/24", TargetVpcSubnetId=SUBNET_A
    ) == "InvalidClientVpnDuplicateRoute"
    ec2.delete_client_vpn_route(ClientVpnEndpointId=endpoint_id, DestinationCidrBlock="192.168.50.0/24", TargetVpcSubnetId=SUBNET_A)
    assert error_code(
        ec2.delete_client_vpn_route, ClientVpnEndpointId=endpoint_id, DestinationCidrBlock="192.168.50.0/24", TargetVpcSubnetId=SUBNET_A
    ) == "InvalidClientVpnRouteNotFound"


# ---- client configuration and revocation ---------------------------------------------------------


def test_export_client_configuration_is_an_openvpn_profile(ec2, server_cert, aws):
    endpoint_id = new_endpoint(ec2, server_cert, VpnPort=443, TransportProtocol="tcp")
    profile = ec2.export_client_vpn_client_configuration(ClientVpnEndpointId=endpoint_id)["ClientConfiguration"]
    lines = profile.splitlines()
    assert lines[0] == "client" and "dev tun" in lines and "proto tcp" in lines
    assert f"remote {endpoint_id}.prod.clientvpn.{REGION}.amazonaws.com 443" in lines
    assert "remote-cert-tls server" in lines
    chain = aws.client("acm", REGION).get_certificate(CertificateArn=server_cert)["CertificateChain"]
    first_ca = x509.load_pem_x509_certificates(chain.encode())[0]
    ca_block = profile.split("<ca>\n", 1)[1].split("</ca>", 1)[0]
    assert first_ca in x509.load_pem_x509_certificates(ca_block.encode())
    assert "<cert>" not in profile and "<key>" not in profile


def _crl() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "conformance CA")])
    import datetime as dt

    now = dt.datetime.now(dt.UTC)
    revoked = x509.RevokedCertificateBuilder().serial_number(42).revocation_date(now).build()
    crl = (
        x509.CertificateRevocationListBuilder().issuer_name(name).last_update(now).next_update(now + dt.timedelta(days=1))
        .add_revoked_certificate(revoked).sign(key, hashes.SHA256())
    )
    return crl.public_bytes(serialization.Encoding.PEM).decode()


def test_import_and_export_revocation_list(ec2, server_cert):
    endpoint_id = new_endpoint(ec2, server_cert)
    before = ec2.export_client_vpn_client_certificate_revocation_list(ClientVpnEndpointId=endpoint_id)
    assert before["Status"]["Code"] == "pending" and not before.get("CertificateRevocationList")
    crl = _crl()
    assert ec2.import_client_vpn_client_certificate_revocation_list(ClientVpnEndpointId=endpoint_id, CertificateRevocationList=crl)["Return"]
    after = ec2.export_client_vpn_client_certificate_revocation_list(ClientVpnEndpointId=endpoint_id)
    assert after["Status"]["Code"] == "active"
    assert x509.load_pem_x509_crl(after["CertificateRevocationList"].encode()).get_revoked_certificate_by_serial_number(42)
    assert error_code(
        ec2.import_client_vpn_client_certificate_revocation_list, ClientVpnEndpointId=endpoint_id, CertificateRevocationList="not a CRL"
    ) == "InvalidParameterValue"


# ---- Site-to-Site ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gateways(ec2):
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpcId=VPC, VpnGatewayId=vgw)
    cgw = ec2.create_customer_gateway(
        Type="ipsec.1", IpAddress="203.0.113.10", BgpAsn=65010, DeviceName="Cisco ASR 1001-X"
    )["CustomerGateway"]
    return {"vgw": vgw, "cgw": cgw["CustomerGatewayId"], "cgw_body": cgw}


TUNNEL_OPTIONS = [
    {"TunnelInsideCidr": "169.254.10.0/30", "DPDTimeoutSeconds": 30, "DPDTimeoutAction": "restart", "IKEVersions": [{"Value": "ikev2"}],
     "Phase1EncryptionAlgorithms": [{"Value": "AES256-GCM-16"}], "Phase1DHGroupNumbers": [{"Value": 20}], "StartupAction": "start"},
    {"TunnelInsideCidr": "169.254.10.4/30", "PreSharedKey": "Known_key_for.tunnel2"},
]


def new_connection(ec2, gateways, **extra) -> dict:
    params = {"Type": "ipsec.1", "CustomerGatewayId": gateways["cgw"], "VpnGatewayId": gateways["vgw"], **extra}
    return ec2.create_vpn_connection(**params)["VpnConnection"]


def test_create_vpn_connection_repeated_returns_the_same_connection_until_it_is_deleted(ec2, gateways):
    """CreateVpnConnection is idempotent by default (AWS's EC2 guide): a retry creates nothing more."""
    cgw = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="203.0.113.99", BgpAsn=65099)["CustomerGateway"]
    first = new_connection(ec2, {**gateways, "cgw": cgw["CustomerGatewayId"]})
    again = new_connection(ec2, {**gateways, "cgw": cgw["CustomerGatewayId"]})
    assert again["VpnConnectionId"] == first["VpnConnectionId"]
    mine = [c for c in ec2.describe_vpn_connections()["VpnConnections"]
            if c["CustomerGatewayId"] == cgw["CustomerGatewayId"] and c["State"] != "deleted"]
    assert len(mine) == 1
    ec2.delete_vpn_connection(VpnConnectionId=first["VpnConnectionId"])
    anew = new_connection(ec2, {**gateways, "cgw": cgw["CustomerGatewayId"]})
    assert anew["VpnConnectionId"] != first["VpnConnectionId"]
    ec2.delete_vpn_connection(VpnConnectionId=anew["VpnConnectionId"])


def test_customer_gateway_keeps_device_name_certificate_and_extended_asn(ec2, gateways):
    assert gateways["cgw_body"]["DeviceName"] == "Cisco ASR 1001-X"
    big = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="192.0.2.50", BgpAsnExtended=4200000101)["CustomerGateway"]
    largest = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="192.0.2.52", BgpAsnExtended=4294967295)
    assert largest["CustomerGateway"]["BgpAsnExtended"] == "4294967295", "AWS's range ends at 4,294,967,295"
    (described,) = ec2.describe_customer_gateways(CustomerGatewayIds=[big["CustomerGatewayId"]])["CustomerGateways"]
    assert described["BgpAsnExtended"] == "4200000101"
    assert error_code(ec2.create_customer_gateway, Type="ipsec.1", IpAddress="192.0.2.51", BgpAsn=65000, BgpAsnExtended=4200000101) == (
        "InvalidParameterValue"
    )


def test_connection_keeps_its_options_and_tunnels(ec2, gateways):
    created = new_connection(ec2, gateways, Options={"StaticRoutesOnly": False, "TunnelOptions": TUNNEL_OPTIONS})
    (connection,) = ec2.describe_vpn_connections(VpnConnectionIds=[created["VpnConnectionId"]])["VpnConnections"]
    assert connection["State"] == "available"
    one, two = connection["Options"]["TunnelOptions"]
    assert one["TunnelInsideCidr"] == "169.254.10.0/30" and one["DpdTimeoutSeconds"] == 30 and one["DpdTimeoutAction"] == "restart"
    assert one["IkeVersions"] == [{"Value": "ikev2"}] and one["Phase1DHGroupNumbers"] == [{"Value": 20}]
    assert two["PreSharedKey"] == "Known_key_for.tunnel2"
    outside = [t["OutsideIpAddress"] for t in connection["VgwTelemetry"]]
    assert len(set(outside)) == 2
    assert all(ipaddress.ip_address(ip) in ipaddress.ip_network("198.18.0.0/15") for ip in outside)
    assert outside == [one["OutsideIpAddress"], two["OutsideIpAddress"]]
    document = ET.fromstring(connection["CustomerGatewayConfiguration"])
    tunnels = document.findall("ipsec_tunnel")
    assert [t.findtext("vpn_gateway/tunnel_outside_address/ip_address") for t in tunnels] == outside
    assert [t.findtext("customer_gateway/tunnel_inside_address/ip_address") for t in tunnels] == ["169.254.10.2", "169.254.10.6"]
    assert tunnels[1].findtext("ike/pre_shared_key") == "Known_key_for.tunnel2"
    assert tunnels[0].findtext("customer_gateway/bgp/asn") == "65010"


def test_connection_refuses_bad_tunnel_options(ec2, gateways):
    for bad in ({"TunnelInsideCidr": "169.254.169.252/30"}, {"TunnelInsideCidr": "10.0.0.0/30"}, {"PreSharedKey": "0starts-badly"},
                {"DPDTimeoutSeconds": 10}):
        assert error_code(new_connection, ec2, gateways, Options={"TunnelOptions": [bad]}) == "InvalidParameterValue", bad
    assert error_code(new_connection, ec2, gateways, VpnGatewayId="vgw-0fffffffffffffff0") == "InvalidVpnGatewayID.NotFound"
    taken = {"TunnelInsideCidr": "169.254.12.0/30"}
    new_connection(ec2, gateways, Options={"TunnelOptions": [taken]})
    # Another site on the same gateway (an identical request would be a retry, which AWS answers as the first)
    other = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="203.0.113.12", BgpAsn=65012)["CustomerGateway"]
    assert error_code(new_connection, ec2, {**gateways, "cgw": other["CustomerGatewayId"]},
                      Options={"TunnelOptions": [taken]}) == "InvalidCidr.InUse"


def test_key_stored_in_secrets_manager(ec2, gateways, aws):
    created = new_connection(ec2, gateways, PreSharedKeyStorage="SecretsManager")
    (connection,) = ec2.describe_vpn_connections(VpnConnectionIds=[created["VpnConnectionId"]])["VpnConnections"]
    arn = connection["PreSharedKeyArn"]
    assert aws.client("secretsmanager", REGION).describe_secret(SecretId=arn)["ARN"] == arn
    assert all("PreSharedKey" not in t for t in connection["Options"]["TunnelOptions"])
    keys = [t.findtext("ike/pre_shared_key") for t in ET.fromstring(connection["CustomerGatewayConfiguration"]).findall("ipsec_tunnel")]
    assert keys == ["REDACTED", "REDACTED"]


def test_modify_connection_moves_it_to_another_customer_gateway_keeping_outside_ips(ec2, gateways):
    created = new_connection(ec2, gateways)
    ec2.describe_vpn_connections(VpnConnectionIds=[created["VpnConnectionId"]])
    other = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="203.0.113.99", BgpAsn=65010)["CustomerGateway"]["CustomerGatewayId"]
    moved = ec2.modify_vpn_connection(VpnConnectionId=created["VpnConnectionId"], CustomerGatewayId=other)["VpnConnection"]
    assert moved["CustomerGatewayId"] == other
    assert [t["OutsideIpAddress"] for t in moved["VgwTelemetry"]] == [t["OutsideIpAddress"] for t in created["VgwTelemetry"]]
    assert error_code(ec2.modify_vpn_connection, VpnConnectionId="vpn-0fffffffffffffff0", CustomerGatewayId=other) == (
        "InvalidVpnConnectionID.NotFound"
    )


def test_modify_tunnel_options_and_connection_options(ec2, gateways):
    options = [{**TUNNEL_OPTIONS[0], "TunnelInsideCidr": "169.254.11.0/30"}, {"TunnelInsideCidr": "169.254.11.4/30"}]
    created = new_connection(ec2, gateways, Options={"TunnelOptions": options})
    connection_id = created["VpnConnectionId"]
    outside = created["Options"]["TunnelOptions"][0]["OutsideIpAddress"]
    changed = ec2.modify_vpn_tunnel_options(
        VpnConnectionId=connection_id, VpnTunnelOutsideIpAddress=outside, TunnelOptions={"DPDTimeoutSeconds": 45}
    )["VpnConnection"]
    assert changed["Options"]["TunnelOptions"][0]["DpdTimeoutSeconds"] == 45
    assert error_code(
        ec2.modify_vpn_tunnel_options, VpnConnectionId=connection_id, VpnTunnelOutsideIpAddress="198.19.255.1",
        TunnelOptions={"DPDTimeoutSeconds": 45},
    ) == "InvalidParameterValue"
    options = ec2.modify_vpn_connection_options(VpnConnectionId=connection_id, LocalIpv4NetworkCidr="192.168.0.0/16")["VpnConnection"]
    assert options["Options"]["LocalIpv4NetworkCidr"] == "192.168.0.0/16"
    assert error_code(ec2.modify_vpn_connection_options, VpnConnectionId=connection_id, LocalIpv4NetworkCidr="nope") == (
        "InvalidParameterValue"
    )


def test_static_routes(ec2, gateways):
    static = new_connection(ec2, gateways, Options={"StaticRoutesOnly": True})["VpnConnectionId"]
    ec2.create_vpn_connection_route(VpnConnectionId=static, DestinationCidrBlock="192.168.50.0/24")
    (connection,) = ec2.describe_vpn_connections(VpnConnectionIds=[static])["VpnConnections"]
    assert connection["Routes"] == [{"DestinationCidrBlock": "192.168.50.0/24", "Source": "Static", "State": "available"}]
    dynamic = new_connection(ec2, gateways)["VpnConnectionId"]
    assert error_code(ec2.create_vpn_connection_route, VpnConnectionId=dynamic, DestinationCidrBlock="192.168.50.0/24") == (
        "InvalidVpnConnection.InvalidType"
    )
    ec2.delete_vpn_connection_route(VpnConnectionId=static, DestinationCidrBlock="192.168.50.0/24")
    assert error_code(ec2.delete_vpn_connection_route, VpnConnectionId=static, DestinationCidrBlock="192.168.50.0/24") == (
        "InvalidRoute.NotFound"
    )


def test_route_propagation(ec2, gateways):
    ec2.enable_vgw_route_propagation(GatewayId=gateways["vgw"], RouteTableId=TABLE)
    (table,) = ec2.describe_route_tables(RouteTableIds=[TABLE])["RouteTables"]
    assert table["PropagatingVgws"] == [{"GatewayId": gateways["vgw"]}]
    ec2.disable_vgw_route_propagation(GatewayId=gateways["vgw"], RouteTableId=TABLE)
    (table,) = ec2.describe_route_tables(RouteTableIds=[TABLE])["RouteTables"]
    assert table.get("PropagatingVgws", []) == []
    detached = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    assert error_code(ec2.enable_vgw_route_propagation, GatewayId=detached, RouteTableId=TABLE) == "Gateway.NotAttached"


def test_a_customer_gateway_with_the_amazon_side_asn_is_refused_on_its_virtual_private_gateway(ec2, gateways):
    same = ec2.create_customer_gateway(Type="ipsec.1", IpAddress="203.0.113.99", BgpAsn=64512)["CustomerGateway"]
    assert error_code(ec2.create_vpn_connection, Type="ipsec.1", CustomerGatewayId=same["CustomerGatewayId"],
                      VpnGatewayId=gateways["vgw"]) == "AsnConflict"


def test_more_than_50_tags_on_a_resource_are_refused(ec2):
    tags = [{"Key": f"t{n}", "Value": "x"} for n in range(51)]
    assert error_code(ec2.create_customer_gateway, Type="ipsec.1", IpAddress="203.0.113.98", BgpAsn=65098,
                      TagSpecifications=[{"ResourceType": "customer-gateway", "Tags": tags}]) == "TagLimitExceeded"


def test_a_vpc_takes_one_virtual_private_gateway_at_a_time(ec2, gateways):
    """As AWS answers a second stack's gateway for the same VPC: InvalidVpcState."""
    second = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    assert error_code(ec2.attach_vpn_gateway, VpcId=VPC, VpnGatewayId=second) == "InvalidVpcState"
    ec2.detach_vpn_gateway(VpcId=VPC, VpnGatewayId=gateways["vgw"])
    assert ec2.attach_vpn_gateway(VpcId=VPC, VpnGatewayId=second)["VpcAttachment"]["State"] == "attached"
    ec2.detach_vpn_gateway(VpcId=VPC, VpnGatewayId=second)
    ec2.attach_vpn_gateway(VpcId=VPC, VpnGatewayId=gateways["vgw"])


def test_transit_gateway_connection_is_associated_with_the_default_table_and_can_be_moved(ec2, gateways):
    tgw = "tgw-0e1e2e3e4e5e6e7e8"
    created = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=gateways["cgw"], TransitGatewayId=tgw)["VpnConnection"]
    (attachment,) = ec2.describe_transit_gateway_attachments(
        Filters=[{"Name": "resource-id", "Values": [created["VpnConnectionId"]]}]
    )["TransitGatewayAttachments"]
    default_table = ec2.describe_transit_gateways(TransitGatewayIds=[tgw])["TransitGateways"][0]["Options"]["AssociationDefaultRouteTableId"]
    assert attachment["Association"]["TransitGatewayRouteTableId"] == default_table
    ec2.disassociate_transit_gateway_route_table(TransitGatewayRouteTableId=default_table, TransitGatewayAttachmentId=attachment["TransitGatewayAttachmentId"])
    ec2.associate_transit_gateway_route_table(
        TransitGatewayRouteTableId="tgw-rtb-0e1e2e3e4e5e6e7e8", TransitGatewayAttachmentId=attachment["TransitGatewayAttachmentId"]
    )
    assert error_code(
        ec2.disassociate_transit_gateway_route_table, TransitGatewayRouteTableId=default_table,
        TransitGatewayAttachmentId=attachment["TransitGatewayAttachmentId"],
    ) == "InvalidAssociation.NotFound"


def test_a_static_transit_gateway_route_reads_back_with_its_attachment_and_state(ec2, gateways):
    """As the provider reads it back after creating it: else every plan replaces the route."""
    tgw, table = "tgw-0e1e2e3e4e5e6e7e8", "tgw-rtb-0e1e2e3e4e5e6e7e8"
    created = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=gateways["cgw"], TransitGatewayId=tgw)["VpnConnection"]
    (attachment,) = ec2.describe_transit_gateway_attachments(
        Filters=[{"Name": "resource-id", "Values": [created["VpnConnectionId"]]}])["TransitGatewayAttachments"]
    route = ec2.create_transit_gateway_route(DestinationCidrBlock="172.21.0.0/16", TransitGatewayRouteTableId=table,
                                             TransitGatewayAttachmentId=attachment["TransitGatewayAttachmentId"])["Route"]
    [found] = ec2.search_transit_gateway_routes(
        TransitGatewayRouteTableId=table, Filters=[{"Name": "route-search.exact-match", "Values": ["172.21.0.0/16"]},
                                                   {"Name": "type", "Values": ["static"]}])["Routes"]
    for answer in (route, found):
        assert answer["State"] == "active" and answer["Type"] == "static"
        assert answer["TransitGatewayAttachments"] == [{"ResourceId": created["VpnConnectionId"], "ResourceType": "vpn",
                                                        "TransitGatewayAttachmentId": attachment["TransitGatewayAttachmentId"]}]


def test_delete_connection_frees_it(ec2, gateways, aws):
    created = new_connection(ec2, gateways)
    ec2.delete_vpn_connection(VpnConnectionId=created["VpnConnectionId"])
    assert created["VpnConnectionId"] not in aws.resources(REGION)["vpn_connections"]
    assert error_code(ec2.delete_vpn_connection, VpnConnectionId=created["VpnConnectionId"]) == "InvalidVpnConnectionID.NotFound"


@pytest.mark.parametrize(
    "action",
    ["describe_client_vpn_target_networks", "describe_client_vpn_authorization_rules", "describe_client_vpn_routes",
     "export_client_vpn_client_configuration", "export_client_vpn_client_certificate_revocation_list"],
)
def test_endpoint_scoped_calls_on_an_unknown_endpoint_are_not_found(ec2, action):
    assert error_code(getattr(ec2, action), ClientVpnEndpointId="cvpn-endpoint-0123456789abcdef0") == (
        "InvalidClientVpnEndpointId.NotFound"
    )


def test_describe_unknown_connection_is_not_found(ec2):
    assert error_code(ec2.describe_vpn_connections, VpnConnectionIds=["vpn-0fffffffffffffff0"]) == "InvalidVpnConnectionID.NotFound"


def test_customer_gateway_with_a_certificate_needs_no_ip(ec2, server_cert):
    gateway = ec2.create_customer_gateway(Type="ipsec.1", CertificateArn=server_cert, BgpAsn=65020)["CustomerGateway"]
    (described,) = ec2.describe_customer_gateways(CustomerGatewayIds=[gateway["CustomerGatewayId"]])["CustomerGateways"]
    assert described["CertificateArn"] == server_cert
    assert error_code(ec2.create_customer_gateway, Type="ipsec.1", BgpAsn=65020) == "MissingParameter"


def test_security_group_rules_keep_the_description_and_owner_of_a_group_reference(ec2):
    group = ec2.create_security_group(GroupName="c2c-conformance", Description="x", VpcId=VPC)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group, "Description": "clients to clients"}]}]
    )
    (rule,) = [r for r in ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]
               if not r["IsEgress"]]
    assert (rule["Description"], rule["GroupOwnerId"], rule["ReferencedGroupInfo"]["GroupId"]) == ("clients to clients", ACCOUNT, group)
