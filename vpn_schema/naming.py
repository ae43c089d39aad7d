"""Construct IDs from names in the config, so that adding or reordering never renames what exists.

One home for how a name or a network becomes part of an ID, so that the config's collision checks
and the constructs agree. Distinct names give distinct IDs (construct IDs must be unique in their
scope, or synth dies). cdktf-free.
"""

import re

# What a name may carry into an ID as it is: every name the config's name rule accepts.
_KEPT = re.compile(r"[0-9A-Za-z-]")


def id_part(text: str) -> str:
    """`192.168.30.0/24` -> `192-168-30-0-24`: characters a construct ID can carry. Folds separators, so
    only for values of one shape (CIDRs, addresses), where the folding loses nothing."""
    return re.sub(r"[^0-9A-Za-z]+", "-", text).strip("-")


def name_id(name: str) -> str:
    """A name as part of a construct ID: unchanged when it holds only letters, digits and '-' (every name
    the config accepts, so IDs never change), any other character as `_` and its code point in hex.
    Injective: `_` is never kept, so each escape reads back one way."""
    return "".join(c if _KEPT.fullmatch(c) else f"_{ord(c):x}_" for c in name)


def authorization_rule_id(name: str, network: str) -> str:
    """One rule's resource for one IPv4 network: the network's five numbers end the ID, so it splits
    back one way."""
    return f"{name_id(name)}-{id_part(network)}"


def client_route_id(name: str, subnet_id: str) -> str:
    """One route through one associated subnet (`subnet-` and hex, no other '-', ends the ID)."""
    return f"route-{name_id(name)}-{subnet_id}"


# Names outside the construct tree: the Name tag AWS shows (`<environment>-<name>`), the stack's output names,
# and the construct scopes that own a config block's resources. Producers and readers (vpnctl) both use these.


def resource_name(environment: str, name: str) -> str:
    """The Name tag of a config block's main resources: `prod-berlin-hq`."""
    return f"{environment}-{name}"


def resource_name_of(environment: str, tag: str | None) -> str | None:
    """The config name a Name tag gives for `environment` (the reader of `resource_name`); None for a tag
    of another environment or none. Environment and config names both hold '-', so it needs the environment."""
    prefix = resource_name(environment, "")
    return tag[len(prefix):] if tag and tag.startswith(prefix) and len(tag) > len(prefix) else None


def site_tunnels_output(site: str) -> str:
    """The stack output with a site's tunnel outside IPs: `terraform output site_berlin-hq_tunnels`."""
    return f"site_{site}_tunnels"


def client_vpn_output(endpoint: str) -> str:
    """The stack output with a Client VPN endpoint's ID and DNS name."""
    return f"client_vpn_{endpoint}"


# Construct scopes that own one config block's resources, by kind, as `<kind>-<name>`.
SCOPE_KINDS = ("site", "client_vpn", "revocation", "certificates")


def scope_id(kind: str, name: str) -> str:
    """The construct ID of the scope holding block `name`'s resources: `site-berlin-hq`."""
    if kind not in SCOPE_KINDS:
        raise ValueError(f"{kind!r} is not one of {', '.join(SCOPE_KINDS)}")
    return f"{kind}-{name}"


def scope_of(construct_id: str) -> tuple[str, str] | None:
    """(kind, name) of a scope's construct ID (the reader of `scope_id`); None for any other ID. Kinds hold
    no '-', so the first '-' ends the kind."""
    kind, dash, name = construct_id.partition("-")
    return (kind, name) if dash and name and kind in SCOPE_KINDS else None


# Stacks: an environment is its base stack, named after its file, and one stack per shard block
# (vpn_schema.shards). Each keeps its state under its own key (vpn_schema.environment.state_key).


def shard_stack(environment: str, shard: str) -> str:
    """The stack of shard `shard` of `environment`: `prod-emea`, so `cdktf deploy prod-emea`."""
    return f"{environment}-{shard}"


def stack_names(environment: str, config) -> list[str]:
    """Every stack of an environment, the base first (it holds what the shards read), then the shards in the
    order of the file: `["prod", "prod-emea", "prod-amer"]`; `["dev"]` without shard blocks."""
    return [environment, *(shard_stack(environment, shard) for shard in config.shard)]


def site_stack(environment: str, config, site: str) -> str:
    """The stack a site's resources live in: its shard's, or the base stack when it is in no shard."""
    for shard, block in config.shard.items():
        if site in block.sites:
            return shard_stack(environment, shard)
    return environment


def stack_sites(environment: str, config) -> dict[str, list[str]]:
    """Stack name -> the names of its sites, in the order of the file; every stack of `stack_names`, base first."""
    stacks: dict[str, list[str]] = {name: [] for name in stack_names(environment, config)}
    for site in config.site:
        stacks[site_stack(environment, config, site)].append(site)
    return stacks


def site_output_names(site: str) -> tuple[str, str]:
    """The stack outputs of one site: its tunnels, and AWS's device configuration (sensitive)."""
    return site_tunnels_output(site), f"site_{site}_customer_gateway_configuration"


# The base stack's outputs that its shards read (terraform_remote_state): every base stack has had them, so a
# shard plans against a base deployed before shards existed. And the list of its shard stacks as last applied,
# which tells a later run where a site of a removed shard still is (vpnctl/shard_moves.py).
VPN_GATEWAY_OUTPUT = "vpn_gateway_id"
ALARM_TOPIC_OUTPUT = "alarm_topic_arn"
SHARD_STACKS_OUTPUT = "shard_stacks"


def log_key_alias(environment: str) -> str:
    """The alias of the log key a base stack creates (`logging.create_kms_key`), by which its shards find it:
    modules/log_encryption_key.py names it so (tests/test_shards.py checks the two agree)."""
    return f"alias/vpn-logs-{environment}"
