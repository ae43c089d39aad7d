"""The Client VPN client configuration and certificate revocation list: ExportClientVpnClientConfiguration,
ImportClientVpnClientCertificateRevocationList and ExportClientVpnClientCertificateRevocationList."""

from __future__ import annotations

from moto.acm.models import acm_backends
from moto.core.responses import ActionResult

from aws_emulator.client_vpn_model import Endpoint
from aws_emulator.errors import invalid_parameter


class ClientConfigurationActions:
    def export_client_vpn_client_configuration(self) -> ActionResult:
        endpoint = self._endpoint()
        bundle = acm_backends[self.current_account][self.region].get_certificate(endpoint.server_certificate_arn)
        return ActionResult({"ClientConfiguration": client_configuration(endpoint, bundle.chain.decode().strip())})

    def import_client_vpn_client_certificate_revocation_list(self) -> ActionResult:
        endpoint = self._endpoint()
        text = self._required_param("CertificateRevocationList")
        from cryptography import x509

        try:
            x509.load_pem_x509_crl(text.encode())
        except ValueError:
            raise invalid_parameter("The certificate revocation list is not a valid PEM-encoded CRL") from None
        endpoint.crl = text
        return ActionResult({"Return": True})

    def export_client_vpn_client_certificate_revocation_list(self) -> ActionResult:
        endpoint = self._endpoint()
        if endpoint.crl is None:
            return ActionResult({"Status": {"Code": "pending", "Message": "No certificate revocation list has been imported"}})
        return ActionResult({"CertificateRevocationList": endpoint.crl, "Status": {"Code": "active"}})


def client_configuration(endpoint: Endpoint, ca_chain: str) -> str:
    """The OpenVPN profile as the Client VPN console and API export it: the client
    adds its own <cert> and <key>. A random subdomain stands in for the '*'."""
    lines = [
        "client",
        "dev tun",
        f"proto {endpoint.transport_protocol}",
        f"remote {endpoint.dns_name.lstrip('*.')} {endpoint.vpn_port}",
        "remote-random-hostname",
        "resolv-retry infinite",
        "nobind",
        "remote-cert-tls server",
        "cipher AES-256-GCM",
        "verb 3",
        "<ca>",
        ca_chain,
        "</ca>",
        "",
    ]
    if any(a["Type"] == "federated-authentication" for a in endpoint.authentication):
        lines += ["auth-user-pass", "auth-federate", "auth-retry interact", "auth-nocache", ""]
    elif any(a["Type"] == "directory-service-authentication" for a in endpoint.authentication):
        lines += ["auth-user-pass", ""]
    lines += ["reneg-sec 0", ""]
    return "\n".join(lines)
