"""The on-premises device config proven with the real strongSwan 5.9, in network namespaces.

The device side loads exactly the file `vpnctl device-config dev lab-office` wrote from the
stack deployed to the emulator (the users pipeline, tests/user_pipeline.py). The AWS
side is built here, independently, from what the emulator stores for the connection: outside
IPs, traffic selectors, algorithms and the keys in its Secrets Manager secret. The tunnels'
outside IPs come from 198.18.0.0/15 and the device's is the site's, all inside the test's own
namespaces.
"""

from __future__ import annotations

import json
import re
import stat

import pytest

from tests.strongswan import Lab

pytestmark = [pytest.mark.terraform, pytest.mark.vpn_software, pytest.mark.pipeline("users:deployed")]

DEVICE_PREFIX = "aws-lab-office-tunnel"
# AWS's names -> strongSwan's, written out here rather than taken from vpnctl.device, so a wrong
# mapping in the renderer can't be mirrored on this side.
AWS_TO_STRONGSWAN = {
    "AES128": "aes128", "AES256": "aes256", "SHA1": "sha1", "SHA2-256": "sha256", "SHA2-384": "sha384",
    "SHA2-512": "sha512", 2: "modp1024", 14: "modp2048", 15: "modp3072", 16: "modp4096",
}


def values(tunnel: dict, key: str) -> list:
    return [item["Value"] for item in tunnel[key]]


def aws_side(connection: dict, keys: dict, device_ip: str, wrong_key_for: int | None = None, tunnels=(1, 2)) -> str:
    """AWS's tunnel endpoints as a responder's swanctl.conf, from the emulator's stored options."""
    options = connection["Options"]
    connections, secrets = [], []
    for number, tunnel in enumerate(options["TunnelOptions"], start=1):
        if number not in tunnels:
            continue
        ike = "-".join(AWS_TO_STRONGSWAN[v] for key in ("Phase1EncryptionAlgorithms", "Phase1IntegrityAlgorithms",
                                                          "Phase1DHGroupNumbers") for v in values(tunnel, key))
        esp = "-".join(AWS_TO_STRONGSWAN[v] for key in ("Phase2EncryptionAlgorithms", "Phase2IntegrityAlgorithms",
                                                          "Phase2DHGroupNumbers") for v in values(tunnel, key))
        outside = tunnel["OutsideIpAddress"]
        connections.append(f"""
  aws{number} {{
    version = {2 if values(tunnel, "IkeVersions") == ["ikev2"] else 0}
    local_addrs = {outside}
    remote_addrs = {device_ip}
    proposals = {ike}
    local {{
      auth = psk
      id = {outside}
    }}
    remote {{
      auth = psk
      id = {device_ip}
    }}
    children {{
      aws{number} {{
        local_ts = {options["RemoteIpv4NetworkCidr"]}
        remote_ts = {options["LocalIpv4NetworkCidr"]}
        esp_proposals = {esp}
        start_action = none
        dpd_action = clear
      }}
    }}
  }}""")
        key = keys[f"tunnel{number}"] if number != wrong_key_for else "Wrong.key.for.this.tunnel1"
        secrets.append(f'  ike-aws{number} {{\n    id-1 = {outside}\n    id-2 = {device_ip}\n    secret = "{key}"\n  }}')
    return "connections {" + "".join(connections) + "\n}\nsecrets {\n" + "\n".join(secrets) + "\n}\n"


@pytest.fixture(scope="module")
def deployed(lifecycle):
    deployed = lifecycle.result("users:deployed")
    run = deployed["strongswan_run"]
    assert run.returncode == 0, run.stdout + run.stderr
    return deployed


def lab_for(deployed) -> Lab:
    options = deployed["connection"]["Options"]
    local, remote = options["LocalIpv4NetworkCidr"], options["RemoteIpv4NetworkCidr"]
    assert (local, remote) == ("192.168.50.0/24", "10.10.0.0/16"), "dev's lab-office sets explicit selectors"
    return Lab(
        device_ip=deployed["customer_gateway"]["IpAddress"],
        tunnel_ips=[t["OutsideIpAddress"] for t in options["TunnelOptions"]],
        onprem=("192.168.50.1", local),
        vpc=("10.10.0.10", remote),
    )


@pytest.fixture(scope="module")
def tunnels(deployed):
    """Both tunnels up between the rendered device config and the AWS side."""
    with lab_for(deployed) as lab:
        keys = json.loads(deployed["stored_keys"])
        lab.aws.load(aws_side(deployed["connection"], keys, deployed["customer_gateway"]["IpAddress"]))
        lab.loaded = lab.device.load(deployed["strongswan"].read_text())
        lab.deployed = deployed
        yield lab


