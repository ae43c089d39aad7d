"""The schema of `environments/*.hcl`: strict, typed, with AWS's rules.

Plain data and validation only: no cdktf, no file access. Site and tunnel
models come from the constructs' own props (vpn_schema.site, vpn_schema.tunnel), so a
rule is stated once and holds for config and constructs alike. Validators that
see several fields raise one `key: rule` line per problem.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, ClassVar, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, PrivateAttr, ValidationError, model_validator

from vpn_schema import aws_rules as rules
from vpn_schema.client_vpn import ClientVpn
from vpn_schema.crypto_profiles import BUILTIN_PROFILES, CryptoProfile
from vpn_schema.naming import id_part
from vpn_schema.site import Site

STRICT = ConfigDict(strict=True, extra="forbid", frozen=True)


def _pattern(regex: str, what: str):
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


Region = Annotated[str, _pattern(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d", "an AWS region name")]
AccountId = Annotated[str, _pattern(r"\d{12}", "a 12-digit AWS account ID")]
RoleArn = Annotated[str, _pattern(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}", "an IAM role ARN")]
BucketName = Annotated[str, _pattern(r"(?!xn--)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", "a valid S3 bucket name")]
Email = Annotated[str, _pattern(r"[^@\s]+@[^@\s]+\.[^@\s]+", "an e-mail address")]
SiteName = re.compile(r"[a-z0-9]([a-z0-9-]{0,46}[a-z0-9])?")
NAME_RULE = "1 to 48 lowercase letters, digits and '-', not at either end"
STACK_TAGS = ("environment", "managed-by")
# AWS's tag rules, as the strictest service the stack tags (logs, SNS, KMS) applies them.
TagKey = re.compile(r"[\w .:/=+@-]{1,128}")
TagValue = re.compile(r"[\w .:/=+@-]*")
TAG_VALUE_LENGTH = 256
MAX_TAGS = 50  # per resource
DEFAULT_AMAZON_SIDE_ASN = 64512  # a virtual private gateway's, when none is given
Tier = Literal["development", "staging", "production"]
TIERS: tuple[str, ...] = get_args(Tier)
PRODUCTION: Tier = "production"


def state_key(environment: str) -> str:
    """Where in its bucket an environment's state lives: the file name decides it."""
    return f"vpn/{environment}/terraform.tfstate"


class StateBackend(BaseModel):
    """Where Terraform keeps this environment's state. The key is vpn/<env>/terraform.tfstate."""

    model_config = STRICT
    bucket: BucketName
    region: Region
    kms_key_id: rules.KmsKeyArn | None = None
    """Encrypt state with this key instead of S3's default encryption."""


class Subnet(BaseModel):
    """What the stack must know of an existing subnet, since it never looks it up."""

    model_config = STRICT
    availability_zone: Annotated[str, _pattern(r"[a-z]{2}(-gov)?-[a-z]+-\d[a-z]", "an availability zone name")]
    route_table_id: rules.RouteTableId | None = None
    """The subnet's route table, to check that on-premises routes reach it."""


class Vpc(BaseModel):
    """The existing VPC the virtual private gateway attaches to. The stack never creates it."""

    model_config = STRICT
    id: rules.VpcId
    cidr: rules.IPv4Cidr
    subnets: dict[rules.SubnetId, Subnet] = {}
    """Subnets Client VPN endpoints may associate with, keyed by ID."""
    route_table_ids: Annotated[list[rules.RouteTableId], rules.Unique] = []
    """Route tables that learn the on-premises networks by route propagation."""


class VpnGatewaySettings(BaseModel):
    model_config = STRICT
    amazon_side_asn: rules.AmazonSideAsn | None = None
    """The AWS side's BGP ASN. AWS default: 64512."""


