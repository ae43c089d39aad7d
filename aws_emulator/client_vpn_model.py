"""The Client VPN resources as the emulator keeps them, and the shapes Describe answers them in.

State lives on moto's EC2 backend for the account and region, so moto's reset clears it too. Transitional
states ("associating", "authorizing", "creating") are what the create calls answer; the next Describe finds
the settled state, which is what the provider's waiters poll for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from aws_emulator.describe import tag_list


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _settled(record, transitional: str, settled: str) -> dict:
    """A record's Status as Describe answers it: created `transitional`, it is found `settled`."""
    if record.status == transitional:
        record.status = settled
    return {"Code": record.status}


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
        return {"AssociationId": self.association_id, "VpcId": self.vpc_id, "TargetNetworkId": self.subnet_id,
                "ClientVpnEndpointId": self.endpoint_id, "Status": _settled(self, "associating", "associated"),
                "SecurityGroups": list(self.security_groups)}


@dataclass
class AuthorizationRule:
    endpoint_id: str
    destination_cidr: str
    group_id: str
    access_all: bool
    description: str
    status: str = "authorizing"

    def describe(self) -> dict:
        out = {"ClientVpnEndpointId": self.endpoint_id, "Description": self.description, "AccessAll": self.access_all,
               "DestinationCidr": self.destination_cidr, "Status": _settled(self, "authorizing", "active")}
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
        out = {"ClientVpnEndpointId": self.endpoint_id, "DestinationCidr": self.destination_cidr,
               "TargetSubnet": self.target_subnet, "Type": "Nat", "Origin": self.origin,
               "Status": _settled(self, "creating", "active")}
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

    def live_networks(self) -> list[TargetNetwork]:
        """The target networks associated or being associated (not those disassociated)."""
        return [n for n in self.networks.values() if n.status in ("associating", "associated")]

    def use_security_groups(self, vpc_id: str, group_ids: list[str]) -> None:
        """The endpoint and each of its target networks take these groups of the VPC."""
        self.vpc_id = vpc_id
        self.security_group_ids = group_ids
        for network in self.networks.values():
            network.security_groups = list(group_ids)

    @property
    def state(self) -> str:
        return "available" if self.live_networks() else "pending-associate"

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

