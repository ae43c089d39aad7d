"""Customer gateways: CreateCustomerGateway, which keeps DeviceName, CertificateArn and BgpAsnExtended
(moto drops them) and checks the ASN ranges the EC2 API reference gives."""

from __future__ import annotations

from moto.core.responses import ActionResult
from moto.ec2.responses.customer_gateways import CustomerGateways

from aws_emulator.errors import invalid_parameter, missing_parameter


class CustomerGatewayActions:
    def create_customer_gateway(self) -> ActionResult:
        asn, extended = self._get_param("BgpAsn"), self._get_param("BgpAsnExtended")
        if asn and extended:
            raise invalid_parameter("Specify either BgpAsn or BgpAsnExtended, not both")
        if extended and not 2_147_483_648 <= int(extended) <= 4_294_967_295:
            raise invalid_parameter(f"BgpAsnExtended {extended} must be between 2147483648 and 4294967295")
        if asn and not 1 <= int(asn) <= 2_147_483_647:
            raise invalid_parameter(f"BgpAsn {asn} must be between 1 and 2147483647")
        certificate = self._get_param("CertificateArn")
        if not certificate and not (self._get_param("IpAddress") or self._get_param("PublicIp")):
            raise missing_parameter("IpAddress")
        result = CustomerGateways.create_customer_gateway(self)
        gateway = result.result["CustomerGateway"]
        if extended:
            gateway.bgp_asn = None
            gateway.bgp_asn_extended = str(extended)
        if self._get_param("DeviceName"):
            gateway.device_name = self._get_param("DeviceName")
        if certificate:
            gateway.certificate_arn = certificate
        return result
