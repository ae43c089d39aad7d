"""Client VPN certificates end to end, with the real OpenVPN 2.6 on loopback.

The PKI is made with `vpnctl pki`, the stack deployed to the emulator, and each
profile written by `vpnctl client-config` from the endpoint's exported configuration;
the revocation then travels through `npx cdktf deploy dev` (the users pipeline,
tests/user_pipeline.py). The server
stands in for the endpoint: it holds the endpoint's server certificate and the
CRL exported from the emulator's endpoint, so a revocation counts only once it
has travelled through Terraform.
"""

from __future__ import annotations

import stat

import pytest
from cryptography import x509

from tests import openvpn
from vpnctl.pki import authority

pytestmark = [pytest.mark.terraform, pytest.mark.vpn_software, pytest.mark.pipeline("users:deployed")]


@pytest.fixture(scope="module")
def deployed(lifecycle):
    return lifecycle.result("users:deployed")


@pytest.fixture(scope="module")
def revoked(lifecycle):
    return lifecycle.result("users")


def pki_files(deployed) -> dict:
    folder = deployed["pki_dir"] / "dev"
    return {"ca": folder / "ca.crt", "cert": folder / "server.crt", "key": folder / "server.key"}


def crl_file(tmp_path, text: str):
    path = tmp_path / "endpoint-crl.pem"
    path.write_text(text)
    return path


def test_profiles_are_written_from_the_endpoints_export_with_the_users_identity(deployed):
    for user in ("alice", "bob"):
        run = deployed[f"{user}_profile_run"]
        assert run.returncode == 0, run.stdout + run.stderr
        path = deployed[f"{user}_profile"]
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        text = path.read_text()
        assert text.startswith("client\n") and "\nremote cvpn-endpoint-" in text and "remote-random-hostname" in text
        client_dir = deployed["pki_dir"] / "dev" / "clients"
        assert (client_dir / f"{user}.crt").read_text().strip() in text
        assert (client_dir / f"{user}.key").read_text().strip() in text
        assert (deployed["pki_dir"] / "dev" / "ca.crt").read_text().strip() in text
        assert "ca.key" not in text and text.count("PRIVATE KEY-----") == 2  # one key: BEGIN and END


def test_alice_completes_a_handshake_with_her_profile(deployed, tmp_path):
    crl = crl_file(tmp_path, deployed["crl_before_revoke"])
    result = openvpn.handshake(tmp_path / "alice", **pki_files(deployed), crl=crl,
                               profile=deployed["alice_profile"].read_text())
    assert result.completed, result.server_log + result.client_log
    assert "CN=alice" in result.server_log


def test_bob_connects_before_his_revocation(deployed, tmp_path):
    crl = crl_file(tmp_path, deployed["crl_before_revoke"])
    result = openvpn.handshake(tmp_path / "bob", **pki_files(deployed), crl=crl, profile=deployed["bob_profile"].read_text())
    assert result.completed, result.server_log + result.client_log


@pytest.mark.pipeline("users")
def test_the_revocation_reaches_the_endpoint_through_a_redeploy(revoked):
    assert revoked["revoke"].returncode == 0, revoked["revoke"].stderr
    assert revoked["redeploy"]["status"] == 0, revoked["redeploy"]["output"]
    # The import resource was replaced, and its provisioner ran `vpnctl import-crl` with the new CRL.
    assert "imported crl.pem, 1 revoked certificate" in revoked["redeploy"]["output"], revoked["redeploy"]["output"]
    bob = x509.load_pem_x509_certificate((revoked["pki_dir"] / "dev" / "clients" / "bob.crt").read_bytes())
    crl = x509.load_pem_x509_crl(revoked["crl_after_revoke"].encode())
    assert [entry.serial_number for entry in crl] == [bob.serial_number]
    assert revoked["crl_after_revoke"].strip() == (revoked["pki_dir"] / "dev" / "crl.pem").read_text().strip()


@pytest.mark.pipeline("users")
def test_bob_is_rejected_with_the_crl_exported_after_the_redeploy(deployed, revoked, tmp_path):
    crl = crl_file(tmp_path, revoked["crl_after_revoke"])
    result = openvpn.handshake(tmp_path / "bob", **pki_files(deployed), crl=crl, profile=deployed["bob_profile"].read_text())
    assert not result.completed, result.server_log
    assert any("certificate revoked" in line and "CN=bob" in line for line in result.verify_errors), result.server_log
    # alice is unaffected by bob's revocation
    result = openvpn.handshake(tmp_path / "alice", **pki_files(deployed), crl=crl,
                               profile=deployed["alice_profile"].read_text())
    assert result.completed, result.server_log + result.client_log


@pytest.mark.pipeline("users")
def test_no_new_profile_for_a_revoked_user(revoked):
    run = revoked["bob_profile_after_revoke"]
    assert run.returncode == 2
    assert 'user "bob" is revoked' in run.stderr


def test_a_certificate_from_another_ca_is_rejected(deployed, tmp_path):
    ca, ca_key = authority.new_ca("another CA")
    certificate, key = authority.new_client(ca, ca_key, "mallory")
    profile = deployed["alice_profile"].read_text()
    profile = profile[: profile.index("<cert>")]
    profile += f"<cert>\n{authority.pem(certificate).decode().strip()}\n</cert>\n"
    profile += f"<key>\n{authority.key_pem(key).decode().strip()}\n</key>\n"
    crl = crl_file(tmp_path, deployed["crl_before_revoke"])
    result = openvpn.handshake(tmp_path / "mallory", **pki_files(deployed), crl=crl, profile=profile)
    assert not result.completed, result.server_log
    assert any("CN=mallory" in line for line in result.verify_errors), result.server_log
