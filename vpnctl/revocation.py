"""`vpnctl import-crl`: what the stack's revocation resource runs on each new CRL.

Terraform's local-exec provisioner calls it with the endpoint ID and the CRL
file; it imports the file (ImportClientVpnClientCertificateRevocationList),
exports it back and compares, so a revocation that didn't land fails the apply
instead of passing silently. AWS resets every connection of the endpoint on
an import, so users reconnect.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from cryptography import x509


class RevocationError(RuntimeError):
    pass


def import_crl(ec2, endpoint_id: str, pem: str, wait_seconds: float = 120) -> int:
    """Imports `pem` into the endpoint; returns how many certificates it revokes."""
    try:
        crl = x509.load_pem_x509_crl(pem.encode())
    except ValueError:
        raise RevocationError("not a PEM-encoded certificate revocation list") from None
    ec2.import_client_vpn_client_certificate_revocation_list(
        ClientVpnEndpointId=endpoint_id, CertificateRevocationList=pem
    )
    # The export may lag the import (status "pending"): look again for a while before failing.
    deadline = time.monotonic() + wait_seconds
    while True:
        exported = ec2.export_client_vpn_client_certificate_revocation_list(ClientVpnEndpointId=endpoint_id)
        if _same(exported.get("CertificateRevocationList"), crl):
            return len(list(crl))
        if time.monotonic() >= deadline:
            status = exported.get("Status", {})
            raise RevocationError(
                f"{endpoint_id} did not report the imported CRL within {wait_seconds} s "
                f"(status {status.get('Code')}: {status.get('Message', '')})"
            )
        time.sleep(5)


def _same(landed: str | None, crl: x509.CertificateRevocationList) -> bool:
    try:
        return landed is not None and x509.load_pem_x509_crl(landed.encode()) == crl
    except ValueError:
        return False


def add_parser(commands, handler) -> None:
    command = commands.add_parser(
        "import-crl", help="import a CRL into a Client VPN endpoint and check it landed (run by Terraform)"
    )
    command.add_argument("--endpoint", required=True, help="Client VPN endpoint ID")
    command.add_argument("--file", type=Path, required=True, help="PEM CRL, e.g. <pki_dir>/<pki>/crl.pem")
    command.add_argument("--region", required=True)
    command.add_argument("--role-arn", default=None, help="role to assume, as the stack's provider does")
    command.set_defaults(handler=handler, without_environments=True)


def run(args) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from vpnctl.aws_session import session

    try:
        ec2 = session(args.region, args.role_arn).client("ec2")
        revoked = import_crl(ec2, args.endpoint, args.file.read_text())
    except (OSError, RevocationError, BotoCoreError, ClientError) as exc:
        print(f"vpnctl import-crl: {args.file}: {exc}", file=sys.stderr)
        return 1
    print(f"{args.endpoint}: imported {args.file.name}, {revoked} revoked certificate{'s' if revoked != 1 else ''}")
    return 0
