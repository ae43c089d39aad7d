"""What AWS and the PKI folder say about a deployed Client VPN endpoint: its state, associations, who is
connected, and when its certificates and CRL run out.

Certificates are dated from ACM (DescribeCertificate's NotAfter) when AWS holds them, else from the
`pki` folder's files; the CRL only from the folder, where `vpnctl pki` keeps it. No key is read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509

from vpn_schema import pki_layout as layout
from vpnctl.name_tags import NotDeployed, client_vpn_endpoint


@dataclass(frozen=True)
class Association:
    subnet_id: str
    association_id: str
    state: str


@dataclass(frozen=True)
class ClientConnection:
    connection_id: str
    common_name: str
    username: str
    client_ip: str
    connected_since: str  # as AWS writes it (ConnectionEstablishedTime, UTC)
    ingress_bytes: int
    egress_bytes: int


@dataclass(frozen=True)
class CertificateExpiry:
    role: str  # "server" or "client root"
    source: str  # "ACM" or the file it was read from
    not_after: dt.datetime | None


@dataclass(frozen=True)
class CrlExpiry:
    file: str
    next_update: dt.datetime | None  # None: the file is not on this machine


@dataclass
class EndpointStatus:
    name: str
    endpoint_id: str | None
    state: str  # AWS's Status.Code, or "not deployed"
    associations: list[Association] = field(default_factory=list)
    connections: list[ClientConnection] = field(default_factory=list)
    certificates: list[CertificateExpiry] = field(default_factory=list)
    crl: CrlExpiry | None = None
    note: str = ""
    problems: list = field(default_factory=list)  # filled by vpnctl.status_problems


def endpoint_status(session, environment: str, name: str, config, pki_root: Path) -> EndpointStatus:
    """The deployed endpoint `name` (client_vpn block `config`), found by its Name tag."""
    ec2 = session.client("ec2")
    try:
        endpoint = client_vpn_endpoint(ec2, environment, name)
    except NotDeployed as exc:
        return EndpointStatus(name, None, "not deployed", note=str(exc), crl=crl_expiry(config, pki_root))
    endpoint_id = endpoint["ClientVpnEndpointId"]
    return EndpointStatus(
        name, endpoint_id, endpoint["Status"]["Code"], associations(ec2, endpoint_id), connections(ec2, endpoint_id),
        certificates(session.client("acm"), endpoint, config, pki_root), crl_expiry(config, pki_root))


def associations(ec2, endpoint_id: str) -> list[Association]:
    out = []
    for page in ec2.get_paginator("describe_client_vpn_target_networks").paginate(ClientVpnEndpointId=endpoint_id):
        out += [Association(n["TargetNetworkId"], n["AssociationId"], n["Status"]["Code"])
                for n in page["ClientVpnTargetNetworks"]]
    return out


def connections(ec2, endpoint_id: str) -> list[ClientConnection]:
    """The active connections (AWS also lists ended ones for a while)."""
    out = []
    for page in ec2.get_paginator("describe_client_vpn_connections").paginate(ClientVpnEndpointId=endpoint_id):
        out += [ClientConnection(c["ConnectionId"], c.get("CommonName", ""), c.get("Username", ""),
                                 c.get("ClientIp", ""), c.get("ConnectionEstablishedTime", ""),
                                 int(c.get("IngressBytes") or 0), int(c.get("EgressBytes") or 0))
                for c in page["Connections"] if c.get("Status", {}).get("Code") == "active"]
    return out


def certificates(acm, endpoint: dict, config, pki_root: Path) -> list[CertificateExpiry]:
    """The server certificate and, with certificate authentication, the client root: ACM's date, else the file's."""
    roots = [o["MutualAuthentication"]["ClientRootCertificateChain"] for o in endpoint.get("AuthenticationOptions", [])
             if o.get("MutualAuthentication", {}).get("ClientRootCertificateChain")]
    wanted = [("server", endpoint.get("ServerCertificateArn"), config.server_certificate, layout.CERTIFICATE_FILE)]
    if roots:
        wanted.append(("client root", roots[0], config.client_root_certificate, layout.CHAIN_FILE))
    out = []
    for role, arn, source, file_name in wanted:
        not_after = _acm_not_after(acm, arn) if arn else None
        if not_after is not None:
            out.append(CertificateExpiry(role, "ACM", not_after))
        elif source is not None and source.pki:
            path = pki_root / source.pki / file_name
            out.append(CertificateExpiry(role, str(path), _file_not_after(path)))
        else:
            out.append(CertificateExpiry(role, "ACM", None))
    return out


def _acm_not_after(acm, arn: str) -> dt.datetime | None:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return acm.describe_certificate(CertificateArn=arn)["Certificate"].get("NotAfter")
    except (BotoCoreError, ClientError):  # not readable with these credentials: the file says it
        return None


def _file_not_after(path: Path) -> dt.datetime | None:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes()).not_valid_after_utc
    except (OSError, ValueError):
        return None


def crl_expiry(config, pki_root: Path) -> CrlExpiry | None:
    """When the CRL the endpoint enforces needs its next update; None without a client root from a pki folder."""
    from vpnctl.pki.store import Pki

    if not config.client_pki:
        return None
    pki = Pki(pki_root, config.client_pki)
    if not pki.crl_file.is_file():
        return CrlExpiry(str(pki.crl_file), None)
    return CrlExpiry(str(pki.crl_file), pki.crl_next_update())
