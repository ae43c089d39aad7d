"""The cross checks of a whole environment: rules that compare blocks with each other (sites with sites, the VPC
with sites and endpoints, endpoints with routes). Each check yields one `key: rule` line per problem, so a user
sees every problem in one run. Each function takes the Environment being validated (vpn_schema.environment),
which imports this module. cdktf-free, no file access.
"""

from __future__ import annotations

import ipaddress

from vpn_schema import shards
from vpn_schema.client_vpn import ClientVpn
from vpn_schema.crypto_profiles import BUILTIN_PROFILES
from vpn_schema.environment_blocks import (
    DEFAULT_AMAZON_SIDE_ASN,
    MAX_TAGS,
    NAME_RULE,
    PRODUCTION,
    STACK_TAGS,
    TAG_VALUE_LENGTH,
    SiteName,
    TagKey,
    TagValue,
)
from vpn_schema.naming import id_part


def problems(env):
    """Every cross-check problem of the environment, in the order a reader meets the file."""
    yield from _account_problems(env)
    yield from _alarm_problems(env)
    yield from _site_gateway_problems(env)
    for name in env.crypto_profile:
        if name in BUILTIN_PROFILES:
            yield f'crypto_profile "{name}": redefines a built-in profile; choose another name'
    yield from _vpc_problems(env)
    yield from _site_tunnel_problems(env)
    yield from shards.problems(env)


def _account_problems(env):
    if env.assume_role_arn:
        role_account = env.assume_role_arn.split(":")[4]
        if role_account != env.account_id:
            yield f"assume_role_arn: the role is in account {role_account}, not in account_id {env.account_id}"
    if len(env.tags) > MAX_TAGS - len(STACK_TAGS) - 1:
        yield (f"tags: at most {MAX_TAGS - len(STACK_TAGS) - 1} (AWS takes {MAX_TAGS} tags per resource, and the "
               f"stack adds {', '.join(sorted(STACK_TAGS))} and Name); got {len(env.tags)}")
    for key, value in env.tags.items():
        if not TagKey.fullmatch(key) or key.lower().startswith("aws:"):
            yield f'tags: "{key}" is not a valid tag key'
        elif key in STACK_TAGS:
            yield f'tags: "{key}" is set by the stack; choose another key'
        elif len(value) > TAG_VALUE_LENGTH:
            yield f"tags.{key}: a tag value is at most {TAG_VALUE_LENGTH} characters (AWS); got {len(value)}"
        elif not TagValue.fullmatch(value):
            yield (f"tags.{key}: a tag value takes letters, digits, spaces and _ . : / = + - @ (what every AWS "
                   "service the stack tags accepts)")


def _alarm_problems(env):
    slugs: dict[str, str] = {}
    for i, email in enumerate(env.alarms.emails):
        slug = id_part(email.lower())  # the alarm topic's construct ID, and case never matters in a mailbox
        if slug in slugs:
            yield f"alarms.emails[{i}]: {email} is too like {slugs[slug]}; list each address once"
        slugs[slug] = email


def _site_gateway_problems(env):
    """Customer gateways AWS would merge, ASN conflicts, and transit gateway route tables and routes."""
    gateways: dict[tuple, str] = {}
    tgw_routes: dict[tuple, str] = {}
    table_owners: dict[str, tuple[str, str]] = {}
    for name, site in env.site.items():
        device = (site.ip_address, site.bgp_asn, site.device_name)
        if device in gateways:
            yield (
                f'site "{name}": same ip_address, bgp_asn and device_name as site "{gateways[device]}"; '
                "AWS would return the same customer gateway for both (set a distinct device_name)"
            )
        gateways.setdefault(device, name)
        amazon_asn = env.vpn_gateway.amazon_side_asn or DEFAULT_AMAZON_SIDE_ASN
        if site.transit_gateway is None and site.bgp_asn == amazon_asn:
            yield (f'site "{name}" bgp_asn: {site.bgp_asn} is the virtual private gateway\'s Amazon side ASN; '
                   "the customer gateway's must differ from it (AWS refuses it: AsnConflict)")
        if site.transit_gateway:
            yield from _table_owner_problems(name, site.transit_gateway, table_owners)
            for table in site.transit_gateway.learning_route_table_ids:
                for i, cidr in enumerate(site.static_routes):
                    key = (table, cidr)
                    if key in tgw_routes:
                        yield (f'site "{name}" static_routes[{i}]: {cidr} is already routed to site '
                               f'"{tgw_routes[key]}" in {table}')
                    tgw_routes.setdefault(key, name)


def _site_tunnel_problems(env):
    """Site names, their crypto profiles, and inside CIDRs unique per gateway."""
    inside_cidrs: dict[tuple[str, str], tuple[str, int]] = {}
    for name, site in env.site.items():
        where = f'site "{name}"'
        if not SiteName.fullmatch(name):
            yield f"{where}: a site name is {NAME_RULE}"
        if site.crypto_profile and site.crypto_profile not in env.profiles:
            known = ", ".join(sorted(env.profiles))
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


