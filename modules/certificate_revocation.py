"""`CertificateRevocationList`: the client certificate revocation list a Client VPN endpoint enforces.

No provider resource imports a CRL (ImportClientVpnClientCertificateRevocationList),
so a `terraform_data` resource stands in. Its `triggers_replace` holds the
endpoint ID and the SHA-256 of the CRL file, so a new CRL (after `vpnctl pki
revoke`) or a new endpoint replaces it, and replacing it runs the import
command. Only the hash enters the JSON and state, and the file's path stays a
`pki_dir` variable reference.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from cdktf import DataResource, Fn, LocalExecProvisioner
from constructs import Construct

# The command the provisioner runs; `vpnctl` must be on PATH for Terraform (an activated
# virtualenv, or `vpnctl deploy`, which puts its own folder first on PATH).
DEFAULT_IMPORTER = ("vpnctl", "import-crl")


class CertificateRevocationList(Construct):
    """Imports `crl_file` into the endpoint whenever the file or the endpoint changes.

    Inputs: `endpoint_id`; `crl_file`, a Terraform expression of the CRL's path;
    `region` and optional `role_arn`, the same AWS account and role the provider
    uses; `importer`, the command's first words (default `vpnctl import-crl`).
    Output: `resource`, the terraform_data resource (to depend on).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        endpoint_id: str,
        crl_file: str,
        region: str,
        role_arn: str | None = None,
        importer: Sequence[str] = DEFAULT_IMPORTER,
    ) -> None:
        super().__init__(scope, id)
        command = [shlex.quote(word) for word in (*importer, "--region", region)]
        if role_arn:
            command += ["--role-arn", shlex.quote(role_arn)]
        # References travel as environment variables, so no path or ID is ever parsed by the shell.
        command += ["--endpoint", '"$CLIENT_VPN_ENDPOINT_ID"', "--file", '"$CRL_FILE"']
        self.resource = DataResource(
            self,
            "crl_import",
            triggers_replace={"endpoint_id": endpoint_id, "crl_sha256": Fn.filesha256(crl_file)},
            provisioners=[
                LocalExecProvisioner(
                    type="local-exec",
                    command=" ".join(command),
                    environment={"CLIENT_VPN_ENDPOINT_ID": endpoint_id, "CRL_FILE": crl_file},
                )
            ],
        )
