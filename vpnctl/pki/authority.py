"""Certificates as Client VPN and ACM want them, made with `cryptography`.

AWS's rules (Client VPN administrator guide, "Mutual authentication"): RSA keys
of 1024 or 2048 bits only, and a client certificate needs a CN in its subject.
ACM imports a server certificate with its chain; Client VPN's server
certificate carries the serverAuth extended key usage and a DNS name, and a
client certificate the clientAuth one.
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from vpn_schema import pki_layout as layout

KEY_BITS = 2048  # the largest size Client VPN accepts
CA_DAYS = 3650
SERVER_DAYS = 825
CLIENT_DAYS = 365
# A CRL past its next update makes OpenVPN (and so Client VPN) reject every client, and nothing
# re-signs it but `vpnctl pki revoke` or `refresh-crl`: a long validity, watched by `pki list`.
CRL_DAYS = 180
_BACKDATE = dt.timedelta(minutes=5)  # clock skew between the machine and AWS


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)


def name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _builder(subject: x509.Name, issuer: x509.Name, key, days: int) -> x509.CertificateBuilder:
    start = now() - _BACKDATE
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=days))
    )


def new_ca(common_name: str, days: int = CA_DAYS) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    key = new_key()
    subject = name(common_name)
    certificate = (
        _builder(subject, subject, key, days)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, key_cert_sign=True, crl_sign=True,
                          encipher_only=False, decipher_only=False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return certificate, key


def _leaf(ca: x509.Certificate, ca_key, subject: str, days: int, usage, sans: list[x509.GeneralName]):
    key = new_key()
    builder = (
        _builder(name(subject), ca.subject, key, days)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, True, False, False, False, False, encipher_only=False, decipher_only=False),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(ca_key, hashes.SHA256()), key


def new_server(ca, ca_key, dns_name: str, days: int = SERVER_DAYS):
    """The endpoint's certificate: serverAuth, with its DNS name as CN and SAN (ACM wants a domain name)."""
    return _leaf(ca, ca_key, dns_name, days, ExtendedKeyUsageOID.SERVER_AUTH, [x509.DNSName(dns_name)])


def new_client(ca, ca_key, user: str, days: int = CLIENT_DAYS):
    """A user's certificate: clientAuth, the user as CN."""
    return _leaf(ca, ca_key, user, days, ExtendedKeyUsageOID.CLIENT_AUTH, [])


def new_crl(ca: x509.Certificate, ca_key, revoked: list[tuple[int, dt.datetime]], days: int = CRL_DAYS):
    """A CRL listing `revoked` (serial, when), signed by the CA."""
    start = now() - _BACKDATE
    builder = x509.CertificateRevocationListBuilder().issuer_name(ca.subject).last_update(start).next_update(
        start + dt.timedelta(days=days)
    )
    for serial, when in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build()
        )
    return builder.sign(ca_key, hashes.SHA256())


def pem(obj) -> bytes:
    return obj.public_bytes(serialization.Encoding.PEM)


def key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )


def new_endpoint_pki(ca_name: str, server_name: str, days: int | None = None) -> dict[str, tuple[bytes, bool]]:
    """The one way a pki folder starts: a new CA, its server certificate and an empty CRL. File name (as
    vpn_schema/pki_layout.py lays the folder out) -> (PEM bytes, whether it is a private key). `days`:
    the validity of both certificates (default: CA_DAYS and SERVER_DAYS)."""
    ca, ca_key = new_ca(ca_name, days=days or CA_DAYS)
    server, server_key = new_server(ca, ca_key, server_name, days=days or SERVER_DAYS)
    return {
        layout.CA_KEY_FILE: (key_pem(ca_key), True),
        layout.CHAIN_FILE: (pem(ca), False),
        layout.PRIVATE_KEY_FILE: (key_pem(server_key), True),
        layout.CERTIFICATE_FILE: (pem(server), False),
        layout.CRL_FILE: (pem(new_crl(ca, ca_key, [])), False),
    }