def _vpc_problems(env):
    """Without a vpc block: each site and endpoint that needs one. With one: its zones, what overlaps it,
    and the Client VPN endpoints, which live in it."""
    if env.vpc is None:
        for name, site in env.site.items():
            if site.transit_gateway is None:
                yield (f'site "{name}": needs a vpc block: without a transit_gateway it connects through the '
                       "virtual private gateway, which attaches to the VPC")
        for name in env.client_vpn:
            yield f'client_vpn "{name}": needs a vpc block: the endpoint associates subnets of the VPC'
        return
    for subnet_id, subnet in env.vpc.subnets.items():
        if not subnet.availability_zone.startswith(env.region):
            yield f"vpc.subnets.{subnet_id}.availability_zone: {subnet.availability_zone} is not in {env.region}"
    yield from _client_vpn_problems(env)
    vpc = ipaddress.ip_network(env.vpc.cidr)
    for name, site in env.site.items():
        for i, cidr in enumerate(site.static_routes):
            if ipaddress.ip_network(cidr).overlaps(vpc):
                yield f'site "{name}" static_routes[{i}]: {cidr} overlaps the VPC CIDR {env.vpc.cidr}'


def _routed_on_premises(env, through_vpn_gateway_only: bool) -> list[tuple[str, ipaddress.IPv4Network]]:
    """Networks the sites route statically (optionally: only through the virtual private gateway)."""
    return [
        (name, ipaddress.ip_network(cidr))
        for name, site in env.site.items()
        if site.transit_gateway is None or not through_vpn_gateway_only
        for cidr in site.static_routes
    ]


def _client_vpn_problems(env):
    vpc = ipaddress.ip_network(env.vpc.cidr)
    all_on_premises = _routed_on_premises(env, through_vpn_gateway_only=False)
    client_cidrs: dict[str, ipaddress.IPv4Network] = {}
    for name, endpoint in env.client_vpn.items():
        where = f'client_vpn "{name}"'
        if not SiteName.fullmatch(name):
            yield f"{where}: an endpoint name is {NAME_RULE}"
        client = ipaddress.ip_network(endpoint.client_cidr)
        for other, other_cidr in client_cidrs.items():
            if client.overlaps(other_cidr):
                yield f'{where} client_cidr: {client} overlaps client_vpn "{other}" client_cidr {other_cidr}'
        client_cidrs[name] = client
        yield from _association_problems(env, where, endpoint)
        if client.overlaps(vpc):
            yield f"{where} client_cidr: {client} overlaps the VPC CIDR {vpc}"
        for site_name, network in all_on_premises:
            if client.overlaps(network):
                yield f'{where} client_cidr: {client} overlaps {network}, routed to site "{site_name}"'
        reachable = [vpc]
        yield from _route_problems(env, where, endpoint, client, reachable)
        for kind, names in (("route", endpoint.route), ("authorization", endpoint.authorization)):
            for block_name in names:
                if not SiteName.fullmatch(block_name):
                    yield f'{where} {kind} "{block_name}": a name is {NAME_RULE}'
        yield from _dns_problems(where, endpoint)
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


def _route_problems(env, where: str, endpoint: ClientVpn, client, reachable: list):
    """Each route's destination against the VPC and the client CIDR, and on-premises routes against the route
    tables that learn them; appends every destination to `reachable`."""
    vpc = ipaddress.ip_network(env.vpc.cidr)
    propagated = set(env.vpc.route_table_ids)
    on_premises = _routed_on_premises(env, through_vpn_gateway_only=True)
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
                table = env.vpc.subnets.get(subnet_id)
                if table and table.route_table_id and table.route_table_id not in propagated:
                    yield (
                        f"{key}: {destination} is on premises, but {subnet_id}'s route table "
                        f"{table.route_table_id} does not learn routes from the virtual private gateway "
                        "(add it to vpc.route_table_ids)"
                    )


def _association_problems(env, where: str, endpoint: ClientVpn):
    """AWS's rules: known subnets, one per zone, at least one. Ours: two zones in the production tier."""
    zones: dict[str, int] = {}
    unknown_subnet = False
    for i, subnet_id in enumerate(endpoint.subnet_ids):
        if subnet_id not in env.vpc.subnets:
            yield f"{where} subnet_ids[{i}]: {subnet_id} is not one of vpc.subnets"
            unknown_subnet = True
            continue
        zone = env.vpc.subnets[subnet_id].availability_zone
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
    elif len(zones) < 2 and env.tier == PRODUCTION:
        yield (
            f'{where} subnet_ids: a production-tier endpoint (tier = "{PRODUCTION}") associates subnets in '
            f"at least two availability zones, for redundancy; got {', '.join(sorted(zones))}"
        )


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
