"""Offboarding one user of an environment (`vpnctl offboard`): revoke, import the CRL, end the sessions.

A revoked certificate is refused only once the endpoint holds the new CRL, and a session that is up
stays up until it is terminated (AWS's Client VPN admin guide), so offboarding is all three, in this
order: revoke in every pki folder that issued the user a certificate; import the new CRL through
Terraform, with a plan aimed at exactly the endpoints' CRL import resources
(modules/certificate_revocation.py), shown and applied only once approved; then terminate the user's
sessions on every endpoint that trusts that PKI and check none is left. Terminating before the import
would let the user reconnect at once.

Each decision is made from what is deployed, not from what this machine did last time: an endpoint
whose exported CRL already lists the user's serial is left alone, so a second run changes nothing and
says the user is already gone; a run stopped after the revocation (a plan answered "no") finishes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from stacks.config import LoadedEnvironment
from vpn_schema.naming import scope_id
from vpn_schema.pki_layout import client_certificate_file, crl_folders
from vpnctl.pki.store import Pki, PkiError, check_user

RESOURCE = "terraform_data"  # the CRL import's resource type (modules/certificate_revocation.py)


class UnknownUser(PkiError):
    """No pki folder of the environment issued the user a certificate (exit 2)."""


class OffboardFailed(RuntimeError):
    """Something deployed stands in the way (no endpoint, a CRL that didn't land, a session left): exit 1."""


@dataclass(frozen=True)
class Revoked:
    """The user's certificate in one pki folder: its serial, and whether it was revoked before this run."""

    pki: str
    folder: Path
    serial: int
    before: bool


@dataclass(frozen=True)
class Endpoint:
    """An endpoint that trusts a pki folder that issued the user; `listed`: its CRL lists the serial."""

    name: str
    pki: str
    endpoint_id: str
    listed: bool


def serial_text(serial: int) -> str:
    """As `vpnctl pki list` prints a serial."""
    return f"{serial:x}"


def revoke_everywhere(environment: LoadedEnvironment, root: Path, user: str) -> list[Revoked]:
    """Revokes `user` in each pki folder of the environment's endpoints that issued them a certificate
    (the folder's CA key signs the new crl.pem); those already revoked are reported, not revoked again."""
    folders = list(dict.fromkeys(crl_folders(environment.config).values()))
    if not folders:
        raise PkiError(f"{environment.source}: client_vpn: no endpoint authenticates with client certificates "
                       "from a pki folder, so there is no certificate to revoke")
    check_user(user)
    issuing = []
    for name in folders:
        pki = Pki(root, name)
        if not pki.exists():
            raise PkiError(f"{pki.folder}: ca.crt: no CA here; run `vpnctl pki init {environment.name}`, or name "
                           "the PKI root with --pki-dir or VPNCTL_PKI_DIR")
        if (pki.folder / client_certificate_file(user)).is_file():
            issuing.append(pki)
    if not issuing:
        raise UnknownUser("\n".join(
            f'{Pki(root, name).folder}: user "{user}": this PKI never issued them a certificate (no '
            f"{client_certificate_file(user)}); `vpnctl pki list {environment.name}` lists who holds one"
            for name in folders))
    out = []
    for pki in issuing:
        entry = pki.revoked().get(user)
        before = entry is not None
        if not before:
            pki.revoke(user)
            entry = pki.revoked()[user]
        out.append(Revoked(pki.name, pki.folder, int(entry["serial"]), before))
    return out


def lists(crl_pem: str | None, serial: int) -> bool:
    """Whether a PEM CRL (as ExportClientVpnClientCertificateRevocationList returns it) revokes `serial`."""
    if not crl_pem:
        return False
    try:
        crl = x509.load_pem_x509_crl(crl_pem.encode())
    except ValueError:
        return False
    return crl.get_revoked_certificate_by_serial_number(serial) is not None


def endpoints_trusting(ec2, environment: LoadedEnvironment, revoked: list[Revoked]) -> list[Endpoint]:
    """Each deployed endpoint whose client certificates come from a folder that issued the user, with
    whether the CRL it holds now lists the user's serial. OffboardFailed when one isn't deployed."""
    from vpnctl.name_tags import NotDeployed, client_vpn_endpoint

    serials = {r.pki: r.serial for r in revoked}
    out = []
    for name, pki in crl_folders(environment.config).items():
        if pki not in serials:
            continue
        try:
            endpoint_id = client_vpn_endpoint(ec2, environment.name, name)["ClientVpnEndpointId"]
        except NotDeployed as exc:
            raise OffboardFailed(f'client_vpn "{name}": {exc}') from None
        exported = ec2.export_client_vpn_client_certificate_revocation_list(ClientVpnEndpointId=endpoint_id)
        out.append(Endpoint(name, pki, endpoint_id, lists(exported.get("CertificateRevocationList"), serials[pki])))
    return out


def revocation_addresses(synthesized: dict, endpoints: list[str]) -> dict[str, str]:
    """Endpoint name -> the Terraform address of its CRL import, found by construct path
    (`revocation-<endpoint>/...`, vpn_schema.naming.scope_id) in the synthesized stack."""
    found = {}
    for name, body in synthesized.get("resource", {}).get(RESOURCE, {}).items():
        path = body.get("//", {}).get("metadata", {}).get("path", "")
        for endpoint in endpoints:
            if path.split("/")[1:2] == [scope_id("revocation", endpoint)]:
                found[endpoint] = f"{RESOURCE}.{name}"
    missing = [e for e in endpoints if e not in found]
    if missing:
        raise OffboardFailed(f"the synthesized stack has no CRL import for client_vpn {', '.join(missing)}")
    return found


def already_gone(revoked: list[Revoked], endpoints: list[Endpoint], ended: dict[str, list[str]]) -> bool:
    """Nothing was left to do: revoked before, every endpoint's CRL listed the serial, no session ended."""
    return all(r.before for r in revoked) and all(e.listed for e in endpoints) and not any(ended.values())


def end_sessions(ec2, endpoints: list[Endpoint], user: str, say: Callable[[str], None]) -> dict[str, list[str]]:
    """Terminates the user's active sessions on each endpoint, then waits until none is left; the IDs ended,
    by endpoint name."""
    from vpnctl.client_connections import terminate, wait_until_gone

    ended = {}
    for endpoint in endpoints:
        ended[endpoint.name] = terminate(ec2, endpoint.endpoint_id, user)
        wait_until_gone(ec2, endpoint.endpoint_id, user, say)
    return ended


def report(environment: str, user: str, revoked: list[Revoked], endpoints: list[Endpoint],
           imported: list[str], ended: dict[str, list[str]]) -> list[str]:
    """What was done, one line per thing, for stdout."""
    lines = []
    for r in revoked:
        how = "was already revoked" if r.before else "revoked"
        lines.append(f'{environment}: pki {r.pki}: "{user}" {how}, serial {serial_text(r.serial)} ({r.folder}/crl.pem)')
    serial = {r.pki: serial_text(r.serial) for r in revoked}
    for e in endpoints:
        how = "CRL imported" if e.name in imported else "the CRL it holds already"
        lines.append(f'{environment}: client_vpn {e.name} ({e.endpoint_id}): {how} lists serial {serial[e.pki]}')
        ids = ended.get(e.name, [])
        lines.append(f"{environment}: client_vpn {e.name}: " + (f"terminated {', '.join(ids)}" if ids else
                                                                f'no active connection of "{user}"'))
    if already_gone(revoked, endpoints, ended):
        lines.append(f'{environment}: "{user}" is already gone: revoked, listed in every endpoint\'s CRL, '
                     "no active connection")
    else:
        lines.append(f'{environment}: "{user}" is offboarded: no endpoint accepts the certificate, no session is left')
    return lines
