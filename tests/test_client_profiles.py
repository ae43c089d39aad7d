"""Client VPN certificates end to end, with the real OpenVPN 2.6 on loopback.

The PKI is made with `vpnctl pki`, the stack deployed to the emulator, and each
profile written by `vpnctl client-config` from the endpoint's exported configuration;
bob is then offboarded with `vpnctl offboard dev bob` (the users pipeline,
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
def test_offboarding_imports_a_crl_listing_exactly_the_revoked_serials(revoked):
    run = revoked["offboard"]
    assert run.returncode == 0, run.stdout + run.stderr
    # The import resource was replaced, and its provisioner ran `vpnctl import-crl` with the new CRL.
    log = (revoked["pki_dir"].parent / "logs" / "dev-offboard.log").read_text()
    assert "imported crl.pem, 1 revoked certificate" in log, log[-4000:]
    bob = x509.load_pem_x509_certificate((revoked["pki_dir"] / "dev" / "clients" / "bob.crt").read_bytes())
    crl = x509.load_pem_x509_crl(revoked["crl_after_revoke"].encode())
    assert [entry.serial_number for entry in crl] == [bob.serial_number]
    assert revoked["crl_after_revoke"].strip() == (revoked["pki_dir"] / "dev" / "crl.pem").read_text().strip()
    endpoint = revoked["endpoint_id"]
    assert f'dev: pki dev: "bob" revoked, serial {bob.serial_number:x}' in run.stdout
    assert f"dev: client_vpn developers ({endpoint}): CRL imported lists serial {bob.serial_number:x}" in run.stdout


@pytest.mark.pipeline("users")
def test_offboarding_plans_only_the_crl_import(revoked):
    run = revoked["offboard"]
    assert "0 to add, 0 to change, 1 to replace, 0 to destroy" in run.stdout, run.stdout
    log = (revoked["pki_dir"].parent / "logs" / "dev-offboard.log").read_text()
    assert "-target=terraform_data.revocation-developers_crl_import_" in log


@pytest.mark.pipeline("users")
def test_offboarding_ends_every_session_of_bob_and_none_of_alice(revoked):
    status = {c["ConnectionId"]: c["Status"]["Code"] for c in revoked["connections_after"]}
    assert [status[c] for c in revoked["seeded"]["bob"]] == ["terminated", "terminated"], status
    assert [status[c] for c in revoked["seeded"]["alice"]] == ["active"], status
    run = revoked["offboard"]
    (line,) = [line for line in run.stdout.splitlines() if line.startswith("dev: client_vpn developers: terminated ")]
    assert sorted(line.split("terminated ", 1)[1].split(", ")) == sorted(revoked["seeded"]["bob"]), run.stdout
    assert run.stdout.splitlines()[-1].startswith('dev: "bob" is offboarded')


@pytest.mark.pipeline("users")
def test_offboarding_twice_finds_bob_already_gone(revoked):
    again = revoked["offboard_again"]
    assert again.returncode == 0, again.stdout + again.stderr
    assert "was already revoked" in again.stdout and "the CRL it holds already lists serial" in again.stdout
    assert 'no active connection of "bob"' in again.stdout
    assert again.stdout.splitlines()[-1].startswith('dev: "bob" is already gone'), again.stdout
    assert "terraform" not in again.stderr, "nothing was left to plan"


@pytest.mark.pipeline("users")
def test_offboarding_a_user_the_pki_never_issued_exits_2(revoked):
    unknown = revoked["offboard_unknown"]
    assert unknown.returncode == 2, unknown.stdout + unknown.stderr
    assert unknown.stderr.splitlines() == [
        (f'vpnctl offboard: {revoked["pki_dir"] / "dev"}: user "carol": this PKI never issued them a certificate '
         "(no clients/carol.crt); `vpnctl pki list dev` lists who holds one")]


@pytest.mark.pipeline("users")
def test_bob_is_rejected_with_the_crl_exported_after_offboarding(deployed, revoked, tmp_path):
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
