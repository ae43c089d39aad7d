"""Where a PKI lives, and the rules for touching it.

One folder per `pki` name under a root outside the repository (VPNCTL_PKI_DIR,
else ~/.local/share/vpn-as-code/pki), laid out as vpn_schema/pki_layout.py says
and the stacks' file() references read it (`TF_VAR_pki_dir` is the root).

Private keys are mode 0600 and their folders 0700; nothing is ever overwritten.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from vpn_schema import pki_layout as layout
from vpnctl.pki import authority

DEFAULT_ROOT = Path("~/.local/share/vpn-as-code/pki")
USER_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}")


class PkiError(RuntimeError):
    """A refused PKI operation; the message says what and why."""


def default_root() -> Path:
    return Path(os.environ.get("VPNCTL_PKI_DIR") or DEFAULT_ROOT).expanduser()


def _check_user(user: str) -> None:
    if not USER_NAME.fullmatch(user):
        raise PkiError(f'user "{user}": 1 to 63 of a-z, 0-9, ".", "_" and "-", starting with a letter or digit')


def _write(path: Path, data: bytes, secret: bool = False) -> None:
    """Creates `path`; refuses if it exists. Keys are created 0600, never widened first."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        fd = os.open(path, flags, 0o600 if secret else 0o644)
    except FileExistsError:
        raise PkiError(f"{path} exists; not overwriting") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _replace(path: Path, data: bytes) -> None:
    """Writes `path` whole or not at all (the CRL and the revocation list change on each revoke)."""
    temporary = path.with_suffix(path.suffix + ".new")
    temporary.write_bytes(data)
    temporary.replace(path)


