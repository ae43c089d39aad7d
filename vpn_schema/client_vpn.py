"""Typed props of a Client VPN endpoint, its certificates, authorization rules and routes.

The config schema of a `client_vpn` block reuses these models, so each AWS
rule is written once. Rules that need the VPC (overlap, reachability, subnet
zones) are checked by the environment, which knows the VPC. cdktf-free.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator

from vpn_schema import aws_rules as rules
from vpn_schema.base import CrossCheckedModel
from vpn_schema.client_vpn_blocks import (  # noqa: F401  (re-exported: the names callers import from here)
    CONNECT_HANDLER_PREFIX,
    AuthorizationRule,
    CertificateSource,
    DirectoryId,
    LambdaArn,
    Route,
    SamlProviderArn,
    SecurityGroupId,
    Usage,
)

CLIENT_CIDR_PREFIX = (12, 22)
CLIENT_TO_CLIENT = "client-to-client"  # the rule and route that client_to_client adds
SESSION_TIMEOUT_HOURS = (8, 10, 12, 24)
VPN_PORTS = (443, 1194)
MAX_DNS_SERVERS = 2
MAX_BANNER_LENGTH = 1400
SECURITY_GROUPS = (1, 5)
MAX_AUTHENTICATION_OPTIONS = 2
USER_BASED = ("saml", "directory")


def _one_of(allowed: tuple):
    """A validator for a number that must be one of a few: "must be 8, 10, 12 or 24, got 9"."""
    stated = f"{', '.join(str(a) for a in allowed[:-1])} or {allowed[-1]}"

    def check(value: int) -> int:
        if value not in allowed:
            raise ValueError(f"must be {stated}, got {value}")
        return value

    return AfterValidator(check)


def _at_most(limit: int, what: str):
    """A validator for a list or a text of at most `limit` items: "at most 2 DNS servers, got 3"."""

    def check(value):
        if len(value) > limit:
            raise ValueError(f"at most {limit} {what}, got {len(value)}")
        return value

    return AfterValidator(check)


VpnPort = Annotated[int, _one_of(VPN_PORTS)]
SessionTimeoutHours = Annotated[int, _one_of(SESSION_TIMEOUT_HOURS)]
DnsServers = Annotated[list[rules.IPv4Address], rules.Unique, _at_most(MAX_DNS_SERVERS, "DNS servers")]
LoginBanner = Annotated[str, _at_most(MAX_BANNER_LENGTH, "characters")]


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


class ClientVpn(CrossCheckedModel):
    """A Client VPN endpoint: who may connect, how, and to which networks.

    One Client VPN endpoint in the environment's VPC. It gets the endpoint, one association per subnet, its
    routes and authorization rules, a connection log group and, unless `security_group_ids` is set, a
    security group. The name follows the site name rule: 1 to 48 lowercase letters, digits and `-`, not at
    either end.

    Cross checks, reported as `client_vpn "NAME" key: rule` lines:

    - Authentication: a `group` rule needs `saml` or `directory`; certificate-only endpoints authorize all users.
    - Subnets: a route's `subnet_ids` must be among the endpoint's `subnet_ids`.
    - Routes: 0.0.0.0/0 only with `split_tunnel = false`. No route to `vpc.cidr` itself: AWS adds that route
      with each association. A destination may appear in one route block only.
    - On-premises routes: if a route's destination overlaps a VPN gateway site's `static_routes`, each subnet it
      goes through whose `route_table_id` is set needs that table in `vpc.route_table_ids`.
    - Reachability: every authorization network must lie inside `vpc.cidr`, a route destination, or (with
      `client_to_client`) the client CIDR. Otherwise the rule would be dead and is rejected.

    What the stack adds around the endpoint:

    - Security group: unless `security_group_ids` is set, `client-vpn-<env>-<name>` (`create_before_destroy`).
      Its only egress rules allow all protocols to each authorized network, one rule per distinct network. It
      has no ingress rules, except with `client_to_client`.
    - `client_to_client`: an authorization rule and a route with target `local` for the client CIDR, both named
      `client-to-client` (so no `authorization` or `route` block may take that name); on the created security
      group, an ingress rule that references the group itself.
    - One change at a time: AWS refuses concurrent changes to one endpoint, so the changes form a chain through
      `depends_on`: associations (in `subnet_ids` order), then routes, then authorization rules. Timeouts: 30
      minutes for associations, 15 minutes for routes and rules (create and delete). Resource IDs come from
      names, so adding a rule or route only adds resources.
    - Prod guard: with `tier = "production"`, the endpoint has `prevent_destroy`.
    - Outputs: `client_vpn_<name>` holds `id`, `dns_name` and `self_service_portal_url`. Each imported
      certificate adds its expiry date: `client_vpn_<env>-<name>_server_certificate_not_after` and, for a `pki`
      client root, `client_vpn_<env>-<name>_client_root_certificate_not_after`.
    """

    client_cidr: rules.IPv4Cidr = Field(description=(
        "Addresses handed to clients: an IPv4 CIDR from /12 to /22 (AWS). It may not overlap, partly or wholly, "
        "the VPC CIDR, a route destination other than 0.0.0.0/0, any site's static_routes, or another "
        "endpoint's client_cidr. Changing it replaces the endpoint."))
    authentication: Annotated[list[Literal["certificate", "saml", "directory"]], rules.Unique] = Field(description=(
        "One or two (AWS) of certificate (mutual TLS), saml (federated) and directory (Active Directory), each "
        "once. saml and directory cannot be combined; pair either with certificate. Changing it replaces the "
        "endpoint."))
    server_certificate: CertificateSource = Field(description="The endpoint's TLS server certificate.")
    client_root_certificate: CertificateSource | None = Field(None, description=(
        "The CA chain client certificates must chain to; only with certificate authentication. "
        "Default: the server certificate's chain."))
    subnet_ids: Annotated[list[rules.SubnetId], rules.Unique] = Field(description=(
        "Associated subnets, each a key of vpc.subnets, listed once: at least one, and at most one per "
        "availability zone (AWS's rules). With tier = \"production\", at least two zones, for redundancy; "
        "elsewhere one saves about $73 a month per association and 4 minutes of every deploy."))
    description: Annotated[str, Field(max_length=255)] | None = Field(None, description=(
        "At most 255 characters (AWS). Default: Client VPN <env>-<name>."))
    saml_provider_arn: SamlProviderArn | None = Field(None, description=(
        "An IAM SAML provider ARN. Required with saml authentication, and allowed only then."))
    self_service_saml_provider_arn: SamlProviderArn | None = Field(None, description=(
        "An IAM SAML provider ARN for the self-service portal. Only with saml authentication. "
        "Default: saml_provider_arn."))
    self_service_portal: bool = Field(False, description=(
        "A portal where users download the client profile; needs saml authentication. Default: off."))
    directory_id: DirectoryId | None = Field(None, description=(
        "An AWS Directory Service directory: d- and 10 hex digits. Required with directory authentication, "
        "and allowed only then."))
    split_tunnel: bool = Field(True, description=(
        "Only routed networks go through the VPN; false sends all client traffic through it (full tunnel). "
        "Default: on."))
    dns_servers: DnsServers = Field([], description=(
        "At most 2 IPv4 addresses (AWS), each once. Every user must be authorized to each: Client VPN applies "
        "the longest-prefix rule, so a DNS server whose longest-prefix rule names a group (or no rule at all) "
        "is refused; add an all-users rule such as 10.20.0.2/32. Default: none (the clients' own)."))
    transport_protocol: Literal["udp", "tcp"] = Field("udp", description="udp or tcp. Default: udp (AWS's default).")
    vpn_port: VpnPort = Field(443, description="443 or 1194 (AWS). Default: 443.")
    session_timeout_hours: SessionTimeoutHours = Field(24, description=(
        "The longest a session lasts: 8, 10, 12 or 24 hours (AWS). Default: 24."))
    disconnect_on_session_timeout: bool | None = Field(None, description=(
        "End a session at the timeout instead of reconnecting it. Default: AWS's."))
    login_banner: LoginBanner | None = Field(None, description=(
        "Text the AWS client shows on connecting: at most 1400 characters (AWS). Default: no banner."))
    client_connect_lambda_arn: LambdaArn | None = Field(None, description=(
        "The client connect handler: a Lambda function ARN whose function name starts with AWSClientVPN- "
        "(AWS). Default: none."))
    route_enforcement: bool = Field(False, description=(
        "Keeps clients from overriding the VPN's routes. Default: off (AWS's default)."))
    security_group_ids: Annotated[list[SecurityGroupId], rules.Unique] | None = Field(None, description=(
        "1 to 5 existing sg- IDs (AWS), each once, used as they are. Default: the construct creates one "
        "allowing only the authorized networks."))
    client_to_client: bool = Field(False, description=(
        "Clients may reach each other: an authorization rule and a route for the client CIDR, named "
        "client-to-client. Default: off."))
    connection_logging: bool = Field(True, description=(
        "Connection logs to /aws/client-vpn/<env>/<name>, with the logging block's retention and key. "
        "Default: on."))
    authorization: dict[str, AuthorizationRule] = Field({}, description=(
        "Authorization rules by name: who may reach which networks."))
    route: dict[str, Route] = Field({}, description="Routes by name: which networks the endpoint sends where.")
    usage: Usage | None = Field(None, description=(
        "Expected use, for the monthly cost estimate only (docs/costs.md); it changes no resource. "
        "Default: 10 users connected 176 hours a month."))

    @field_validator("client_cidr")
    @classmethod
    def _client_cidr_size(cls, value: str) -> str:
        prefix = ipaddress.ip_network(value).prefixlen
        lo, hi = CLIENT_CIDR_PREFIX
        if not lo <= prefix <= hi:
            raise ValueError(f"{value} must be between /{lo} and /{hi}, got /{prefix}")
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
