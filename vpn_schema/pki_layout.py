"""The PKI folders a config needs and the files in each: one home for the layout that the stacks'
file() references, `vpnctl pki` and the throwaway certificates of local runs all read. cdktf-free.

One folder per `pki` name under a root (Terraform's `pki_dir`):

    <pki>/ca.crt  ca.key  server.crt  server.key  crl.pem  revoked.json
    <pki>/clients/<user>.crt  <user>.key

Terraform reads only ca.crt, server.crt, server.key (ACM import) and crl.pem (the CRL import);
ca.key and the client keys never enter it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vpn_schema.client_vpn import CertificateSource
    from vpn_schema.environment import Environment

__all__ = [
    "CA_KEY_FILE",
    "CERTIFICATE_FILE",
    "CHAIN_FILE",
    "CLIENTS_FOLDER",
    "CRL_FILE",
    "ENDPOINT_FILES",
    "PRIVATE_KEY_FILE",
    "REVOKED_FILE",
    "client_certificate_file",
    "client_key_file",
    "crl_folders",
    "pki_folders",
]

# The four files Terraform reads from a certificate's `pki` folder.
CERTIFICATE_FILE = "server.crt"
PRIVATE_KEY_FILE = "server.key"
CHAIN_FILE = "ca.crt"
CRL_FILE = "crl.pem"
CA_KEY_FILE = "ca.key"  # the CA's private key: never read by Terraform
REVOKED_FILE = "revoked.json"  # the revocations the CRL lists, by user
CLIENTS_FOLDER = "clients"
# What an endpoint's folder must hold for Terraform's file() references.
ENDPOINT_FILES = (CERTIFICATE_FILE, PRIVATE_KEY_FILE, CHAIN_FILE, CRL_FILE)


def client_certificate_file(user: str) -> str:
    """A user's certificate, relative to the pki folder."""
    return f"{CLIENTS_FOLDER}/{user}.crt"


def client_key_file(user: str) -> str:
    """A user's private key, relative to the pki folder."""
    return f"{CLIENTS_FOLDER}/{user}.key"


def certificate_sources(config: Environment) -> list[CertificateSource]:
    """Every endpoint's server and client root certificate sources (a pki folder or an ACM ARN), in config order."""
    return [source for endpoint in config.client_vpn.values()
            for source in (endpoint.server_certificate, endpoint.client_root_certificate) if source is not None]


def pki_folders(config: Environment) -> list[str]:
    """The `pki` folder names an environment's Client VPN endpoints import certificates from, in config order."""
    return list(dict.fromkeys(source.pki for source in certificate_sources(config) if source.pki))


def crl_folders(config: Environment) -> dict[str, str]:
    """Endpoint name -> the `pki` folder whose crl.pem the endpoint enforces (certificate authentication
    with a client root from a pki folder)."""
    return {name: endpoint.client_pki for name, endpoint in config.client_vpn.items() if endpoint.client_pki}
