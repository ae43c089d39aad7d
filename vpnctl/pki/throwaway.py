"""Throwaway certificates for offline plans and tests: a pki folder made as `vpnctl pki init` makes one
(vpnctl.pki.store.create_folder), but without the CA key: these certificates exist so that Terraform's
file() has something to read, never to authenticate anyone. No key is ever committed.
"""

from __future__ import annotations

from pathlib import Path

from vpn_schema.pki_layout import ENDPOINT_FILES
from vpnctl.pki.store import create_folder


def ensure_dev_pki(pki_dir: Path, folder: str, days: int = 30) -> Path:
    """Creates `pki_dir/folder` with ca.crt, server.crt, server.key and an empty crl.pem unless they exist."""
    target = pki_dir / folder
    files = [target / name for name in ENDPOINT_FILES]
    if all(f.is_file() for f in files):
        return target
    if any(f.exists() for f in files):
        raise FileExistsError(f"{target}: holds some of {', '.join(f.name for f in files)} but not all; not overwriting")
    create_folder(target, f"throwaway {folder} CA", f"{folder}.vpn.invalid", keep_ca_key=False, days=days)
    return target
