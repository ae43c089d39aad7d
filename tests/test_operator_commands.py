"""`vpnctl import-crl`, `client-config` and `device-config` against the emulator, with resources
created through boto3 as a deploy leaves them (tagged `<env>-<name>`): the refusals, the file modes,
and where each pre-shared key comes from. The real deploy and real VPN software are in
test_client_profiles.py and test_device_tunnels.py."""

from __future__ import annotations

import json
import re
import stat
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ENVIRONMENTS, run_vpnctl
from vpnctl.device.strongswan import proposals
from vpnctl.emulator_process import LocalAws
from vpnctl.pki.store import Pki

pytestmark = pytest.mark.emulator

REGION = "eu-central-1"


@pytest.fixture(scope="module")
def aws(tmp_path_factory):
    with LocalAws("111111111111", log_file=tmp_path_factory.mktemp("emulator") / "emulator.log") as server:
        yield server


@pytest.fixture(scope="module")
def pki_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pki")
    pki = Pki(root, "dev")
    pki.init("server.dev.vpn.internal")
    for user in ("alice", "bob"):
        pki.issue(user)
    pki.revoke("bob")
    return root


def tag(resource_type: str, name: str) -> list[dict]:
    return [{"ResourceType": resource_type, "Tags": [{"Key": "Name", "Value": name}]}]


@pytest.fixture(scope="module")
def endpoint_id(aws, pki_root) -> str:
    folder = pki_root / "dev"
    arn = aws.client("acm", REGION).import_certificate(
        Certificate=(folder / "server.crt").read_bytes(), PrivateKey=(folder / "server.key").read_bytes(),
        CertificateChain=(folder / "ca.crt").read_bytes(),
    )["CertificateArn"]
    return aws.client("ec2", REGION).create_client_vpn_endpoint(
        ClientCidrBlock="10.110.0.0/22", ServerCertificateArn=arn, TransportProtocol="udp", VpnPort=1194,
        AuthenticationOptions=[{"Type": "certificate-authentication",
                                "MutualAuthentication": {"ClientRootCertificateChainArn": arn}}],
        ConnectionLogOptions={"Enabled": False}, TagSpecifications=tag("client-vpn-endpoint", "dev-developers"),
    )["ClientVpnEndpointId"]


COMPATIBLE = {"IKEVersions": [{"Value": "ikev2"}], "Phase1EncryptionAlgorithms": [{"Value": "AES256"}],
              "Phase1IntegrityAlgorithms": [{"Value": "SHA2-256"}], "Phase1DHGroupNumbers": [{"Value": 14}],
              "Phase2EncryptionAlgorithms": [{"Value": "AES256"}], "Phase2IntegrityAlgorithms": [{"Value": "SHA2-256"}],
              "Phase2DHGroupNumbers": [{"Value": 14}]}


def connection(aws, name: str, storage: str, tunnels: list[dict], ip: str) -> dict:
    ec2 = aws.client("ec2", REGION)
    gateway = ec2.create_customer_gateway(Type="ipsec.1", IpAddress=ip, BgpAsn=65000)["CustomerGateway"]
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    return ec2.create_vpn_connection(
        Type="ipsec.1", CustomerGatewayId=gateway["CustomerGatewayId"], VpnGatewayId=vgw, PreSharedKeyStorage=storage,
        Options={"StaticRoutesOnly": True, "LocalIpv4NetworkCidr": "192.168.50.0/24",
                 "RemoteIpv4NetworkCidr": "10.10.0.0/16", "TunnelOptions": tunnels},
        TagSpecifications=tag("vpn-connection", name),
    )["VpnConnection"]


def vpnctl(aws, *args: str, environments: Path = ENVIRONMENTS) -> subprocess.CompletedProcess:
    return run_vpnctl("--environments", str(environments), *args, env=aws.terraform_env(), timeout=120)


# ---- import-crl ----------------------------------------------------------------------------


