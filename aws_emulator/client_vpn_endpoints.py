"""Client VPN endpoints: CreateClientVpnEndpoint, DescribeClientVpnEndpoints, ModifyClientVpnEndpoint and
DeleteClientVpnEndpoint, as the EC2 API reference gives them."""

from __future__ import annotations

import ipaddress

from moto.core.responses import ActionResult
from moto.ec2.utils import random_id

from aws_emulator.aws_limits import CLIENT_CIDR_PREFIX
from aws_emulator.client_vpn_checks import (
    CLIENT_OPTIONS,
    connection_log_options,
    dns_servers,
    session_timeout,
    vpn_port,
)
from aws_emulator.client_vpn_model import Endpoint, endpoints_of
from aws_emulator.errors import incorrect_state, invalid_parameter, missing_parameter

AUTH_TYPES = {"certificate-authentication", "directory-service-authentication", "federated-authentication"}


class EndpointActions:
    def create_client_vpn_endpoint(self) -> ActionResult:
        network = _client_cidr(self._required_param("ClientCidrBlock"))
        server_cert = self._required_param("ServerCertificateArn")
        self._certificate_exists(server_cert, "server certificate")
        authentication = self._authentication_options()
        log = self._get_param("ConnectionLogOptions") or {}
        if "Enabled" not in log:
            raise missing_parameter("ConnectionLogOptions.Enabled")
        connection_log = connection_log_options(log)
        port = vpn_port(self._get_param("VpnPort") or 443)
        protocol = self._get_param("TransportProtocol") or "udp"
        if protocol not in ("udp", "tcp"):
            raise invalid_parameter(f"Transport protocol {protocol} is not valid")
        dns = dns_servers(self._get_param("DnsServers", []))
        timeout = session_timeout(self._get_param("SessionTimeoutHours") or 24)
        vpc_id, groups = self._endpoint_vpc()
        endpoint = Endpoint(
            id=random_id("cvpn-endpoint"),
            region=self.region,
            client_cidr=str(network),
            server_certificate_arn=server_cert,
            authentication=authentication,
            connection_log=connection_log,
            transport_protocol=protocol,
            vpn_port=port,
            split_tunnel=bool(self._get_param("SplitTunnel", False)),
            dns_servers=dns,
            description=self._get_param("Description") or "",
            vpc_id=vpc_id,
            security_group_ids=groups,
            self_service_portal=self._get_param("SelfServicePortal") or "disabled",
            session_timeout_hours=timeout,
            disconnect_on_session_timeout=bool(self._get_param("DisconnectOnSessionTimeout", True)),
            tags=self._parse_tag_specification().get("client-vpn-endpoint", {}),
            **({attr: dict(default) for _, attr, default in CLIENT_OPTIONS} | self._client_options()),
        )
        endpoints_of(self.ec2_backend)[endpoint.id] = endpoint
        return ActionResult({"ClientVpnEndpointId": endpoint.id, "Status": {"Code": endpoint.state}, "DnsName": endpoint.dns_name})

    def _authentication_options(self) -> list[dict]:
        authentication = self._get_param("AuthenticationOptions", [])
        if not 1 <= len(authentication) <= 2:
            raise invalid_parameter("Specify one or two authentication options")
        for option in authentication:
            if option.get("Type") not in AUTH_TYPES:
                raise invalid_parameter(f"Authentication type {option.get('Type')} is not valid")
            if option["Type"] == "certificate-authentication":
                self._certificate_exists(option.get("MutualAuthentication", {}).get("ClientRootCertificateChainArn", ""), "client root certificate chain")
        return authentication

    def _endpoint_vpc(self) -> tuple[str | None, list[str]]:
        """The VPC a new endpoint names, and its security groups (the VPC's default group when it names none)."""
        vpc_id = self._get_param("VpcId")
        if vpc_id:
            self.ec2_backend.get_vpc(vpc_id)
        groups = self._security_groups(vpc_id, self._get_param("SecurityGroupIds", []))
        if vpc_id and not groups:
            groups = [self.ec2_backend.get_default_security_group(vpc_id).id]
        return vpc_id, groups

    def describe_client_vpn_endpoints(self) -> ActionResult:
        ids = self._get_param("ClientVpnEndpointIds", [])
        for endpoint_id in ids:
            self._endpoint(endpoint_id)
        return self._described(
            list(endpoints_of(self.ec2_backend).values()),
            {"endpoint-id": lambda e: e.id, "transport-protocol": lambda e: e.transport_protocol},
            "ClientVpnEndpoints", ids, "endpoint-id",
        )

    def modify_client_vpn_endpoint(self) -> ActionResult:
        endpoint = self._endpoint()
        server_cert = self._get_param("ServerCertificateArn")
        if server_cert:
            self._certificate_exists(server_cert, "server certificate")
            endpoint.server_certificate_arn = server_cert
        log = self._get_param("ConnectionLogOptions")
        if log is not None:
            endpoint.connection_log = connection_log_options(log)
        dns = self._get_param("DnsServers")
        if dns is not None:
            endpoint.dns_servers = dns_servers(dns.get("CustomDnsServers", []) if dns.get("Enabled", True) else [])
        port = self._get_param("VpnPort")
        if port is not None:
            endpoint.vpn_port = vpn_port(port)
        for param, attr in (("Description", "description"), ("SelfServicePortal", "self_service_portal")):
            value = self._get_param(param)
            if value is not None:
                setattr(endpoint, attr, value)
        if self._get_param("SplitTunnel") is not None:
            endpoint.split_tunnel = bool(self._get_param("SplitTunnel"))
        if self._get_param("DisconnectOnSessionTimeout") is not None:
            endpoint.disconnect_on_session_timeout = bool(self._get_param("DisconnectOnSessionTimeout"))
        timeout = self._get_param("SessionTimeoutHours")
        if timeout is not None:
            endpoint.session_timeout_hours = session_timeout(timeout)
        for attr, value in self._client_options().items():
            setattr(endpoint, attr, value)
        groups = self._get_param("SecurityGroupIds")
        if groups is not None:
            vpc_id = self._get_param("VpcId") or endpoint.vpc_id
            endpoint.use_security_groups(vpc_id, self._security_groups(vpc_id, groups))
        return ActionResult({"Return": True})

    def delete_client_vpn_endpoint(self) -> ActionResult:
        endpoint = self._endpoint()
        if endpoint.live_networks():
            raise incorrect_state(f"Client VPN endpoint {endpoint.id} has target networks associated; disassociate them first")
        del endpoints_of(self.ec2_backend)[endpoint.id]
        return ActionResult({"Status": {"Code": "deleting"}})


def _client_cidr(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        network = ipaddress.ip_network(cidr)
    except ValueError:
        raise invalid_parameter(f"Client CIDR block {cidr} is not a valid CIDR block") from None
    low, high = CLIENT_CIDR_PREFIX
    if network.version != 4 or not low <= network.prefixlen <= high:
        raise invalid_parameter(f"Client CIDR block {cidr} must have a prefix length between /{low} and /{high}")
    return network
