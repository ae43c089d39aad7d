"""Seeding the local AWS: what an environment names as already existing, under the config's IDs.

The VPC, subnets, route tables, transit gateway and its route tables, ACM
certificates named by ARN, SAML providers, bring-your-own pre-shared key
secrets and the state bucket. It is kept apart from the stacks, which never
create these.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from vpn_schema.client_vpn import CERTIFICATE_FILE, CHAIN_FILE, PRIVATE_KEY_FILE
from vpnctl.local_aws import LocalAws
from vpnctl.preshared_keys import generate_preshared_key


def network_seed(config) -> dict:
    """The VPC, its subnets (a /24 each, in order, from the VPC's CIDR), route tables and transit gateways."""
    vpcs = [_vpc_seed(config.vpc)] if config.vpc is not None else []
    gateways: dict[str, set[str]] = {}
    for site in config.sites.values():
        if site.transit_gateway:
            tables_of = gateways.setdefault(site.transit_gateway.id, set())
            tables_of.update([site.transit_gateway.route_table_id, *site.transit_gateway.learning_route_table_ids])
    return {
        "region": config.region,
        "vpcs": vpcs,
        "transit_gateways": [{"id": gateway, "route_table_ids": sorted(ids)} for gateway, ids in gateways.items()],
    }


def _vpc_seed(vpc) -> dict:
    blocks = ipaddress.ip_network(vpc.cidr).subnets(new_prefix=max(24, ipaddress.ip_network(vpc.cidr).prefixlen + 4))
    subnets, tables = [], {table_id: [] for table_id in vpc.route_table_ids}
    for (subnet_id, subnet), block in zip(vpc.subnets.items(), blocks):
        subnets.append({"id": subnet_id, "cidr": str(block), "availability_zone": subnet.availability_zone})
        if subnet.route_table_id:
            tables.setdefault(subnet.route_table_id, []).append(subnet_id)
    return {
        "id": vpc.id,
        "cidr": vpc.cidr,
        "subnets": subnets,
        "route_tables": [{"id": table_id, "subnet_ids": ids} for table_id, ids in tables.items()],
    }


def certificate_seed(config, pki_dir: Path) -> list[dict]:
    """ACM certificates the config names by ARN, as throwaway certificates under those ARNs."""
    from vpnctl.dev_pki import ensure_dev_pki

    out = []
    for endpoint in config.client_vpn.values():
        for source in (endpoint.server_certificate, endpoint.client_root_certificate):
            if source is None or not source.acm_arn or any(c["arn"] == source.acm_arn for c in out):
                continue
            folder = ensure_dev_pki(pki_dir, "acm-" + source.acm_arn.rsplit("/", 1)[1])
            out.append(
                {
                    "arn": source.acm_arn,
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

    aws.post("/_vpn_emulator/seed", {**network_seed(config), "certificates": certificate_seed(config, pki_dir)})
    try:
        aws.create_bucket(config.state.bucket, config.state.region)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    names = []
    for site in config.sites.values():
        for tunnel in site.tunnel:
            if tunnel.preshared_key_secret and tunnel.preshared_key_secret not in names:
                names.append(tunnel.preshared_key_secret)
    existing = {s["Name"] for s in aws.client("secretsmanager", config.region).list_secrets().get("SecretList", [])}
    for name in names:
        if name not in existing:
            aws.put_secret(name, (secret_values or {}).get(name) or generate_preshared_key(), config.region)
    iam = aws.client("iam", config.region)
    known = {p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]}
    for arn in _saml_provider_arns(config):
        if arn not in known:
            name = arn.rsplit("/", 1)[1]
            iam.create_saml_provider(Name=name, SAMLMetadataDocument=_saml_metadata(name))
    return names


def _saml_provider_arns(config) -> list[str]:
    arns = []
    for endpoint in config.client_vpn.values():
        for arn in (getattr(endpoint, "saml_provider_arn", None), getattr(endpoint, "self_service_saml_provider_arn", None)):
            if arn and arn not in arns:
                arns.append(arn)
    return arns


def _saml_metadata(name: str) -> str:
    """IdP metadata for a stand-in provider: a throwaway signing certificate and a login URL.
    IAM wants a well-formed document of at least 1,000 characters; nobody signs in with it."""
    import base64
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"throwaway IdP {name}")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    body = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
    return (
        '<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'entityID="https://idp.invalid/{name}"><md:IDPSSODescriptor '
        'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing">'
        '<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>'
        f"{body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        f'Location="https://idp.invalid/{name}/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>'
    )
