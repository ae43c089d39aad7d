"""`vpnctl offboard` and `deploy --keep` without an emulator: which connections are a user's, what is revoked
where, the decision that a user is already gone, the CRL import's address, and the hold's ways out. The
runs against the emulator and the real OpenVPN are in test_client_profiles.py (the users pipeline) and
test_kept_emulator.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509

from tests.conftest import load
from vpnctl import keeping, kept_emulator
from vpnctl.client_connections import belongs_to, users_sessions
from vpnctl.offboarding import (
    Endpoint,
    Revoked,
    UnknownUser,
    already_gone,
    lists,
    report,
    revocation_addresses,
    revoke_everywhere,
)
from vpnctl.pki.store import Pki, PkiError


def connection(connection_id: str, common_name: str, username: str | None = None, status: str = "active") -> dict:
    out = {"ConnectionId": connection_id, "CommonName": common_name, "Status": {"Code": status}}
    if username:
        out["Username"] = username
    return out


def test_a_certificate_users_connection_is_found_by_the_certificates_common_name():
    """With certificate authentication AWS gives the certificate's CN and no Username."""
    assert belongs_to(connection("c-1", "bob"), "bob")
    assert not belongs_to(connection("c-2", "alice"), "bob")
    assert not belongs_to(connection("c-3", "bobby"), "bob")


def test_a_directory_users_connection_is_found_by_the_user_name():
    assert belongs_to(connection("c-1", "CN=whatever", username="bob"), "bob")


def test_only_active_sessions_are_terminated():
    sessions = [connection("c-1", "bob"), connection("c-2", "bob", status="terminated"),
                connection("c-3", "alice"), connection("c-4", "bob", status="terminating")]
    assert [c["ConnectionId"] for c in users_sessions(sessions, "bob")] == ["c-1"]


@pytest.fixture
def dev_pki(tmp_path):
    pki = Pki(tmp_path, "dev")
    pki.init("server.dev.vpn.internal")
    for user in ("alice", "bob"):
        pki.issue(user)
    return tmp_path


def test_offboarding_revokes_in_the_folder_that_issued_the_user_and_only_once(dev_pki):
    dev = load("dev")
    (first,) = revoke_everywhere(dev, dev_pki, "bob")
    bob = x509.load_pem_x509_certificate((dev_pki / "dev" / "clients" / "bob.crt").read_bytes())
    assert (first.pki, first.serial, first.before) == ("dev", bob.serial_number, False)
    crl = (dev_pki / "dev" / "crl.pem").read_text()
    assert lists(crl, bob.serial_number)
    (second,) = revoke_everywhere(dev, dev_pki, "bob")
    assert (second.serial, second.before) == (bob.serial_number, True)
    assert (dev_pki / "dev" / "crl.pem").read_text() == crl, "a second run signs nothing"


def test_a_user_the_pki_never_issued_is_named_with_the_folder(dev_pki):
    with pytest.raises(UnknownUser) as refused:
        revoke_everywhere(load("dev"), dev_pki, "carol")
    assert str(refused.value).startswith(f'{dev_pki / "dev"}: user "carol": this PKI never issued them a certificate')
    assert not Pki(dev_pki, "dev").revoked()


def test_a_name_that_is_a_path_is_refused(dev_pki):
    with pytest.raises(PkiError, match="1 to 63 of a-z"):
        revoke_everywhere(load("dev"), dev_pki, "../dev/ca")


def test_an_environment_without_a_pki_endpoint_has_nobody_to_offboard(dev_pki, tmp_path):
    from tests.scenarios import variant

    site_only = variant("dev", [], tmp_path / "site-only", without=('client_vpn "',))
    with pytest.raises(PkiError, match="client_vpn: no endpoint authenticates with client certificates"):
        revoke_everywhere(site_only, dev_pki, "bob")


def test_the_crl_check_reads_the_exported_list():
    assert not lists(None, 5) and not lists("", 5) and not lists("not a CRL", 5)


