"""Throwaway certificates for offline plans and tests, made with `cryptography`.

Each folder gets a fresh CA and a server certificate from `vpnctl.pki.authority`,
as `vpnctl pki init` makes them, but the CA key is discarded:
these certificates exist so that Terraform's file() has something to read,
never to authenticate anyone. No key is ever committed.
"""

from __future__ import annotations

import os
from pathlib import Path

from vpn_schema.client_vpn import CERTIFICATE_FILE, CHAIN_FILE, CRL_FILE, PRIVATE_KEY_FILE
from vpnctl.pki import authority


def ensure_dev_pki(pki_dir: Path, folder: str, days: int = 30) -> Path:
    """Creates `pki_dir/folder` with ca.crt, server.crt, server.key and an empty crl.pem unless they exist."""
    target = pki_dir / folder
    files = [target / CERTIFICATE_FILE, target / PRIVATE_KEY_FILE, target / CHAIN_FILE, target / CRL_FILE]
    if all(f.is_file() for f in files):
        return target
    if any(f.exists() for f in files):
        raise FileExistsError(f"{target}: holds some of {', '.join(f.name for f in files)} but not all; not overwriting")
    target.mkdir(parents=True, exist_ok=True)
    os.chmod(target, 0o700)
    ca, ca_key = authority.new_ca(f"throwaway {folder} CA", days=days)
    server, server_key = authority.new_server(ca, ca_key, f"{folder}.vpn.invalid", days=days)
    (target / CHAIN_FILE).write_bytes(authority.pem(ca))
    (target / CERTIFICATE_FILE).write_bytes(authority.pem(server))
    (target / CRL_FILE).write_bytes(authority.pem(authority.new_crl(ca, ca_key, [])))
    key_path = target / PRIVATE_KEY_FILE
    key_path.touch(mode=0o600)
    key_path.write_bytes(authority.key_pem(server_key))
    return target


def pki_folders(config) -> list[str]:
    """The `pki` folder names an environment's Client VPN endpoints import from."""
    folders = []
    for endpoint in config.client_vpn.values():
        for source in (endpoint.server_certificate, endpoint.client_root_certificate):
            if source is not None and source.pki and source.pki not in folders:
                folders.append(source.pki)
    return folders
