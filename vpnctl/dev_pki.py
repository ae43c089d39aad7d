"""Throwaway certificates for offline plans and tests, made with `cryptography`.

Each folder gets a fresh CA and a server certificate that meets ACM's import
rules for Client VPN (RSA 2048, a SAN, serverAuth). The CA key is discarded:
these certificates exist so that Terraform's file() has something to read,
never to authenticate anyone. No key is ever committed.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from modules.client_vpn_props import CERTIFICATE_FILE, CHAIN_FILE, PRIVATE_KEY_FILE


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def ensure_dev_pki(pki_dir: Path, folder: str, days: int = 30) -> Path:
    """Creates `pki_dir/folder` with ca.crt, server.crt and server.key unless they exist."""
    target = pki_dir / folder
    files = [target / CERTIFICATE_FILE, target / PRIVATE_KEY_FILE, target / CHAIN_FILE]
    if all(f.is_file() for f in files):
        return target
    if any(f.exists() for f in files):
        raise FileExistsError(f"{target}: holds some of {', '.join(f.name for f in files)} but not all; not overwriting")
    target.mkdir(parents=True, exist_ok=True)
    os.chmod(target, 0o700)
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name(f"throwaway {folder} CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    dns = f"{folder}.vpn.invalid"
    server = (
        x509.CertificateBuilder()
        .subject_name(_name(dns))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns)]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    (target / CHAIN_FILE).write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (target / CERTIFICATE_FILE).write_bytes(server.public_bytes(serialization.Encoding.PEM))
    key_path = target / PRIVATE_KEY_FILE
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
    )
    return target


def pki_folders(config) -> list[str]:
    """The `pki` folder names an environment's Client VPN endpoints import from."""
    folders = []
    for endpoint in config.client_vpn.values():
        for source in (endpoint.server_certificate, endpoint.client_root_certificate):
            if source is not None and source.pki and source.pki not in folders:
                folders.append(source.pki)
    return folders
