"""`Certificates`: the server certificate and the client root CA chain of a Client VPN endpoint, in ACM.

A certificate is either an existing ACM ARN or PEM files imported with
Terraform's file() from a folder under the `pki_dir` variable, so neither key
material nor a machine path is ever synthesized. The server's private key does
enter state (ACM import needs it); the CA's private key never does.
"""

from __future__ import annotations

from cdktf import Fn, TerraformOutput, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.acm_certificate import AcmCertificate
from constructs import Construct

from vpn_schema.client_vpn import CERTIFICATE_FILE, CHAIN_FILE, PRIVATE_KEY_FILE, CertificateSource


class Certificates(Construct):
    """Server certificate and client root chain ARNs for one endpoint.

    Inputs: `server` and optional `client_root` sources; `pki_dir`, the Terraform
    expression of the folder that holds `pki` sources (a variable reference).
    Outputs: `server_certificate_arn`, `client_root_certificate_chain_arn`, and for
    imported certificates the expiry date (`not_after`) as a stack output.
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
        TerraformOutput(
            self,
            f"{role}_not_after",
            value=certificate.not_after,
            description=f"Expiry of the {role} certificate of {self._name}",
        ).override_logical_id(f"client_vpn_{self._name}_{role}_certificate_not_after")
        return certificate.arn
