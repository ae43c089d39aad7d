"""Seeding the local AWS: what an environment names as already existing (vpn_schema/prerequisites.py),
created in the emulator under the config's IDs. It is kept apart from the stacks, which never create these.
"""

from __future__ import annotations

from pathlib import Path

from vpn_schema import prerequisites
from vpn_schema.pki_layout import CERTIFICATE_FILE, CHAIN_FILE, PRIVATE_KEY_FILE
from vpnctl.emulator_process import LocalAws
from vpnctl.pki import authority
from vpnctl.pki.throwaway import ensure_dev_pki
from vpnctl.preshared_keys import generate_preshared_key


def certificate_seed(config, pki_dir: Path) -> list[dict]:
    """ACM certificates the config names by ARN, as throwaway certificates under those ARNs."""
    out = []
    for arn in prerequisites.acm_certificate_arns(config):
        folder = ensure_dev_pki(pki_dir, "acm-" + arn.rsplit("/", 1)[1])
        out.append(
            {
                "arn": arn,
                "certificate": (folder / CERTIFICATE_FILE).read_text(),
                "private_key": (folder / PRIVATE_KEY_FILE).read_text(),
                "chain": (folder / CHAIN_FILE).read_text(),
            }
        )
    return out


def seed_environment(aws: LocalAws, config, pki_dir: Path, secret_values: dict[str, str] | None = None) -> list[str]:
    """Creates everything `config` names as pre-existing. Keys are random valid ones unless
    `secret_values` names a value; ACM certificates named by ARN are throwaway ones made in
    `pki_dir`. Returns the secret names. Safe to run twice."""
    from botocore.exceptions import ClientError

    aws.post("/_vpn_emulator/seed", {**prerequisites.network(config), "certificates": certificate_seed(config, pki_dir)})
    try:
        aws.create_bucket(config.state.bucket, config.state.region)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    names = prerequisites.preshared_key_secrets(config)
    existing = {s["Name"] for s in aws.client("secretsmanager", config.region).list_secrets().get("SecretList", [])}
    for name in names:
        if name not in existing:
            aws.put_secret(name, (secret_values or {}).get(name) or generate_preshared_key(), config.region)
    iam = aws.client("iam", config.region)
    known = {p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]}
    for arn in prerequisites.saml_provider_arns(config):
        if arn not in known:
            name = arn.rsplit("/", 1)[1]
            iam.create_saml_provider(Name=name, SAMLMetadataDocument=_saml_metadata(name))
    return names


def _saml_metadata(name: str) -> str:
    """IdP metadata for a stand-in provider: a throwaway signing certificate and a login URL.
    IAM wants a well-formed document of at least 1,000 characters; nobody signs in with it."""
    import base64

    from cryptography.hazmat.primitives import serialization

    certificate, _ = authority.new_ca(f"throwaway IdP {name}", days=30)
    body = base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()
    return (
        '<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'entityID="https://idp.invalid/{name}"><md:IDPSSODescriptor '
        'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing">'
        '<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>'
        f"{body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        f'Location="https://idp.invalid/{name}/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>'
    )
