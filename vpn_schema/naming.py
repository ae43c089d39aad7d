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