REVOKED = [Revoked("dev", Path("/pki/dev"), 0xABC, before=True)]
LISTED = [Endpoint("developers", "dev", "cvpn-endpoint-1", listed=True)]


def test_the_user_is_already_gone_only_when_nothing_was_left_to_do():
    assert already_gone(REVOKED, LISTED, {"developers": []})
    assert not already_gone([Revoked("dev", REVOKED[0].folder, 0xABC, before=False)], LISTED, {})
    assert not already_gone(REVOKED, [Endpoint("developers", "dev", "cvpn-endpoint-1", listed=False)], {})
    assert not already_gone(REVOKED, LISTED, {"developers": ["cvpn-connection-1"]})


def test_the_report_says_what_was_done():
    lines = report("dev", "bob", [Revoked("dev", REVOKED[0].folder, 0xABC, before=False)],
                   [Endpoint("developers", "dev", "cvpn-endpoint-1", listed=False)], ["developers"],
                   {"developers": ["cvpn-connection-1", "cvpn-connection-2"]})
    assert lines == [
        'dev: pki dev: "bob" revoked, serial abc (/pki/dev/crl.pem)',
        "dev: client_vpn developers (cvpn-endpoint-1): CRL imported lists serial abc",
        "dev: client_vpn developers: terminated cvpn-connection-1, cvpn-connection-2",
        'dev: "bob" is offboarded: no endpoint accepts the certificate, no session is left',
    ]
    assert report("dev", "bob", REVOKED, LISTED, [], {"developers": []})[-1].startswith('dev: "bob" is already gone')


def test_the_crl_import_address_comes_from_the_revocation_scope(synthesized_dir):
    from vpnctl.synthesized import read_stack

    addresses = revocation_addresses(read_stack(synthesized_dir, "dev"), ["developers"])
    assert list(addresses) == ["developers"]
    assert addresses["developers"].startswith("terraform_data.revocation-developers_crl_import_")


class FakeEmulator:
    """What `hold` reads of a LocalAws, around a real child process."""

    def __init__(self, command: list[str], log_file):
        self.process = subprocess.Popen(command)
        self.account_id, self.endpoint, self.log_file = "111111111111", "http://127.0.0.1:1", log_file

    pid = property(lambda self: self.process.pid)
    running = property(lambda self: self.process.poll() is None)

    def terraform_env(self) -> dict:
        return {"AWS_ENDPOINT_URL": self.endpoint}

    def exit_report(self, when: str) -> str:
        return f"the local AWS emulator exited with status {self.process.returncode} {when}"


def test_a_ctrl_c_while_holding_stops_the_kept_emulator_with_exit_0(tmp_path, monkeypatch, capsys):
    aws = FakeEmulator([sys.executable, "-c", "import time; time.sleep(600)"], tmp_path / "log")
    written = kept_emulator.write

    def write_then_interrupt(build, environment, emulator):
        path = written(build, environment, emulator)
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        os.kill(os.getpid(), signal.SIGINT)  # the operator's Ctrl-C, once the record is there
        return path

    monkeypatch.setattr(kept_emulator, "write", write_then_interrupt)
    before = signal.getsignal(signal.SIGINT)  # ignored, when make test runs this process in the background
    try:
        assert keeping.hold(tmp_path, "dev", aws) == 0
    finally:
        aws.process.kill()
        aws.process.wait()
    assert not kept_emulator.kept_file(tmp_path, "dev").exists()
    assert "dev: SIGINT: stopping the local AWS" in capsys.readouterr().err
    assert signal.getsignal(signal.SIGINT) is before, "the handlers are put back"


def test_an_emulator_that_dies_while_kept_is_reported_with_exit_1(tmp_path, capsys):
    aws = FakeEmulator([sys.executable, "-c", "import time; time.sleep(600)"], tmp_path / "log")
    aws.process.kill()  # dies while kept
    assert keeping.hold(tmp_path, "dev", aws) == 1
    assert not kept_emulator.kept_file(tmp_path, "dev").exists()
    assert "exited with status -9 while it was kept" in capsys.readouterr().err