def create_folder(folder: Path, ca_name: str, server_name: str, *, keep_ca_key: bool, days: int | None = None) -> None:
    """A new pki folder (mode 0700) with a new CA, its server certificate and an empty CRL
    (vpnctl.pki.authority.new_endpoint_pki); the CA key only when `keep_ca_key`. Refuses to overwrite a file."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    for name, (data, secret) in authority.new_endpoint_pki(ca_name, server_name, days).items():
        if keep_ca_key or name != layout.CA_KEY_FILE:
            _write(folder / name, data, secret=secret)


@dataclass(frozen=True)
class Certificate:
    user: str
    serial: int
    not_after: dt.datetime
    revoked_at: str | None


class Pki:
    """One `pki` folder."""

    def __init__(self, root: Path, name: str):
        self.name = name
        self.folder = root / name
        self.clients = self.folder / layout.CLIENTS_FOLDER

    @property
    def crl_file(self) -> Path:
        return self.folder / layout.CRL_FILE

    # ---- reading ------------------------------------------------------------------------

    def exists(self) -> bool:
        return (self.folder / layout.CHAIN_FILE).is_file()

    def _ca(self) -> tuple[x509.Certificate, object]:
        if not self.exists() or not (self.folder / layout.CA_KEY_FILE).is_file():
            raise PkiError(f"no CA in {self.folder}: run `vpnctl pki init` first")
        certificate = x509.load_pem_x509_certificate((self.folder / layout.CHAIN_FILE).read_bytes())
        key = serialization.load_pem_private_key((self.folder / layout.CA_KEY_FILE).read_bytes(), password=None)
        return certificate, key

    def revoked(self) -> dict[str, dict]:
        path = self.folder / layout.REVOKED_FILE
        return json.loads(path.read_text()) if path.exists() else {}

    def client_certificate(self, user: str) -> x509.Certificate:
        _check_user(user)  # a name is a file name: no path may reach the CA's or server's files
        path = self.folder / layout.client_certificate_file(user)
        if not path.is_file():
            raise PkiError(f'no certificate for user "{user}" in {self.folder}: issue one with `vpnctl pki issue`')
        return x509.load_pem_x509_certificate(path.read_bytes())

    def client_files(self, user: str) -> tuple[Path, Path]:
        """The user's certificate and key; refuses an unknown or revoked user."""
        self._ca()
        if user in self.revoked():
            raise PkiError(f'user "{user}" is revoked in {self.folder}; issue a certificate under a new name')
        certificate = self.client_certificate(user)
        if certificate.not_valid_after_utc <= authority.now():
            raise PkiError(f'the certificate of "{user}" expired on {certificate.not_valid_after_utc:%Y-%m-%d}; '
                           "revoke it and issue one under a new name")
        key = self.folder / layout.client_key_file(user)
        if not key.is_file():
            raise PkiError(f'no key for user "{user}" in {self.clients}')
        return self.folder / layout.client_certificate_file(user), key

    def crl_next_update(self) -> dt.datetime:
        return x509.load_pem_x509_crl(self.crl_file.read_bytes()).next_update_utc

    def certificates(self) -> list[Certificate]:
        revoked = self.revoked()
        out = []
        for path in sorted(self.clients.glob("*.crt")) if self.clients.is_dir() else []:
            certificate = x509.load_pem_x509_certificate(path.read_bytes())
            entry = revoked.get(path.stem)
            out.append(Certificate(path.stem, certificate.serial_number, certificate.not_valid_after_utc,
                                   entry["revoked_at"] if entry else None))
        return out

    # ---- changing -----------------------------------------------------------------------

    def init(self, server_name: str) -> None:
        """A new CA, its server certificate and an empty CRL; refuses if a CA is there."""
        if self.exists() or (self.folder / layout.CA_KEY_FILE).exists():
            raise PkiError(f"{self.folder} already holds a CA; not overwriting it")
        create_folder(self.folder, f"{self.name} Client VPN CA", server_name, keep_ca_key=True)

    def issue(self, user: str) -> Path:
        _check_user(user)
        ca, ca_key = self._ca()
        if user in self.revoked():
            raise PkiError(f'user "{user}" was revoked; a new certificate needs a new name')
        self.clients.mkdir(exist_ok=True)
        os.chmod(self.clients, 0o700)
        certificate, key = authority.new_client(ca, ca_key, user)
        _write(self.folder / layout.client_key_file(user), authority.key_pem(key), secret=True)
        _write(self.folder / layout.client_certificate_file(user), authority.pem(certificate))
        return self.folder / layout.client_certificate_file(user)

    def revoke(self, user: str) -> Path:
        """Adds `user` to the CRL and writes a new crl.pem."""
        ca, ca_key = self._ca()
        certificate = self.client_certificate(user)
        revoked = self.revoked()
        if user in revoked:
            raise PkiError(f'user "{user}" is already revoked')
        revoked[user] = {"serial": certificate.serial_number, "revoked_at": authority.now().isoformat(timespec="seconds")}
        self._sign_crl(ca, ca_key, revoked)
        _replace(self.folder / layout.REVOKED_FILE, (json.dumps(revoked, indent=2, sort_keys=True) + "\n").encode())
        return self.crl_file

    def refresh_crl(self, days: int = authority.CRL_DAYS) -> Path:
        """The same revocations, signed again with a new next update."""
        ca, ca_key = self._ca()
        self._sign_crl(ca, ca_key, self.revoked(), days)
        return self.crl_file

    def _sign_crl(self, ca, ca_key, revoked: dict[str, dict], days: int = authority.CRL_DAYS) -> None:
        entries = [(entry["serial"], dt.datetime.fromisoformat(entry["revoked_at"])) for entry in revoked.values()]
        _replace(self.crl_file, authority.pem(authority.new_crl(ca, ca_key, entries, days)))

    def crl_problem(self, days: int | None = None) -> str | None:
        """What is wrong, or soon wrong, with crl.pem: past its next update every client is refused."""
        next_update = self.crl_next_update()
        left = next_update - authority.now()
        fix = f"run `vpnctl pki refresh-crl` for {self.name} and deploy"
        if left.total_seconds() <= 0:
            return f"{self.crl_file} expired on {next_update:%Y-%m-%d}; the endpoint refuses every client: {fix}"
        if left.days < (CRL_WARNING_DAYS if days is None else days):
            return (f"{self.crl_file} expires on {next_update:%Y-%m-%d} ({left.days} days); "
                    f"then the endpoint refuses every client: {fix}")
        return None


CRL_WARNING_DAYS = 30


def crl_warnings(config, root: Path) -> list[str]:
    """The CRL problems of an environment's endpoints, so a deploy says so before clients are refused."""
    warnings = []
    for name, folder in layout.crl_folders(config).items():
        pki = Pki(root, folder)
        problem = pki.crl_problem() if pki.crl_file.is_file() else None
        if problem:
            warnings.append(f'client_vpn "{name}": {problem}')
    return warnings


def check_user(user: str) -> None:
    """Refuses a name that can't be a user's: it names files in a pki folder, so no path may pass."""
    _check_user(user)
