"""Typed props of a Client VPN endpoint, its certificates, authorization rules and routes.

The config schema of a `client_vpn` block reuses these models, so each AWS
rule is written once. Rules that need the VPC (overlap, reachability, subnet
zones) are checked by the environment, which knows the VPC. cdktf-free.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from vpn_schema import aws_rules as rules

STRICT = ConfigDict(strict=True, extra="forbid", frozen=True)

# Files expected in a certificate's `pki` folder.
CERTIFICATE_FILE = "server.crt"
PRIVATE_KEY_FILE = "server.key"
CHAIN_FILE = "ca.crt"
CRL_FILE = "crl.pem"

CLIENT_CIDR_PREFIX = (12, 22)
CLIENT_TO_CLIENT = "client-to-client"  # the rule and route that client_to_client adds
SESSION_TIMEOUT_HOURS = (8, 10, 12, 24)
VPN_PORTS = (443, 1194)
MAX_DNS_SERVERS = 2
MAX_BANNER_LENGTH = 1400
SECURITY_GROUPS = (1, 5)
MAX_AUTHENTICATION_OPTIONS = 2
CONNECT_HANDLER_PREFIX = "AWSClientVPN-"
USER_BASED = ("saml", "directory")

# Endpoint arguments of aws_ec2_client_vpn_endpoint with no field of the same name here, and why.
ENDPOINT_OPTIONS_LEFT_OUT = {
    "authentication_options": "rendered from authentication, saml_provider_arn, self_service_saml_provider_arn, "
    "directory_id and client_root_certificate",
    "client_cidr_block": "client_cidr",
    "server_certificate_arn": "from server_certificate (the certificates module)",
    "client_connect_options": "client_connect_lambda_arn",
    "client_login_banner_options": "login_banner",
    "client_route_enforcement_options": "route_enforcement",
    "connection_log_options": "connection_logging; the construct owns the log group",
    "self_service_portal": "self_service_portal (a bool here, enabled/disabled there)",
    "vpc_id": "the environment's VPC",
    "tags": "set from the environment's tags and the endpoint name",
    "tags_all": "computed by the provider from default tags",
    "id": "computed",
}


def _saml_provider_arn(value: str) -> str:
    if not re.fullmatch(r"arn:aws[a-z-]*:iam::\d{12}:saml-provider/[\w+=,.@-]{1,128}", value):
        raise ValueError(f"{value!r} is not an IAM SAML provider ARN")
    return value


SamlProviderArn = Annotated[str, AfterValidator(_saml_provider_arn)]
DirectoryId = Annotated[str, Field(pattern=r"^d-[0-9a-f]{10}$")]
SecurityGroupId = Annotated[str, rules.aws_id("sg")]


def _lambda_arn(value: str) -> str:
    match = re.fullmatch(r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]{1,64})(:[\w$-]+)?", value)
    if not match:
        raise ValueError(f"{value!r} is not a Lambda function ARN")
    if not match.group(1).startswith(CONNECT_HANDLER_PREFIX):
        raise ValueError(f"the function name must start with {CONNECT_HANDLER_PREFIX}, got {match.group(1)}")
    return value


LambdaArn = Annotated[str, AfterValidator(_lambda_arn)]


class CertificateSource(BaseModel):
    """An ACM certificate by ARN, or PEM files imported from a folder under the `pki_dir` variable.

    A `pki` folder holds server.crt, server.key and ca.crt; they are read by Terraform's
    file() at plan time, so no key material or machine path is synthesized.
    """

    model_config = STRICT
    acm_arn: rules.AcmCertificateArn | None = None
    pki: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,62}$")] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> CertificateSource:
        if (self.acm_arn is None) == (self.pki is None):
            raise ValueError("give exactly one of acm_arn or pki")
        return self


class AuthorizationRule(BaseModel):
    """Grants one group, or every authenticated user, access to networks."""

    model_config = STRICT
    networks: Annotated[list[rules.IPv4Cidr], rules.Unique, Field(min_length=1)]
    group: Annotated[str, Field(min_length=1, max_length=255)] | None = None
    """An IdP group (SAML) or directory group SID. Unset: every authenticated user."""
    description: Annotated[str, Field(max_length=255)] | None = None


class Route(BaseModel):
    """Sends traffic for `destination` out through associated subnets."""

    model_config = STRICT
    destination: rules.IPv4Cidr
    subnet_ids: Annotated[list[rules.SubnetId], rules.Unique, Field(min_length=1)] | None = None
    """Target subnets; each must be associated. Default: every associated subnet, for redundancy."""
    description: Annotated[str, Field(max_length=255)] | None = None


class ClientVpn(BaseModel):
    """A Client VPN endpoint: who may connect, how, and to which networks."""

    model_config = STRICT

    client_cidr: rules.IPv4Cidr
    """Addresses handed to clients: /12 to /22, overlapping no VPC or routed network."""
    authentication: Annotated[list[Literal["certificate", "saml", "directory"]], rules.Unique]
    """One or two of certificate (mutual TLS), saml (federated), directory (Active Directory)."""
    server_certificate: CertificateSource
    client_root_certificate: CertificateSource | None = None
    """CA chain that client certificates must chain to. Default: the server certificate's chain."""
    subnet_ids: Annotated[list[rules.SubnetId], rules.Unique]
    """Associated subnets, one per availability zone; AWS needs one, a production environment two zones."""
    description: Annotated[str, Field(max_length=255)] | None = None
    saml_provider_arn: SamlProviderArn | None = None
    self_service_saml_provider_arn: SamlProviderArn | None = None
    self_service_portal: bool = False
    """A portal where users download the profile; SAML only."""
    directory_id: DirectoryId | None = None
    split_tunnel: bool = True
    """Only routed networks go through the VPN. Default: on."""
    dns_servers: Annotated[list[rules.IPv4Address], rules.Unique] = []
    transport_protocol: Literal["udp", "tcp"] = "udp"
    vpn_port: int = 443
    session_timeout_hours: int = 24
    disconnect_on_session_timeout: bool | None = None
    login_banner: str | None = None
    client_connect_lambda_arn: LambdaArn | None = None
    route_enforcement: bool = False
    """Keeps clients from overriding the VPN's routes. Default: off (AWS's default)."""
    security_group_ids: Annotated[list[SecurityGroupId], rules.Unique] | None = None
    """Existing groups. Default: the construct creates one allowing only authorized networks."""
    client_to_client: bool = False
    """Clients may reach each other (an authorization rule and a route for the client CIDR)."""
    connection_logging: bool = True
    authorization: dict[str, AuthorizationRule] = {}
    route: dict[str, Route] = {}

    @field_validator("client_cidr")
    @classmethod
    def _client_cidr_size(cls, value: str) -> str:
        prefix = ipaddress.ip_network(value).prefixlen
        lo, hi = CLIENT_CIDR_PREFIX
        if not lo <= prefix <= hi:
            raise ValueError(f"{value} must be between /{lo} and /{hi}, got /{prefix}")
        return value

    @field_validator("vpn_port")
    @classmethod
    def _port(cls, value: int) -> int:
        if value not in VPN_PORTS:
            raise ValueError(f"must be 443 or 1194, got {value}")
        return value

    @field_validator("session_timeout_hours")
    @classmethod
    def _session(cls, value: int) -> int:
        if value not in SESSION_TIMEOUT_HOURS:
            raise ValueError(f"must be 8, 10, 12 or 24, got {value}")
        return value

    @field_validator("dns_servers")
    @classmethod
    def _dns(cls, value: list[str]) -> list[str]:
        if len(value) > MAX_DNS_SERVERS:
            raise ValueError(f"at most {MAX_DNS_SERVERS} DNS servers, got {len(value)}")
        return value

    @field_validator("login_banner")
    @classmethod
    def _banner(cls, value: str | None) -> str | None:
        if value is not None and len(value) > MAX_BANNER_LENGTH:
            raise ValueError(f"at most {MAX_BANNER_LENGTH} characters, got {len(value)}")
        return value

    @field_validator("security_group_ids")
    @classmethod
    def _security_groups(cls, value: list[str] | None) -> list[str] | None:
        lo, hi = SECURITY_GROUPS
        if value is not None and not lo <= len(value) <= hi:
            raise ValueError(f"{lo} to {hi} security groups, got {len(value)}")
        return value

    @field_validator("authentication")
    @classmethod
    def _authentication(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("name at least one of certificate, saml, directory")
        if len(value) > MAX_AUTHENTICATION_OPTIONS:
            raise ValueError(f"at most {MAX_AUTHENTICATION_OPTIONS} authentication options, got {len(value)}")
        if set(value) == set(USER_BASED):
            raise ValueError("saml and directory cannot be combined; pair either with certificate")
        return value

    @model_validator(mode="after")
    def _cross_field_rules(self) -> ClientVpn:
        problems = list(self._problems())
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _problems(self):
        auth = set(self.authentication)
        if "saml" in auth and not self.saml_provider_arn:
            yield 'saml_provider_arn: required with authentication "saml"'
        if "saml" not in auth:
            for key in ("saml_provider_arn", "self_service_saml_provider_arn"):
                if getattr(self, key):
                    yield f'{key}: only with authentication "saml"'
        if self.self_service_portal and "saml" not in auth:
            yield 'self_service_portal: needs authentication "saml"'
        if "directory" in auth and not self.directory_id:
            yield 'directory_id: required with authentication "directory"'
        if self.directory_id and "directory" not in auth:
            yield 'directory_id: only with authentication "directory"'
        if self.client_root_certificate and "certificate" not in auth:
            yield 'client_root_certificate: only with authentication "certificate"'
        user_based = bool(auth & set(USER_BASED))
        for name, rule in self.authorization.items():
            if rule.group is not None and not user_based:
                yield (
                    f'authorization "{name}" group: a group rule needs saml or directory authentication; '
                    "certificate-only endpoints authorize all users"
                )
        associated = set(self.subnet_ids)
        for name, route in self.route.items():
            if route.destination == "0.0.0.0/0" and self.split_tunnel:
                yield f'route "{name}" destination: 0.0.0.0/0 only on a full-tunnel endpoint (split_tunnel = false)'
            for subnet in route.subnet_ids or []:
                if subnet not in associated:
                    yield f'route "{name}" subnet_ids: {subnet} is not an associated subnet (subnet_ids)'
        if self.client_to_client:
            for kind, names in (("authorization", self.authorization), ("route", self.route)):
                if CLIENT_TO_CLIENT in names:
                    yield f'{kind} "{CLIENT_TO_CLIENT}": the name is taken by client_to_client = true'
        yield from self._duplicate_authorizations()
        destinations = [r.destination for r in self.route.values()]
        for destination in sorted({d for d in destinations if destinations.count(d) > 1}):
            yield f"route: {destination} is routed by more than one route block"

    def _duplicate_authorizations(self):
        """AWS keeps one rule per network and group (or all users): a second one fails the apply halfway, with
        InvalidClientVpnDuplicateAuthorizationRule. client_to_client adds one for the client CIDR."""
        granted: dict[tuple[str, str | None], str] = {}
        if self.client_to_client:
            granted[(self.client_cidr, None)] = "client_to_client = true"
        for name, rule in self.authorization.items():
            for i, network in enumerate(rule.networks):
                owner = granted.setdefault((network, rule.group), f'authorization "{name}"')
                if owner != f'authorization "{name}"':
                    who = f'group "{rule.group}"' if rule.group is not None else "all users"
                    yield (f'authorization "{name}" networks[{i}]: {network} for {who} is already authorized by '
                           f"{owner}; AWS refuses a duplicate rule (InvalidClientVpnDuplicateAuthorizationRule)")

    @property
    def uses_pki_files(self) -> bool:
        sources = [self.server_certificate, self.client_root_certificate]
        return any(s is not None and s.pki is not None for s in sources)

    @property
    def client_pki(self) -> str | None:
        """The `pki` folder whose CA signs the client certificates, and so holds the CRL
        (crl.pem) the endpoint must enforce. None without certificate authentication or
        when the client root is an ACM ARN (its CA lives elsewhere)."""
        if "certificate" not in self.authentication:
            return None
        return (self.client_root_certificate or self.server_certificate).pki
