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

from vpnctl.exit_status import EXIT_FAILED


class RevocationError(RuntimeError):
    pass


PROGRESS_EVERY = 15.0
# The export may lag the import ("pending", or the previous CRL for a while). Not landed after
# this long is an AWS-side problem worth stopping the apply for; a line every 15 s says why it waits.
PENDING_LIMIT = 600.0


def import_crl(ec2, endpoint_id: str, pem: str, pending_limit: float = PENDING_LIMIT, poll: float = 5.0) -> int:
    """Imports `pem` into the endpoint; returns how many certificates it revokes.

    Then exports it back until the endpoint reports the same CRL, saying every 15 s what it waits for.
    """
    try:
        crl = x509.load_pem_x509_crl(pem.encode())
    except ValueError:
        raise RevocationError("not a PEM-encoded certificate revocation list") from None
    ec2.import_client_vpn_client_certificate_revocation_list(
        ClientVpnEndpointId=endpoint_id, CertificateRevocationList=pem
    )
    started = reported = time.monotonic()
    while True:
        exported = ec2.export_client_vpn_client_certificate_revocation_list(ClientVpnEndpointId=endpoint_id)
        if _same(exported.get("CertificateRevocationList"), crl):
            return len(list(crl))
        status = exported.get("Status", {})
        waited = time.monotonic() - started
        if waited >= pending_limit:
            raise RevocationError(
                f"{endpoint_id} still reports another CRL than the one imported after {waited:.0f} s "
                f"(status {status.get('Code')}: {status.get('Message', '')})"
            )
        if time.monotonic() - reported >= PROGRESS_EVERY:
            print(f"{endpoint_id}: waiting for the endpoint to report the imported CRL ({waited:.0f} s; "
                  f"status {status.get('Code')})", flush=True)
            reported = time.monotonic()
        time.sleep(poll)


def _same(landed: str | None, crl: x509.CertificateRevocationList) -> bool:
    try:
        return landed is not None and x509.load_pem_x509_crl(landed.encode()) == crl
    except ValueError:
        return False


def add_parser(commands) -> None:
    command = commands.add_parser(
        "import-crl", help="import a CRL into a Client VPN endpoint and check it landed (run by Terraform)"
    )
    command.add_argument("--endpoint", required=True, help="Client VPN endpoint ID")
    command.add_argument("--file", type=Path, required=True, help="PEM CRL, e.g. <pki_dir>/<pki>/crl.pem")
    command.add_argument("--region", required=True)
    command.add_argument("--role-arn", default=None, help="role to assume, as the stack's provider does")
    command.set_defaults(handler=run, without_environments=True)


def run(args) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from vpnctl.aws_session import session

    try:
        ec2 = session(args.region, args.role_arn).client("ec2")
        revoked = import_crl(ec2, args.endpoint, args.file.read_text())
    except (OSError, RevocationError, BotoCoreError, ClientError) as exc:
        print(f"vpnctl import-crl: {args.file}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{args.endpoint}: imported {args.file.name}, {revoked} revoked certificate{'s' if revoked != 1 else ''}")
    return 0
