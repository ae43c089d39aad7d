"""`Certificates`: the server certificate and the client root CA chain of a Client VPN endpoint, in ACM.

A certificate is either an existing ACM ARN or PEM files imported with
Terraform's file() from a folder under the `pki_dir` variable, so neither key
material nor a machine path is ever synthesized. The server's private key does
enter state (ACM import needs it); the CA's private key never does.
"""

from __future__ import annotations

from cdktf import Fn, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.acm_certificate import AcmCertificate
from constructs import Construct

from vpn_schema.client_vpn import CertificateSource
from vpn_schema.pki_layout import CERTIFICATE_FILE, CHAIN_FILE, PRIVATE_KEY_FILE


class Certificates(Construct):
    """Server certificate and client root chain ARNs for one endpoint.

    Args:
        name: tags each imported certificate `{name}-server` / `{name}-client_root`.
        server: the server certificate: an ACM ARN, or a `pki` folder to import.
        client_root: the CA chain client certificates must chain to. Default: the server
            certificate's chain.
        pki_dir: the Terraform expression of the folder holding `pki` folders (a variable
            reference, such as `${var.pki_dir}`); required when a source is a `pki` folder.
            Default: none.

    Attributes: `server_certificate_arn`, `client_root_certificate_chain_arn`; `imported`,
    role (`server`, `client_root`) -> the AcmCertificate imported from files, whose
    `not_after` (expiry) is worth an output.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        server: CertificateSource,
        client_root: CertificateSource | None = None,
        pki_dir: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        self._name = name
        self._pki_dir = pki_dir
        self.imported: dict[str, AcmCertificate] = {}
        self.server_certificate_arn = self._certificate("server", server)
        self.client_root_certificate_chain_arn = (
            self._certificate("client_root", client_root) if client_root else self.server_certificate_arn
        )

    def _certificate(self, role: str, source: CertificateSource) -> str:
        if source.acm_arn:
            return source.acm_arn
        if self._pki_dir is None:
            raise ValueError(f"{role}: a pki source needs pki_dir")
        folder = f"{self._pki_dir}/{source.pki}"
        certificate = AcmCertificate(
            self,
            role,
            certificate_body=Fn.file(f"{folder}/{CERTIFICATE_FILE}"),
            private_key=Fn.file(f"{folder}/{PRIVATE_KEY_FILE}"),
            certificate_chain=Fn.file(f"{folder}/{CHAIN_FILE}"),
            tags={"Name": f"{self._name}-{role}"},
            # A renewed certificate is imported in place; a replaced one must exist
            # before the endpoint lets go of the old one.
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        self.imported[role] = certificate
        return certificate.arn