class Logging(BaseModel):
    """Tunnel logs: retention, and encryption with a given KMS key or one the stack creates."""

    model_config = STRICT
    retention_days: rules.LogRetentionDays = 365
    kms_key_arn: rules.KmsKeyArn | None = None
    create_kms_key: bool = False

    @model_validator(mode="after")
    def _one_key_source(self) -> Logging:
        if self.kms_key_arn and self.create_kms_key:
            raise ValueError("create_kms_key: not with kms_key_arn; choose one")
        return self


class Alarms(BaseModel):
    model_config = STRICT
    emails: Annotated[list[Email], rules.Unique] = []
    """Subscribed to the environment's alarm topic vpn-alarms-<env> (each must confirm)."""


class Environment(BaseModel):
    """One environment file: account, state, VPC and sites.

    `tier` says what the environment is for, so that production's safeguards follow the config
    and not the file's name; see the field.
    """

    model_config = STRICT
    RETIRED_KEYS: ClassVar[dict[str, str]] = {
        "prevent_destroy": (f'not a setting any more: tier = "{PRODUCTION}" guards replacements and deletions, any '
                            "other tier guards nothing, and lowering a deployed production tier is refused unless "
                            "allowed (--allow-change tier=...)"),
    }
    """Keys a file may still hold from an older version, with what replaced them."""

    region: Region
    account_id: AccountId
    """Terraform refuses to run against any other account (allowed_account_ids)."""
    assume_role_arn: RoleArn | None = None
    tags: dict[str, str] = {}
    tier: Tier = "development"
    """What the environment is for: development, staging or production. Production (and only production)
    guards connections, customer gateways, the gateway and Client VPN endpoints with prevent_destroy, gets
    every check of the policy pack, and associates each endpoint with subnets in two availability zones."""
    state: StateBackend
    vpc: Vpc | None = None
    """The VPC: required for sites on the virtual private gateway and for Client VPN endpoints."""
    vpn_gateway: VpnGatewaySettings = VpnGatewaySettings()
    logging: Logging = Logging()
    alarms: Alarms = Alarms()
    crypto_profile: dict[str, CryptoProfile] = {}
    site: dict[str, Site] = {}
    client_vpn: dict[str, ClientVpn] = {}

    _resolved_sites: dict[str, Site] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _cross_checks(self) -> Environment:
        problems = list(self._problems())
        if not problems:
            problems = self._resolve_crypto_profiles()
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def sites(self) -> dict[str, Site]:
        """Sites with their crypto profile filled into both tunnels."""
        return self._resolved_sites

    @property
    def prevent_destroy(self) -> bool:
        """Guard against replacement and deletion: what the production tier means to the stack and review."""
        return self.tier == PRODUCTION

    @property
    def profiles(self) -> dict[str, CryptoProfile]:
        return {**BUILTIN_PROFILES, **self.crypto_profile}

    def _problems(self):
        if self.assume_role_arn:
            role_account = self.assume_role_arn.split(":")[4]
            if role_account != self.account_id:
                yield f"assume_role_arn: the role is in account {role_account}, not in account_id {self.account_id}"
        if len(self.tags) > MAX_TAGS - len(STACK_TAGS) - 1:
            yield (f"tags: at most {MAX_TAGS - len(STACK_TAGS) - 1} (AWS takes {MAX_TAGS} tags per resource, and the "
                   f"stack adds {', '.join(sorted(STACK_TAGS))} and Name); got {len(self.tags)}")
        for key, value in self.tags.items():
            if not TagKey.fullmatch(key) or key.lower().startswith("aws:"):
                yield f'tags: "{key}" is not a valid tag key'
            elif key in STACK_TAGS:
                yield f'tags: "{key}" is set by the stack; choose another key'
            elif len(value) > TAG_VALUE_LENGTH:
                yield f"tags.{key}: a tag value is at most {TAG_VALUE_LENGTH} characters (AWS); got {len(value)}"
            elif not TagValue.fullmatch(value):
                yield (f"tags.{key}: a tag value takes letters, digits, spaces and _ . : / = + - @ (what every AWS "
                       "service the stack tags accepts)")
        slugs: dict[str, str] = {}
        for i, email in enumerate(self.alarms.emails):
            slug = id_part(email.lower())  # the alarm topic's construct ID, and case never matters in a mailbox
            if slug in slugs:
                yield f"alarms.emails[{i}]: {email} is too like {slugs[slug]}; list each address once"
            slugs[slug] = email
        gateways: dict[tuple, str] = {}
        tgw_routes: dict[tuple, str] = {}
        table_owners: dict[str, tuple[str, str]] = {}
        for name, site in self.site.items():
            device = (site.ip_address, site.bgp_asn, site.device_name)
            if device in gateways:
                yield (
                    f'site "{name}": same ip_address, bgp_asn and device_name as site "{gateways[device]}"; '
                    "AWS would return the same customer gateway for both (set a distinct device_name)"
                )
            gateways.setdefault(device, name)
            amazon_asn = self.vpn_gateway.amazon_side_asn or DEFAULT_AMAZON_SIDE_ASN
            if site.transit_gateway is None and site.bgp_asn == amazon_asn:
                yield (f'site "{name}" bgp_asn: {site.bgp_asn} is the virtual private gateway\'s Amazon side ASN; '
                       "the customer gateway's must differ from it (AWS refuses it: AsnConflict)")
            if site.transit_gateway:
                yield from self._table_owner_problems(name, site.transit_gateway, table_owners)
                for table in site.transit_gateway.learning_route_table_ids:
                    for i, cidr in enumerate(site.static_routes):
                        key = (table, cidr)
                        if key in tgw_routes:
                            yield (f'site "{name}" static_routes[{i}]: {cidr} is already routed to site '
                                   f'"{tgw_routes[key]}" in {table}')
                        tgw_routes.setdefault(key, name)
        for name in self.crypto_profile:
            if name in BUILTIN_PROFILES:
                yield f'crypto_profile "{name}": redefines a built-in profile; choose another name'
        yield from self._vpc_problems()
        inside_cidrs: dict[tuple[str, str], str] = {}
        for name, site in self.site.items():
            where = f'site "{name}"'
            if not SiteName.fullmatch(name):
                yield f"{where}: a site name is {NAME_RULE}"
            if site.crypto_profile and site.crypto_profile not in self.profiles:
                known = ", ".join(sorted(self.profiles))
                yield f'{where} crypto_profile: "{site.crypto_profile}" is not defined; known: {known}'
            gateway = site.transit_gateway.id if site.transit_gateway else "the virtual private gateway"
            for number, tunnel in enumerate(site.tunnel, start=1):
                for key, cidr in (("inside_cidr", tunnel.inside_cidr), ("inside_ipv6_cidr", tunnel.inside_ipv6_cidr)):
                    if cidr is None:
                        continue
                    owner = inside_cidrs.setdefault((gateway, cidr), (name, number))
                    if owner[0] != name:
                        yield (
                            f"{where} tunnel[{number}].{key}: {cidr} is already used by "
                            f'site "{owner[0]}" tunnel[{owner[1]}] on {gateway}'
                        )

    @staticmethod
    def _table_owner_problems(name: str, tgw, owners: dict[str, tuple[str, str]]):
        """A route table belongs to one transit gateway: the files must not name it under two. (Which gateway it
        really belongs to, only AWS knows: associating it across gateways fails the apply.)"""
        keys = [("route_table_id", tgw.route_table_id)] + [
            (f"propagation_route_table_ids[{i}]", table) for i, table in enumerate(tgw.propagation_route_table_ids or [])]
        for key, table in keys:
            gateway, first = owners.setdefault(table, (tgw.id, name))
            if gateway != tgw.id:
                yield (f'site "{name}" transit_gateway.{key}: {table} is a table of {gateway} (site "{first}"), '
                       f"not of this site's {tgw.id}")

    def _vpc_problems(self):
        """Without a vpc block: each site and endpoint that needs one. With one: its zones, what overlaps it,
        and the Client VPN endpoints, which live in it."""
        if self.vpc is None:
            for name, site in self.site.items():
                if site.transit_gateway is None:
                    yield (f'site "{name}": needs a vpc block: without a transit_gateway it connects through the '
                           "virtual private gateway, which attaches to the VPC")
            for name in self.client_vpn:
                yield f'client_vpn "{name}": needs a vpc block: the endpoint associates subnets of the VPC'
            return
        for subnet_id, subnet in self.vpc.subnets.items():
            if not subnet.availability_zone.startswith(self.region):
                yield f"vpc.subnets.{subnet_id}.availability_zone: {subnet.availability_zone} is not in {self.region}"
        yield from self._client_vpn_problems()
        vpc = ipaddress.ip_network(self.vpc.cidr)
        for name, site in self.site.items():
            for i, cidr in enumerate(site.static_routes):
                if ipaddress.ip_network(cidr).overlaps(vpc):
                    yield f'site "{name}" static_routes[{i}]: {cidr} overlaps the VPC CIDR {self.vpc.cidr}'

    def _routed_on_premises(self, through_vpn_gateway_only: bool) -> list[tuple[str, ipaddress.IPv4Network]]:
        """Networks the sites route statically (optionally: only through the virtual private gateway)."""
        return [
            (name, ipaddress.ip_network(cidr))
            for name, site in self.site.items()
            if site.transit_gateway is None or not through_vpn_gateway_only
            for cidr in site.static_routes
        ]

    def _client_vpn_problems(self):
        vpc = ipaddress.ip_network(self.vpc.cidr)
        propagated = set(self.vpc.route_table_ids)
        on_premises = self._routed_on_premises(through_vpn_gateway_only=True)
        all_on_premises = self._routed_on_premises(through_vpn_gateway_only=False)
        client_cidrs: dict[str, ipaddress.IPv4Network] = {}
        for name, endpoint in self.client_vpn.items():
            where = f'client_vpn "{name}"'
            if not SiteName.fullmatch(name):
                yield f"{where}: an endpoint name is {NAME_RULE}"
            client = ipaddress.ip_network(endpoint.client_cidr)
            for other, other_cidr in client_cidrs.items():
                if client.overlaps(other_cidr):
                    yield f'{where} client_cidr: {client} overlaps client_vpn "{other}" client_cidr {other_cidr}'
            client_cidrs[name] = client
            yield from self._association_problems(where, endpoint)
            if client.overlaps(vpc):
                yield f"{where} client_cidr: {client} overlaps the VPC CIDR {vpc}"
            for site_name, network in all_on_premises:
                if client.overlaps(network):
                    yield f'{where} client_cidr: {client} overlaps {network}, routed to site "{site_name}"'
            reachable = [vpc]
            for route_name, route in endpoint.route.items():
                destination = ipaddress.ip_network(route.destination)
                key = f'{where} route "{route_name}" destination'
                if destination == vpc:
                    yield f"{key}: AWS adds the route to the VPC CIDR with each association"
                elif destination.prefixlen and client.overlaps(destination):
                    yield f"{key}: {destination} overlaps the client CIDR {client}"
                reachable.append(destination)
                if any(destination.overlaps(network) for _, network in on_premises):
                    for subnet_id in route.subnet_ids or endpoint.subnet_ids:
                        table = self.vpc.subnets.get(subnet_id)
                        if table and table.route_table_id and table.route_table_id not in propagated:
                            yield (
                                f"{key}: {destination} is on premises, but {subnet_id}'s route table "
                                f"{table.route_table_id} does not learn routes from the virtual private gateway "
                                "(add it to vpc.route_table_ids)"
                            )
            for kind, names in (("route", endpoint.route), ("authorization", endpoint.authorization)):
                for block_name in names:
                    if not SiteName.fullmatch(block_name):
                        yield f'{where} {kind} "{block_name}": a name is {NAME_RULE}'
            yield from self._dns_problems(where, endpoint)
            if endpoint.client_to_client:
                reachable.append(client)
            for rule_name, rule in endpoint.authorization.items():
                for i, network in enumerate(rule.networks):
                    net = ipaddress.ip_network(network)
                    if not any(net.subnet_of(r) for r in reachable):
                        yield (
                            f'{where} authorization "{rule_name}" networks[{i}]: no route reaches {net}; '
                            "the rule would be dead (routed: the VPC CIDR and each route destination)"
                        )

    def _association_problems(self, where: str, endpoint: ClientVpn):
        """AWS's rules: known subnets, one per zone, at least one. Ours: two zones in the production tier."""
        zones: dict[str, int] = {}
        unknown_subnet = False
        for i, subnet_id in enumerate(endpoint.subnet_ids):
            if subnet_id not in self.vpc.subnets:
                yield f"{where} subnet_ids[{i}]: {subnet_id} is not one of vpc.subnets"
                unknown_subnet = True
                continue
            zone = self.vpc.subnets[subnet_id].availability_zone
            if zone in zones:
                yield (
                    f"{where} subnet_ids[{i}]: {subnet_id} is in {zone}, like subnet_ids[{zones[zone]}]; "
                    "AWS associates one subnet per availability zone"
                )
            zones.setdefault(zone, i)
        if unknown_subnet:
            return
        if not zones:
            yield f"{where} subnet_ids: associate at least one subnet"
        # AWS takes one association; two zones is our production rule (each costs about $73 a month).
        elif len(zones) < 2 and self.tier == PRODUCTION:
            yield (
                f'{where} subnet_ids: a production-tier endpoint (tier = "{PRODUCTION}") associates subnets in '
                f"at least two availability zones, for redundancy; got {', '.join(sorted(zones))}"
            )

    @staticmethod
    def _dns_problems(where: str, endpoint: ClientVpn):
        """Clients resolve names through the VPN: every user must be authorized to the DNS servers.

        Client VPN applies the longest-prefix rule, so a group rule for the DNS server's network
        shuts out users of other groups even when they hold a 0.0.0.0/0 rule.
        """
        rules = [(name, rule, ipaddress.ip_network(n)) for name, rule in endpoint.authorization.items() for n in rule.networks]
        for i, server in enumerate(endpoint.dns_servers):
            address = ipaddress.ip_address(server)
            covering = [(name, rule, net) for name, rule, net in rules if address in net]
            if not covering:
                yield f"{where} dns_servers[{i}]: no authorization rule covers {server}; clients could not resolve names"
                continue
            longest = max(net.prefixlen for _, _, net in covering)
            best = [(name, rule) for name, rule, net in covering if net.prefixlen == longest]
            if all(rule.group is not None for _, rule in best):
                groups = ", ".join(f'"{rule.group}"' for _, rule in best)
                yield (
                    f'{where} dns_servers[{i}]: {server} falls under authorization "{best[0][0]}" (group {groups}) '
                    f"by longest prefix, so other users cannot resolve names; add a rule for all users, "
                    f"such as {server}/32"
                )

    def _resolve_crypto_profiles(self) -> list[str]:
        problems = []
        for name, site in self.site.items():
            profile = self.profiles[site.crypto_profile] if site.crypto_profile else CryptoProfile()
            merged = []
            for number, tunnel in enumerate(site.tunnels(), start=1):
                try:
                    merged.append(tunnel.with_profile(profile))
                except ValidationError as exc:
                    for error in exc.errors():
                        field = "".join(f".{part}" for part in error["loc"])
                        message = error["msg"].removeprefix("Value error, ")
                        problems.append(
                            f'site "{name}" tunnel[{number}]{field}: {message}'
                            f' (with crypto_profile "{site.crypto_profile}")'
                        )
            if len(merged) == 2:
                self._resolved_sites[name] = site.model_copy(update={"tunnel": merged})
        return problems