def test_the_rendered_file_is_0600_and_names_the_deployed_tunnels(deployed):
    path = deployed["strongswan"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    for tunnel in deployed["connection"]["Options"]["TunnelOptions"]:
        assert f"remote_addrs = {tunnel['OutsideIpAddress']}" in text
    assert text.count("start_action = start") == 2


def test_the_device_side_loads_the_rendered_file(tunnels):
    assert "successfully loaded 2 connections" in tunnels.loaded


def test_both_tunnels_establish(tunnels):
    names = [f"{DEVICE_PREFIX}1", f"{DEVICE_PREFIX}2"]
    tunnels.wait_until(lambda: all(tunnels.device.established(n) for n in names), "both device tunnels")
    tunnels.wait_until(lambda: tunnels.aws.established("aws1") and tunnels.aws.established("aws2"), "both AWS tunnels")
    log = tunnels.device.log_text()
    for name in names:
        assert re.search(rf"IKE_SA {name}\[\d+\] established between", log)
        assert re.search(rf"CHILD_SA {name}\{{\d+\}} established", log)


def test_traffic_crosses_tunnel_1_then_tunnel_2_when_tunnel_1s_aws_side_stops(tunnels):
    tunnels.wait_until(lambda: tunnels.device.established(f"{DEVICE_PREFIX}1")
                       and tunnels.device.established(f"{DEVICE_PREFIX}2"), "both tunnels")
    # kernel-libipsec sends through the CHILD_SA installed last (it ignores `priority`): rekeying
    # tunnel 1's makes it that one, as the kernel's policy priority does on a real device.
    tunnels.device.swanctl("--rekey", "--child", f"{DEVICE_PREFIX}1")
    # Until the old CHILD_SA is gone, a request can leave through it and be lost from the counts when it is deleted.
    tunnels.wait_until(lambda: _installed_last(tunnels.device.log_text()) == f"{DEVICE_PREFIX}1"
                       and tunnels.device.child_sa_count(f"{DEVICE_PREFIX}1") == 1
                       and tunnels.aws.child_sa_count("aws1") == 1, "tunnel 1 rekeyed, its old SA deleted")
    replies, device, aws = tunnels.traffic()
    assert replies >= 1
    assert device[f"{DEVICE_PREFIX}1"][1] >= replies and device[f"{DEVICE_PREFIX}1"][0] >= replies, device
    assert aws["aws1"][0] >= replies and aws["aws1"][1] >= replies, aws
    assert device.get(f"{DEVICE_PREFIX}2", (0, 0)) == (0, 0) and aws.get("aws2", (0, 0)) == (0, 0)

    keys = json.loads(tunnels.deployed["stored_keys"])
    device_ip = tunnels.deployed["customer_gateway"]["IpAddress"]
    tunnels.aws.load(aws_side(tunnels.deployed["connection"], keys, device_ip, tunnels=(2,)), unloaded=1)
    tunnels.aws.swanctl("--terminate", "--ike", "aws1", "--force", "--timeout", "5", check=False)
    tunnels.wait_until(lambda: not tunnels.device.established(f"{DEVICE_PREFIX}1"), "tunnel 1 down on the device",
                       expect_failures=True)
    replies, device, aws = tunnels.traffic()
    assert replies >= 1
    assert device[f"{DEVICE_PREFIX}2"][1] >= replies and device[f"{DEVICE_PREFIX}2"][0] >= replies, device
    assert aws["aws2"][0] >= replies and aws["aws2"][1] >= replies, aws
    assert device.get(f"{DEVICE_PREFIX}1", (0, 0)) == (0, 0)


def _installed_last(log: str) -> str | None:
    found = re.findall(r"CHILD_SA (\S+)\{\d+\} established", log)
    return found[-1] if found else None


def test_a_wrong_key_and_a_weaker_proposal_each_fail(deployed):
    """Tunnel 1: AWS holds another key. Tunnel 2: the device offers AES128/SHA1/DH 2, which the
    site's profile doesn't allow."""
    text = deployed["strongswan"].read_text()
    tunnel2 = text.index(f"  {DEVICE_PREFIX}2 {{")
    weak = text[:tunnel2] + re.sub(r"\n    proposals = \S+", "\n    proposals = aes128-sha1-modp1024", text[tunnel2:], count=1)
    assert weak != text
    with lab_for(deployed) as lab:
        keys = json.loads(deployed["stored_keys"])
        lab.aws.load(aws_side(deployed["connection"], keys, deployed["customer_gateway"]["IpAddress"], wrong_key_for=1))
        lab.device.load(weak)
        lab.wait_until(lambda: re.search(rf"<{DEVICE_PREFIX}1\|\d+> received AUTHENTICATION_FAILED", lab.device.log_text())
                       and re.search(rf"<{DEVICE_PREFIX}2\|\d+> received NO_PROPOSAL_CHOSEN", lab.device.log_text()),
                       "both failures in the device's log", expect_failures=True)
        assert "MAC mismatched" in lab.aws.log_text()
        assert "no acceptable ENCRYPTION_ALGORITHM found" in lab.aws.log_text()
        assert not any(sa.get("state") == "ESTABLISHED" for sa in lab.device.sas().values())
