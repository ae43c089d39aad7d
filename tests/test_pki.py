"""`vpnctl pki`: certificates as Client VPN and ACM want them, keys that stay private,
a CRL that lists exactly the revoked users, and refusals with a clear message and status 2."""

from __future__ import annotations

import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.conftest import run_vpnctl


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """dev's PKI with alice and bob issued and bob revoked, all through the CLI."""
    root = tmp_path_factory.mktemp("pki")
    outputs = [run_vpnctl("pki", *args, "--pki-dir", str(root)) for args in (
        ("init", "dev"), ("issue", "dev", "alice"), ("issue", "dev", "bob"), ("revoke", "dev", "bob"),
    )]
    for result in outputs:
        assert result.returncode == 0, result.stderr
    return root / "dev", outputs


def load(path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_the_server_certificate_meets_client_vpn_and_acm_rules(pki):
    folder, _ = pki
    ca, server = load(folder / "ca.crt"), load(folder / "server.crt")
    assert isinstance(server.public_key(), rsa.RSAPublicKey) and server.public_key().key_size == 2048
    assert server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value == x509.ExtendedKeyUsage(
        [ExtendedKeyUsageOID.SERVER_AUTH]
    )
    assert server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName
    ) == ["server.dev.vpn.internal"]
    server.verify_directly_issued_by(ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_a_client_certificate_has_the_user_as_cn_and_client_auth(pki):
    folder, _ = pki
    alice = load(folder / "clients" / "alice.crt")
    assert alice.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "alice"
    assert alice.public_key().key_size == 2048
    assert list(alice.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.CLIENT_AUTH
    ]
    alice.verify_directly_issued_by(load(folder / "ca.crt"))


def test_private_keys_are_mode_0600_in_0700_folders(pki):
    folder, _ = pki
    for key in (folder / "ca.key", folder / "server.key", folder / "clients" / "alice.key"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600, key
    for directory in (folder, folder / "clients"):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory


def test_the_crl_lists_exactly_the_revoked_user_and_is_signed_by_the_ca(pki):
    folder, _ = pki
    crl = x509.load_pem_x509_crl((folder / "crl.pem").read_bytes())
    assert crl.is_signature_valid(load(folder / "ca.crt").public_key())
    assert [entry.serial_number for entry in crl] == [load(folder / "clients" / "bob.crt").serial_number]


def test_list_shows_expiry_and_revocation(pki, tmp_path):
    folder, _ = pki
    result = run_vpnctl("pki", "list", "dev", "--pki-dir", str(folder.parent))
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert lines["alice"].endswith("valid") and "revoked" in lines["bob"]


@pytest.mark.parametrize("args, message", [
    (("init", "dev"), "already holds a CA; not overwriting it"),
    (("revoke", "dev", "carol"), 'no certificate for user "carol"'),
    (("issue", "dev", "bob"), 'user "bob" was revoked; a new certificate needs a new name'),
    (("revoke", "dev", "bob"), 'user "bob" is already revoked'),
])
def test_refusals_say_why_and_exit_2(pki, args, message):
    folder, _ = pki
    before = {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    result = run_vpnctl("pki", *args, "--pki-dir", str(folder.parent))
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()} == before  # nothing touched


def test_a_missing_ca_is_a_clear_error(tmp_path):
    result = run_vpnctl("pki", "issue", "dev", "alice", "--pki-dir", str(tmp_path))
    assert result.returncode == 2
    assert f"no CA in {tmp_path / 'dev'}: run `vpnctl pki init` first" in result.stderr


def test_an_environment_without_a_pki_folder_is_refused(tmp_path):
    result = run_vpnctl("pki", "init", "prod", "--pki-dir", str(tmp_path))  # prod imports by ACM ARN
    assert result.returncode == 2 and "no client_vpn certificate names a pki folder" in result.stderr


def test_refresh_crl_keeps_the_revocations_and_moves_the_next_update(tmp_path):
    for args in (("init", "dev"), ("issue", "dev", "bob"), ("revoke", "dev", "bob")):
        assert run_vpnctl("pki", *args, "--pki-dir", str(tmp_path)).returncode == 0
    folder = tmp_path / "dev"
    _sign_crl_expiring_in(folder, days=10)
    listed = run_vpnctl("pki", "list", "dev", "--pki-dir", str(tmp_path))
    assert "days); then the endpoint refuses every client: run `vpnctl pki refresh-crl` for dev and deploy" in listed.stdout
    before = x509.load_pem_x509_crl((folder / "crl.pem").read_bytes())
    result = run_vpnctl("pki", "refresh-crl", "dev", "--pki-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    after = x509.load_pem_x509_crl((folder / "crl.pem").read_bytes())
    assert [e.serial_number for e in after] == [e.serial_number for e in before] == [load(folder / "clients" / "bob.crt").serial_number]
    assert (after.next_update_utc - before.next_update_utc).days >= 150
    assert "refresh-crl" not in run_vpnctl("pki", "list", "dev", "--pki-dir", str(tmp_path)).stdout


@pytest.mark.vpn_software
def test_an_expired_crl_refuses_every_client_until_it_is_refreshed(tmp_path):
    """Why the CRL's next update matters: the real OpenVPN refuses a valid user once it has passed."""
    from tests import openvpn
    from vpnctl.commands.client_config import with_identity

    for args in (("init", "dev"), ("issue", "dev", "alice")):
        assert run_vpnctl("pki", *args, "--pki-dir", str(tmp_path)).returncode == 0
    folder = tmp_path / "dev"
    exported = "client\ndev tun\nproto udp\nremote vpn.invalid 1194\nnobind\nremote-cert-tls server\n"
    exported += f"cipher AES-256-GCM\nverb 3\n<ca>\n{(folder / 'ca.crt').read_text().strip()}\n</ca>\n"
    profile = with_identity(exported, (folder / "clients" / "alice.crt").read_text(),
                            (folder / "clients" / "alice.key").read_text())
    server = {"ca": folder / "ca.crt", "cert": folder / "server.crt", "key": folder / "server.key", "crl": folder / "crl.pem"}
    _sign_crl_expiring_in(folder, days=0)
    expired = openvpn.handshake(tmp_path / "expired", **server, profile=profile)
    assert not expired.completed and any("CRL has expired" in line for line in expired.verify_errors), expired.server_log
    assert run_vpnctl("pki", "refresh-crl", "dev", "--pki-dir", str(tmp_path)).returncode == 0
    refreshed = openvpn.handshake(tmp_path / "refreshed", **server, profile=profile)
    assert refreshed.completed, refreshed.server_log + refreshed.client_log


def _sign_crl_expiring_in(folder, days: int) -> None:
    """crl.pem signed again with the same revocations, its next update about `days` from now
    (days=0: already past, as the CRL is backdated by 5 minutes)."""
    from vpnctl.pki.store import Pki

    Pki(folder.parent, folder.name).refresh_crl(days=days)


def test_a_deploy_warns_before_the_crl_expires(tmp_path):
    from stacks.config import load_environment
    from tests.conftest import ENVIRONMENTS
    from vpnctl.pki.store import crl_warnings

    assert run_vpnctl("pki", "init", "dev", "--pki-dir", str(tmp_path)).returncode == 0
    config = load_environment(ENVIRONMENTS / "dev.hcl").config
    assert crl_warnings(config, tmp_path) == []
    _sign_crl_expiring_in(tmp_path / "dev", days=10)
    (warning,) = crl_warnings(config, tmp_path)
    assert warning.startswith('client_vpn "developers": ') and "days); then the endpoint refuses every client" in warning
    _sign_crl_expiring_in(tmp_path / "dev", days=0)
    (warning,) = crl_warnings(config, tmp_path)
    assert "expired on" in warning and "run `vpnctl pki refresh-crl` for dev and deploy" in warning
