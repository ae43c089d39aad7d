"""Client VPN, which moto lacks: endpoints, target networks, authorization rules,
routes, security groups, the client configuration export and the CRL.

State lives on moto's EC2 backend for the account and region, so moto's reset
clears it too. Transitional states ("associating", "authorizing", "creating")
are what the create calls answer; the next Describe finds the settled state,
which is what the provider's waiters poll for.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from datetime import UTC, datetime

from moto.acm.exceptions import AWSError
from moto.acm.models import acm_backends
from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.utils import random_id

from aws_emulator.aws_limits import CLIENT_CIDR_PREFIX, SESSION_TIMEOUT_HOURS, VPN_PORTS
from aws_emulator.describe import apply_filters, paginate, tag_list
from aws_emulator.errors import incorrect_state, invalid_parameter, missing_parameter, not_found

AUTH_TYPES = {"certificate-authentication", "directory-service-authentication", "federated-authentication"}
ENDPOINT_NOT_FOUND = "InvalidClientVpnEndpointId.NotFound"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class TargetNetwork:
    association_id: str
    endpoint_id: str
    subnet_id: str
    vpc_id: str
    availability_zone: str
    security_groups: list[str]
    status: str = "associating"

    def describe(self) -> dict:
        if self.status == "associating":
            self.status = "associated"
        return {
            "AssociationId": self.association_id,
            "VpcId": self.vpc_id,
            "TargetNetworkId": self.subnet_id,
            "ClientVpnEndpointId": self.endpoint_id,
            "Status": {"Code": self.status},
            "SecurityGroups": list(self.security_groups),
        }


@dataclass
class AuthorizationRule:
    endpoint_id: str
    destination_cidr: str
    group_id: str
    access_all: bool
    description: str
    status: str = "authorizing"

    def describe(self) -> dict:
        if self.status == "authorizing":
            self.status = "active"
        out = {
            "ClientVpnEndpointId": self.endpoint_id,
            "Description": self.description,
            "AccessAll": self.access_all,
            "DestinationCidr": self.destination_cidr,
            "Status": {"Code": self.status},
        }
        if self.group_id:
            out["GroupId"] = self.group_id
        return out


@dataclass
class Route:
    endpoint_id: str
    destination_cidr: str
    target_subnet: str
    origin: str  # "add-route", or "associate" for the VPC route an association adds
    description: str
    status: str = "creating"

    def describe(self) -> dict:
        if self.status == "creating":
            self.status = "active"
        out = {
            "ClientVpnEndpointId": self.endpoint_id,
            "DestinationCidr": self.destination_cidr,
            "TargetSubnet": self.target_subnet,
            "Type": "Nat",
            "Origin": self.origin,
            "Status": {"Code": self.status},
        }
        if self.description:
            out["Description"] = self.description
        return out


@dataclass
class Endpoint:
    id: str
    region: str
    client_cidr: str
    server_certificate_arn: str
    authentication: list[dict]
    connection_log: dict
    transport_protocol: str
    vpn_port: int
    split_tunnel: bool
    dns_servers: list[str]
    description: str
    vpc_id: str | None
    security_group_ids: list[str]
    self_service_portal: str
    session_timeout_hours: int
    client_connect: dict
    login_banner: dict
    route_enforcement: dict
    disconnect_on_session_timeout: bool
    tags: dict[str, str]
    created: str = field(default_factory=_now)
    networks: dict[str, TargetNetwork] = field(default_factory=dict)
    rules: list[AuthorizationRule] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    crl: str | None = None

    @property
    def dns_name(self) -> str:
        return f"*.{self.id}.prod.clientvpn.{self.region}.amazonaws.com"

    @property
    def state(self) -> str:
        live = [n for n in self.networks.values() if n.status in ("associating", "associated")]
        return "available" if live else "pending-associate"

    def describe(self) -> dict:
        out = {
            "ClientVpnEndpointId": self.id,
            "Description": self.description,
            "Status": {"Code": self.state},
            "CreationTime": self.created,
            "DnsName": self.dns_name,
            "ClientCidrBlock": self.client_cidr,
            "DnsServers": list(self.dns_servers),
            "SplitTunnel": self.split_tunnel,
            "VpnProtocol": "openvpn",
            "TransportProtocol": self.transport_protocol,
            "VpnPort": self.vpn_port,
            "ServerCertificateArn": self.server_certificate_arn,
            "AuthenticationOptions": [_describe_auth(a) for a in self.authentication],
            "ConnectionLogOptions": self.connection_log,
            "Tags": tag_list(self.tags),
            "SecurityGroupIds": list(self.security_group_ids),
            "SelfServicePortalUrl": (
                f"https://self-service.clientvpn.amazonaws.com/endpoints/{self.id}"
                if self.self_service_portal == "enabled"
                else ""
            ),
            "ClientConnectOptions": {**self.client_connect, "Status": {"Code": "applied"}},
            "SessionTimeoutHours": self.session_timeout_hours,
            "ClientLoginBannerOptions": self.login_banner,
            "ClientRouteEnforcementOptions": self.route_enforcement,
            "DisconnectOnSessionTimeout": self.disconnect_on_session_timeout,
        }
        if self.vpc_id:
            out["VpcId"] = self.vpc_id
        return out


def _describe_auth(request: dict) -> dict:
    kind = request["Type"]
    out: dict = {"Type": kind}
    if kind == "certificate-authentication":
        out["MutualAuthentication"] = {"ClientRootCertificateChain": request["MutualAuthentication"]["ClientRootCertificateChainArn"]}
    elif kind == "directory-service-authentication":
        out["ActiveDirectory"] = {"DirectoryId": request["ActiveDirectory"]["DirectoryId"]}
    else:
        federated = request["FederatedAuthentication"]
        out["FederatedAuthentication"] = {
            "SamlProviderArn": federated["SAMLProviderArn"],
            "SelfServiceSamlProviderArn": federated.get("SelfServiceSAMLProviderArn", ""),
        }
    return out


def endpoints_of(backend) -> dict[str, Endpoint]:
    return backend.__dict__.setdefault("client_vpn_endpoints", {})


class ClientVpnResponses:
    """EC2 actions for Client VPN, mixed into moto's EC2Response (see aws_emulator.app)."""

    # ---- helpers -------------------------------------------------------------

    def _endpoint(self, endpoint_id: str | None = None) -> Endpoint:
        endpoint_id = endpoint_id or self._get_param("ClientVpnEndpointId")
        if not endpoint_id:
            raise missing_parameter("ClientVpnEndpointId")
        endpoint = endpoints_of(self.ec2_backend).get(endpoint_id)
        if endpoint is None:
            raise not_found(ENDPOINT_NOT_FOUND, "Client VPN endpoint", endpoint_id)
        return endpoint

    def _certificate_exists(self, arn: str, what: str) -> None:
        try:
            acm_backends[self.current_account][self.region].get_certificate(arn)
        except AWSError:  # not found, or an ARN ACM can't parse
            raise invalid_parameter(f"Certificate {arn} does not exist ({what})") from None

    def _security_groups(self, vpc_id: str | None, group_ids: list[str]) -> list[str]:
        if group_ids and not vpc_id:
            raise invalid_parameter("A VPC ID is required when security groups are specified")
        for group_id in group_ids:
            group = self.ec2_backend.get_security_group_from_id(group_id)
            if group is None:
                raise EC2ClientError("InvalidSecurityGroupID.NotFound", f"The security group '{group_id}' does not exist")
            if group.vpc_id != vpc_id:
                raise invalid_parameter(f"Security group {group_id} does not belong to VPC {vpc_id}")
        return list(group_ids)

    def _page(self, items: list, key: str) -> ActionResult:
        page, token = paginate(items, self._get_param("MaxResults"), self._get_param("NextToken"))
        out = {key: page}
        if token:
            out["NextToken"] = token
        return ActionResult(out)

    # ---- endpoints ------------------------------------------------------------

    def create_client_vpn_endpoint(self) -> ActionResult:
        cidr = self._get_param("ClientCidrBlock")
        if not cidr:
            raise missing_parameter("ClientCidrBlock")
        try:
            network = ipaddress.ip_network(cidr)
        except ValueError:
            raise invalid_parameter(f"Client CIDR block {cidr} is not a valid CIDR block") from None
        low, high = CLIENT_CIDR_PREFIX
        if network.version != 4 or not low <= network.prefixlen <= high:
            raise invalid_parameter(f"Client CIDR block {cidr} must have a prefix length between /{low} and /{high}")
        server_cert = self._get_param("ServerCertificateArn")
        if not server_cert:
            raise missing_parameter("ServerCertificateArn")
        self._certificate_exists(server_cert, "server certificate")
        authentication = self._get_param("AuthenticationOptions", [])
        if not 1 <= len(authentication) <= 2:
            raise invalid_parameter("Specify one or two authentication options")
        for option in authentication:
            if option.get("Type") not in AUTH_TYPES:
                raise invalid_parameter(f"Authentication type {option.get('Type')} is not valid")
            if option["Type"] == "certificate-authentication":
                self._certificate_exists(option.get("MutualAuthentication", {}).get("ClientRootCertificateChainArn", ""), "client root certificate chain")
        log = self._get_param("ConnectionLogOptions") or {}
        if "Enabled" not in log:
            raise missing_parameter("ConnectionLogOptions.Enabled")
        if log["Enabled"] and not log.get("CloudwatchLogGroup"):
            raise invalid_parameter("A CloudWatch Logs log group is required when connection logging is enabled")
        port = _vpn_port(self._get_param("VpnPort") or 443)
        protocol = self._get_param("TransportProtocol") or "udp"
        if protocol not in ("udp", "tcp"):
            raise invalid_parameter(f"Transport protocol {protocol} is not valid")
        dns = self._get_param("DnsServers", [])
        if len(dns) > 2:
            raise invalid_parameter("Specify at most two DNS servers")
        timeout = _session_timeout(self._get_param("SessionTimeoutHours") or 24)
        vpc_id = self._get_param("VpcId")
        if vpc_id:
            self.ec2_backend.get_vpc(vpc_id)
        groups = self._security_groups(vpc_id, self._get_param("SecurityGroupIds", []))
        if vpc_id and not groups:
            groups = [self.ec2_backend.get_default_security_group(vpc_id).id]
        endpoint = Endpoint(
            id=random_id("cvpn-endpoint"),
            region=self.region,
            client_cidr=str(network),
            server_certificate_arn=server_cert,
            authentication=authentication,
            connection_log={k: log[k] for k in ("Enabled", "CloudwatchLogGroup", "CloudwatchLogStream") if k in log},
            transport_protocol=protocol,
            vpn_port=port,
            split_tunnel=bool(self._get_param("SplitTunnel", False)),
            dns_servers=list(dns),
            description=self._get_param("Description") or "",
            vpc_id=vpc_id,
            security_group_ids=groups,
            self_service_portal=self._get_param("SelfServicePortal") or "disabled",
            session_timeout_hours=timeout,
            client_connect={"Enabled": False, **(self._get_param("ClientConnectOptions") or {})},
            login_banner={"Enabled": False, **(self._get_param("ClientLoginBannerOptions") or {})},
            route_enforcement={"Enforced": False, **(self._get_param("ClientRouteEnforcementOptions") or {})},
            disconnect_on_session_timeout=bool(self._get_param("DisconnectOnSessionTimeout", True)),
            tags=self._parse_tag_specification().get("client-vpn-endpoint", {}),
        )
        endpoints_of(self.ec2_backend)[endpoint.id] = endpoint
        return ActionResult({"ClientVpnEndpointId": endpoint.id, "Status": {"Code": endpoint.state}, "DnsName": endpoint.dns_name})

    def describe_client_vpn_endpoints(self) -> ActionResult:
        endpoints = list(endpoints_of(self.ec2_backend).values())
        ids = self._get_param("ClientVpnEndpointIds", [])
        for endpoint_id in ids:
            self._endpoint(endpoint_id)
        if ids:
            endpoints = [e for e in endpoints if e.id in ids]
        endpoints = apply_filters(
            endpoints,
            self._filters_from_querystring(),
            {"endpoint-id": lambda e: e.id, "transport-protocol": lambda e: e.transport_protocol},
        )
        return self._page([e.describe() for e in endpoints], "ClientVpnEndpoints")

    def modify_client_vpn_endpoint(self) -> ActionResult:
        endpoint = self._endpoint()
        server_cert = self._get_param("ServerCertificateArn")
        if server_cert:
            self._certificate_exists(server_cert, "server certificate")
            endpoint.server_certificate_arn = server_cert
        log = self._get_param("ConnectionLogOptions")
        if log is not None:
            if log.get("Enabled") and not log.get("CloudwatchLogGroup"):
                raise invalid_parameter("A CloudWatch Logs log group is required when connection logging is enabled")
            endpoint.connection_log = {k: log[k] for k in ("Enabled", "CloudwatchLogGroup", "CloudwatchLogStream") if k in log}
        dns = self._get_param("DnsServers")
        if dns is not None:
            servers = dns.get("CustomDnsServers", []) if dns.get("Enabled", True) else []
            if len(servers) > 2:
                raise invalid_parameter("Specify at most two DNS servers")
            endpoint.dns_servers = list(servers)
        port = self._get_param("VpnPort")
        if port is not None:
            endpoint.vpn_port = _vpn_port(port)
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
            endpoint.session_timeout_hours = _session_timeout(timeout)
        for param, attr, default in (
            ("ClientConnectOptions", "client_connect", {"Enabled": False}),
            ("ClientLoginBannerOptions", "login_banner", {"Enabled": False}),
            ("ClientRouteEnforcementOptions", "route_enforcement", {"Enforced": False}),
        ):
            value = self._get_param(param)
            if value is not None:
                setattr(endpoint, attr, {**default, **value})
        groups = self._get_param("SecurityGroupIds")
        vpc_id = self._get_param("VpcId") or endpoint.vpc_id
        if groups is not None:
            endpoint.security_group_ids = self._security_groups(vpc_id, groups)
            endpoint.vpc_id = vpc_id
            for network in endpoint.networks.values():
                network.security_groups = list(groups)
        return ActionResult({"Return": True})

    def delete_client_vpn_endpoint(self) -> ActionResult:
        endpoint = self._endpoint()
        if any(n.status in ("associating", "associated") for n in endpoint.networks.values()):
            raise incorrect_state(f"Client VPN endpoint {endpoint.id} has target networks associated; disassociate them first")
        del endpoints_of(self.ec2_backend)[endpoint.id]
        return ActionResult({"Status": {"Code": "deleting"}})

    # ---- target networks ------------------------------------------------------

    def associate_client_vpn_target_network(self) -> ActionResult:
        endpoint = self._endpoint()
        subnet_id = self._get_param("SubnetId")
        if not subnet_id:
            raise missing_parameter("SubnetId")
        try:
            subnet = self.ec2_backend.get_subnet(subnet_id)
        except EC2ClientError:
            raise not_found("InvalidClientVpnSubnetId.NotFound", "subnet", subnet_id) from None
        if endpoint.vpc_id and subnet.vpc_id != endpoint.vpc_id:
            raise EC2ClientError("InvalidClientVpnSubnetId.NotFound", f"Subnet {subnet_id} is not in the endpoint's "
                                 f"VPC {endpoint.vpc_id}")
        live = [n for n in endpoint.networks.values() if n.status in ("associating", "associated")]
        if any(n.subnet_id == subnet_id for n in live):
            raise EC2ClientError("InvalidClientVpnDuplicateAssociationException", f"Subnet {subnet_id} is already associated")
        if any(n.availability_zone == subnet.availability_zone for n in live):
            raise EC2ClientError(
                "InvalidClientVpnSubnetId.DuplicateAz",
                f"A subnet in availability zone {subnet.availability_zone} is already associated with {endpoint.id}",
            )
        if ipaddress.ip_network(subnet.cidr_block).overlaps(ipaddress.ip_network(endpoint.client_cidr)):
            raise EC2ClientError("InvalidClientVpnSubnetId.OverlappingCidr", f"Subnet {subnet_id} overlaps the client CIDR {endpoint.client_cidr}")
        if not endpoint.vpc_id:
            endpoint.vpc_id = subnet.vpc_id
            endpoint.security_group_ids = [self.ec2_backend.get_default_security_group(subnet.vpc_id).id]
        network = TargetNetwork(
            association_id=random_id("cvpn-assoc"),
            endpoint_id=endpoint.id,
            subnet_id=subnet_id,
            vpc_id=subnet.vpc_id,
            availability_zone=subnet.availability_zone,
            security_groups=list(endpoint.security_group_ids),
        )
        endpoint.networks[network.association_id] = network
        vpc_cidr = self.ec2_backend.get_vpc(subnet.vpc_id).cidr_block
        endpoint.routes.append(Route(endpoint.id, vpc_cidr, subnet_id, "associate", "Default Route"))
        return ActionResult({"AssociationId": network.association_id, "Status": {"Code": network.status}})

    def disassociate_client_vpn_target_network(self) -> ActionResult:
        endpoint = self._endpoint()
        association_id = self._get_param("AssociationId")
        network = endpoint.networks.get(association_id)
        if network is None or network.status not in ("associating", "associated"):
            raise not_found("InvalidClientVpnAssociationIdNotFound", "association", str(association_id))
        network.status = "disassociated"
        # Routes through the subnet go with it: the association's own, and any added to it.
        endpoint.routes = [r for r in endpoint.routes if r.target_subnet != network.subnet_id]
        return ActionResult({"AssociationId": association_id, "Status": {"Code": "disassociating"}})

    def describe_client_vpn_target_networks(self) -> ActionResult:
        endpoint = self._endpoint()
        networks = [n for n in endpoint.networks.values() if n.status != "disassociated"]
        ids = self._get_param("AssociationIds", [])
        if ids:
            networks = [n for n in networks if n.association_id in ids]
        networks = apply_filters(
            networks,
            self._filters_from_querystring(),
            {
                "association-id": lambda n: n.association_id,
                "target-network-id": lambda n: n.subnet_id,
                "vpc-id": lambda n: n.vpc_id,
            },
        )
        return self._page([n.describe() for n in networks], "ClientVpnTargetNetworks")

    def apply_security_groups_to_client_vpn_target_network(self) -> ActionResult:
        endpoint = self._endpoint()
        vpc_id = self._get_param("VpcId")
        if not vpc_id:
            raise missing_parameter("VpcId")
        if endpoint.vpc_id and vpc_id != endpoint.vpc_id:
            raise invalid_parameter(f"VPC {vpc_id} is not the endpoint's VPC {endpoint.vpc_id}")
        groups = self._security_groups(vpc_id, self._get_param("SecurityGroupIds", []))
        if not groups:
            raise missing_parameter("SecurityGroupIds")
        endpoint.vpc_id = vpc_id
        endpoint.security_group_ids = groups
        for network in endpoint.networks.values():
            network.security_groups = list(groups)
        return ActionResult({"SecurityGroupIds": groups})

    # ---- authorization rules --------------------------------------------------

    def authorize_client_vpn_ingress(self) -> ActionResult:
        endpoint = self._endpoint()
        cidr = _cidr(self._get_param("TargetNetworkCidr"), "TargetNetworkCidr")
        group = self._get_param("AccessGroupId") or ""
        everyone = bool(self._get_param("AuthorizeAllGroups", False))
        if everyone == bool(group):
            raise invalid_parameter("Specify either AccessGroupId or AuthorizeAllGroups, not both and not neither")
        if any(r.destination_cidr == cidr and r.group_id == group and r.access_all == everyone for r in endpoint.rules):
            raise EC2ClientError("InvalidClientVpnDuplicateAuthorizationRule", f"An authorization rule for {cidr} and this group already exists")
        rule = AuthorizationRule(endpoint.id, cidr, group, everyone, self._get_param("Description") or "")
        endpoint.rules.append(rule)
        return ActionResult({"Status": {"Code": rule.status}})

    def revoke_client_vpn_ingress(self) -> ActionResult:
        endpoint = self._endpoint()
        cidr = _cidr(self._get_param("TargetNetworkCidr"), "TargetNetworkCidr")
        group = self._get_param("AccessGroupId") or ""
        everyone = bool(self._get_param("RevokeAllGroups", False))
        for rule in endpoint.rules:
            if rule.destination_cidr == cidr and (rule.access_all if everyone else rule.group_id == group):
                endpoint.rules.remove(rule)
                return ActionResult({"Status": {"Code": "revoking"}})
        raise EC2ClientError("InvalidClientVpnEndpointAuthorizationRuleNotFound", f"No authorization rule for {cidr} on {endpoint.id}")

    def describe_client_vpn_authorization_rules(self) -> ActionResult:
        endpoint = self._endpoint()
        rules = apply_filters(
            endpoint.rules,
            self._filters_from_querystring(),
            {
                "description": lambda r: r.description,
                "destination-cidr": lambda r: r.destination_cidr,
                "group-id": lambda r: r.group_id,
            },
        )
        return self._page([r.describe() for r in rules], "AuthorizationRules")

    # ---- routes -----------------------------------------------------------------

    def create_client_vpn_route(self) -> ActionResult:
        endpoint = self._endpoint()
        cidr = _cidr(self._get_param("DestinationCidrBlock"), "DestinationCidrBlock")
        subnet = self._get_param("TargetVpcSubnetId")
        if not subnet:
            raise missing_parameter("TargetVpcSubnetId")
        associated = {n.subnet_id for n in endpoint.networks.values() if n.status in ("associating", "associated")}
        if subnet not in associated and subnet != "local":
            raise EC2ClientError("InvalidClientVpnActiveAssociationNotFound", f"Subnet {subnet} is not associated with {endpoint.id}")
        if any(r.destination_cidr == cidr and r.target_subnet == subnet for r in endpoint.routes):
            raise EC2ClientError("InvalidClientVpnDuplicateRoute", f"A route to {cidr} through {subnet} already exists")
        route = Route(endpoint.id, cidr, subnet, "add-route", self._get_param("Description") or "")
        endpoint.routes.append(route)
        return ActionResult({"Status": {"Code": route.status}})

    def delete_client_vpn_route(self) -> ActionResult:
        endpoint = self._endpoint()
        cidr = _cidr(self._get_param("DestinationCidrBlock"), "DestinationCidrBlock")
        subnet = self._get_param("TargetVpcSubnetId")
        for route in endpoint.routes:
            if route.destination_cidr == cidr and (not subnet or route.target_subnet == subnet):
                if route.origin == "associate":
                    raise invalid_parameter(f"The route to {cidr} was added by a target network association; disassociate it instead")
                endpoint.routes.remove(route)
                return ActionResult({"Status": {"Code": "deleting"}})
        raise EC2ClientError("InvalidClientVpnRouteNotFound", f"No route to {cidr} on {endpoint.id}")

    def describe_client_vpn_routes(self) -> ActionResult:
        endpoint = self._endpoint()
        routes = apply_filters(
            endpoint.routes,
            self._filters_from_querystring(),
            {
                "destination-cidr": lambda r: r.destination_cidr,
                "origin": lambda r: r.origin,
                "target-subnet": lambda r: r.target_subnet,
            },
        )
        return self._page([r.describe() for r in routes], "Routes")

    # ---- client configuration and revocation ------------------------------------

    def export_client_vpn_client_configuration(self) -> ActionResult:
        endpoint = self._endpoint()
        bundle = acm_backends[self.current_account][self.region].get_certificate(endpoint.server_certificate_arn)
        return ActionResult({"ClientConfiguration": client_configuration(endpoint, bundle.chain.decode().strip())})

    def import_client_vpn_client_certificate_revocation_list(self) -> ActionResult:
        endpoint = self._endpoint()
        text = self._get_param("CertificateRevocationList")
        if not text:
            raise missing_parameter("CertificateRevocationList")
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


def _vpn_port(value) -> int:
    if int(value) not in VPN_PORTS:
        raise invalid_parameter(f"VPN port {value} is not valid; valid ports are {', '.join(map(str, VPN_PORTS))}")
    return int(value)


def _session_timeout(value) -> int:
    if int(value) not in SESSION_TIMEOUT_HOURS:
        raise invalid_parameter(
            f"Session timeout {value} hours is not valid; valid values are {', '.join(map(str, SESSION_TIMEOUT_HOURS))}"
        )
    return int(value)


def _cidr(value: str | None, name: str) -> str:
    if not value:
        raise missing_parameter(name)
    try:
        return str(ipaddress.ip_network(value))
    except ValueError:
        raise invalid_parameter(f"{name} {value} is not a valid CIDR block") from None


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
