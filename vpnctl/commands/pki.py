"""`vpnctl pki init|issue|revoke|list|refresh-crl ENV [USER]`: the PKI behind an environment's Client VPN
(vpnctl/pki/)."""

from __future__ import annotations

import sys
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpn_schema.pki_layout import pki_folders
from vpnctl.commands.options import PKI_DIR_HELP
from vpnctl.exit_status import EXIT_CONFIG
from vpnctl.pki.store import Pki, PkiError, default_root


def add_parser(commands) -> None:
    pki = commands.add_parser("pki", help="the CA, server and user certificates, and CRL of an environment's Client VPN")
    actions = pki.add_subparsers(dest="pki_action", required=True)
    for action, summary, needs_user in (
        ("init", "create the CA, the server certificate and an empty CRL; never overwrites", False),
        ("issue", "issue a client certificate for USER", True),
        ("revoke", "revoke USER's certificate: a new CRL", True),
        ("list", "client certificates with expiry and revocation, and the CRL's next update", False),
        ("refresh-crl", "sign the CRL again with a new next update (before it expires, or clients are refused)", False),
    ):
        command = actions.add_parser(action, help=summary)
        command.add_argument("env", help="environment name")
        if needs_user:
            command.add_argument("user", help="user name (the certificate's CN)")
        command.add_argument("--pki-dir", type=Path, default=None, help=PKI_DIR_HELP)
        command.add_argument("--pki", default=None, help="which pki folder, when the environment names several")
        command.set_defaults(handler=run)


def run(args, environments: list[LoadedEnvironment]) -> int:
    environment = environments[0]
    root = args.pki_dir or default_root()
    try:
        names = _folders(environment, args.pki)
        if args.pki_action == "init":
            for name in names:
                Pki(root, name).init(f"server.{name}.vpn.internal")
                print(f"{environment.name}: CA, server certificate and CRL in {root / name}")
            print(f"Terraform reads them with TF_VAR_pki_dir={root}")
            return 0
        if len(names) != 1:
            raise PkiError(f"{environment.name} uses the pki folders {', '.join(names)}: choose one with --pki")
        pki = Pki(root, names[0])
        if args.pki_action == "issue":
            path = pki.issue(args.user)
            print(f'{environment.name}: certificate for "{args.user}" in {path} (key beside it, mode 0600)')
        elif args.pki_action == "revoke":
            path = pki.revoke(args.user)
            print(f'{environment.name}: "{args.user}" revoked; new CRL {path}')
            print(f"Endpoints enforce it after the next deploy: vpnctl deploy {environment.name} (or npx cdktf deploy). "
                  "Importing a CRL resets every connection of the endpoint: users reconnect.")
        elif args.pki_action == "refresh-crl":
            path = pki.refresh_crl()
            print(f"{environment.name}: CRL {path} signed again, next update {pki.crl_next_update():%Y-%m-%d}; "
                  f"deploy {environment.name} to import it (this resets every connection of the endpoint)")
        else:
            for cert in pki.certificates():
                status = f"revoked {cert.revoked_at}" if cert.revoked_at else "valid"
                print(f"{cert.user:24} serial {cert.serial:x}  expires {cert.not_after:%Y-%m-%d}  {status}")
            print(_crl_status(pki))
        return 0
    except PkiError as exc:
        print(f"vpnctl pki {args.pki_action}: {exc}", file=sys.stderr)
        return EXIT_CONFIG


def _crl_status(pki: Pki) -> str:
    problem = pki.crl_problem()
    return f"CRL: {problem}" if problem else f"CRL next update {pki.crl_next_update():%Y-%m-%d}"


def _folders(environment: LoadedEnvironment, chosen: str | None) -> list[str]:
    names = pki_folders(environment.config)
    if not names:
        raise PkiError(f"{environment.source}: no client_vpn certificate names a pki folder")
    if chosen is not None:
        if chosen not in names:
            raise PkiError(f"{environment.name} uses the pki folders {', '.join(names)}, not {chosen}")
        return [chosen]
    return names