def test_import_crl_imports_and_checks_the_export(aws, endpoint_id, pki_root):
    result = vpnctl(aws, "import-crl", "--region", REGION, "--endpoint", endpoint_id, "--file", str(pki_root / "dev" / "crl.pem"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{endpoint_id}: imported crl.pem, 1 revoked certificate"
    exported = aws.client("ec2", REGION).export_client_vpn_client_certificate_revocation_list(ClientVpnEndpointId=endpoint_id)
    assert exported["CertificateRevocationList"].strip() == (pki_root / "dev" / "crl.pem").read_text().strip()


def test_import_crl_refuses_a_file_that_is_no_crl(aws, endpoint_id, pki_root):
    result = vpnctl(aws, "import-crl", "--region", REGION, "--endpoint", endpoint_id, "--file", str(pki_root / "dev" / "ca.crt"))
    assert result.returncode == 1
    assert "not a PEM-encoded certificate revocation list" in result.stderr


# ---- client-config --------------------------------------------------------------------------


def test_client_config_writes_a_0600_profile(aws, endpoint_id, pki_root, tmp_path):
    out = tmp_path / "alice.ovpn"
    out.write_text("an older profile")
    out.chmod(0o644)
    result = vpnctl(aws, "client-config", "dev", "alice", "-o", str(out), "--pki-dir", str(pki_root))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text()
    assert f"remote {endpoint_id}.prod.clientvpn.{REGION}.amazonaws.com 1194" in text
    assert text.index("</ca>") < text.index("<cert>") < text.index("</cert>") < text.index("<key>")
    assert "older" not in text


@pytest.mark.parametrize("user, message", [
    ("carol", 'no certificate for user "carol"'),
    ("bob", 'user "bob" is revoked'),
    ("../ca", 'user "../ca": 1 to 63 of a-z'),  # a name never reaches the CA's or server's files
    ("../server", 'user "../server": 1 to 63 of a-z'),
])
def test_client_config_refuses_unknown_and_revoked_users(aws, endpoint_id, pki_root, tmp_path, user, message):
    out = tmp_path / f"{user}.ovpn"
    result = vpnctl(aws, "client-config", "dev", user, "-o", str(out), "--pki-dir", str(pki_root))
    assert result.returncode == 2
    assert message in result.stderr
    assert not out.exists()


def test_client_config_without_a_ca_says_to_init(aws, tmp_path):
    result = vpnctl(aws, "client-config", "dev", "alice", "-o", str(tmp_path / "a.ovpn"), "--pki-dir", str(tmp_path))
    assert result.returncode == 2
    assert "run `vpnctl pki init` first" in result.stderr


def test_client_config_for_an_endpoint_that_is_not_deployed(aws, pki_root, tmp_path):
    folder = tmp_path / "envs"
    folder.mkdir()
    text = (ENVIRONMENTS / "dev.hcl").read_text().replace('client_vpn "developers"', 'client_vpn "contractors"')
    (folder / "dev.hcl").write_text(text)
    result = vpnctl(aws, "client-config", "dev", "alice", "-o", str(tmp_path / "a.ovpn"), "--pki-dir", str(pki_root),
                    environments=folder)
    assert result.returncode == 1
    assert 'no Client VPN endpoint "dev-contractors"' in result.stderr and "deploy the environment first" in result.stderr


# ---- device-config ---------------------------------------------------------------------------


def test_device_config_reads_aws_managed_keys_from_secrets_manager(aws, tmp_path):
    made = connection(aws, "dev-lab-office", "SecretsManager",
                      [{"TunnelInsideCidr": "169.254.50.0/30", **COMPATIBLE}, {"TunnelInsideCidr": "169.254.50.4/30"}],
                      "198.51.100.20")
    stored = json.loads(aws.client("secretsmanager", REGION).get_secret_value(SecretId=made["PreSharedKeyArn"])["SecretString"])
    out = tmp_path / "swanctl.conf"
    result = vpnctl(aws, "device-config", "dev", "lab-office", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text()
    tunnel1, tunnel2 = made["Options"]["TunnelOptions"]
    assert f'secret = "{stored["tunnel1"]}"' in text and f'secret = "{stored["tunnel2"]}"' in text
    assert f"remote_addrs = {tunnel1['OutsideIpAddress']}" in text and f"remote_addrs = {tunnel2['OutsideIpAddress']}" in text
    assert "local_addrs = 198.51.100.20" in text
    assert "local_ts = 192.168.50.0/24" in text and "remote_ts = 10.10.0.0/16" in text
    assert "proposals = aes256-sha256-modp2048\n" in text  # tunnel 1: the compatible profile
    assert "keyingtries = 0" in text and "priority = 1000" in text and "if_id" not in text  # policy-based
    assert "version = 2\n" in text and "version = 0\n" in text  # tunnel 2 takes AWS's defaults: IKEv1 or v2
    assert "inside 169.254.50.0/30 (AWS 169.254.50.1, this device 169.254.50.2)" in text
    # AWS's defaults for tunnel 2, strongest first
    assert "proposals = aes256gcm16-aes128gcm16-prfsha512-prfsha384-prfsha256-prfsha1-ecp521-" in text
    assert stored["tunnel1"] not in result.stdout + result.stderr

    result = vpnctl(aws, "device-config", "dev", "lab-office", "--route-based", "-o", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert "if_id_in = 1\n" in text and "if_id_out = 2\n" in text and "priority" not in text
    assert "local_ts = 192.168.50.0/24" in text  # the selectors stay; the interfaces carry the routing
    assert "ip route add 10.10.0.0/16 dev xfrm-aws1 metric 100" in text

    xml = tmp_path / "aws.xml"
    result = vpnctl(aws, "device-config", "dev", "lab-office", "--format", "aws-xml", "-o", str(xml))
    assert result.returncode == 0, result.stderr
    assert xml.read_text() == aws.client("ec2", REGION).describe_vpn_connections(
        VpnConnectionIds=[made["VpnConnectionId"]])["VpnConnections"][0]["CustomerGatewayConfiguration"]
    assert f"keys as REDACTED in its document; they are in {made['PreSharedKeyArn']}" in result.stderr


def test_device_config_takes_the_key_aws_runs_and_warns_when_a_sites_secret_differs(aws, tmp_path):
    """staging's munich-lab brings its own keys, so AWS stores them Standard, in the tunnel options."""
    secrets = aws.client("secretsmanager", REGION)
    own = {"staging/vpn/munich-lab/tunnel1": "Munich1Key.first", "staging/vpn/munich-lab/tunnel2": "Munich2Key_second"}
    for name, value in own.items():
        secrets.create_secret(Name=name, SecretString=value)
    connection(aws, "staging-munich-lab", "Standard",
               [{"TunnelInsideCidr": "169.254.60.0/30", "PreSharedKey": own["staging/vpn/munich-lab/tunnel1"]},
                {"TunnelInsideCidr": "169.254.60.4/30", "PreSharedKey": own["staging/vpn/munich-lab/tunnel2"]}],
               "203.0.113.41")
    out = tmp_path / "swanctl.conf"
    result = vpnctl(aws, "device-config", "staging", "munich-lab", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert 'secret = "Munich1Key.first"' in out.read_text() and 'secret = "Munich2Key_second"' in out.read_text()
    assert "warning" not in result.stderr
    # Rotated in Secrets Manager, not yet deployed: the device must still get what AWS runs.
    secrets.put_secret_value(SecretId="staging/vpn/munich-lab/tunnel2", SecretString="Rotated2Key_third")
    result = vpnctl(aws, "device-config", "staging", "munich-lab", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert 'secret = "Munich2Key_second"' in out.read_text()
    assert "tunnel[2]: secret staging/vpn/munich-lab/tunnel2 holds another key than AWS runs" in result.stderr
    assert "Rotated2Key_third" not in result.stderr + result.stdout and "Munich2Key_second" not in result.stderr


def test_device_config_checks_keys_from_the_connections_secret(aws, tmp_path):
    made = connection(aws, "prod-frankfurt-dc", "SecretsManager",
                      [{"TunnelInsideCidr": "169.254.30.0/30"}, {"TunnelInsideCidr": "169.254.30.4/30"}], "203.0.113.30")
    secrets = aws.client("secretsmanager", REGION)
    stored = json.loads(secrets.get_secret_value(SecretId=made["PreSharedKeyArn"])["SecretString"])
    secrets.put_secret_value(SecretId=made["PreSharedKeyArn"], SecretString=json.dumps({**stored, "tunnel2": "0starts-wrong"}))
    result = vpnctl(aws, "device-config", "prod", "frankfurt-dc", "-o", str(tmp_path / "bad.conf"))
    assert result.returncode == 1
    assert f"tunnel[2]: the pre-shared key in {made['PreSharedKeyArn']} breaks AWS's rules" in result.stderr
    assert "0starts-wrong" not in result.stderr and not (tmp_path / "bad.conf").exists()
    secrets.put_secret_value(SecretId=made["PreSharedKeyArn"], SecretString=json.dumps({"first": stored["tunnel1"]}))
    result = vpnctl(aws, "device-config", "prod", "frankfurt-dc", "-o", str(tmp_path / "bad.conf"))
    assert result.returncode == 1
    assert "has no key for tunnel 1 (it holds: first)" in result.stderr and stored["tunnel1"] not in result.stderr


def test_device_config_refuses_an_unknown_site_and_an_undeployed_one(aws, tmp_path):
    result = vpnctl(aws, "device-config", "dev", "nowhere", "-o", str(tmp_path / "x.conf"))
    assert result.returncode == 2 and 'no site "nowhere" (sites: lab-office)' in result.stderr
    result = vpnctl(aws, "device-config", "prod", "berlin-hq", "-o", str(tmp_path / "x.conf"))
    assert result.returncode == 1 and 'no VPN connection "prod-berlin-hq"' in result.stderr


def test_proposals_keep_aead_and_classic_ciphers_apart():
    assert proposals(("AES256-GCM-16", "AES256"), ("SHA2-256",), (19, 14), prf=True) == (
        "aes256gcm16-prfsha256-ecp256-modp2048,aes256-sha256-ecp256-modp2048"
    )
    assert proposals(("AES256-GCM-16",), ("SHA2-256",), (20,), prf=False) == "aes256gcm16-ecp384"


def test_default_selectors_render_route_based_tunnels_with_bgp_peers():
    """With AWS's 0.0.0.0/0 selectors each tunnel is bound to its own XFRM interface; BGP sites get their ASNs."""
    from vpnctl.device.strongswan import DeviceSettings, TunnelSettings, render

    def tunnel(number: int, inside: str) -> TunnelSettings:
        return TunnelSettings(number, f"198.18.0.{number}", inside, f"Key{number}abcdefgh", ("ikev2",), ("AES256",),
                              ("SHA2-256",), (14,), 28800, ("AES256",), ("SHA2-256",), (14,), 3600, 270, 30)

    device = DeviceSettings("prod", "berlin-hq", "vpn-1", "203.0.113.10", "0.0.0.0/0", "0.0.0.0/0", (65010, 64512))
    text = render(device, [tunnel(1, "169.254.10.0/30"), tunnel(2, "169.254.10.4/30")])
    assert "if_id_in = 1\n" in text and "if_id_out = 2\n" in text and "priority" not in text
    assert "ip address add 169.254.10.2/30 dev xfrm-aws1" in text
    assert "this device is AS 65010; AWS is AS 64512" in text
    assert "rekey_time = 28530s" in text and "life_time = 3600s" in text and "rekey_time = 3330s" in text
    # Each tunnel's key belongs to its AWS endpoint alone, not to the device's address as well.
    secrets = text[text.index("secrets {"):]
    assert re.findall(r"ike-aws-berlin-hq-tunnel(\d) \{\n    id = (\S+)\n    secret = \"(\S+)\"", secrets) == [
        ("1", "198.18.0.1", "Key1abcdefgh"), ("2", "198.18.0.2", "Key2abcdefgh")]
    assert "203.0.113.10" not in secrets
    # AWS's MTU guidance: DF cleared on both tunnels, MSS 1379 clamped on the XFRM interfaces.
    assert text.count("        copy_df = no\n") == 2
    assert "iptables -t mangle -A FORWARD -o xfrm-aws+ -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1379" in text
