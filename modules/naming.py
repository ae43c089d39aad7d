"""Construct IDs from names in the config, so that adding or reordering never renames what exists.

One function, so that the config's collision checks and the constructs agree on
which names map to the same ID. cdktf-free.
"""

import re


def id_part(text: str) -> str:
    """`192.168.30.0/24` -> `192-168-30-0-24`: characters a construct ID can carry."""
    return re.sub(r"[^0-9A-Za-z]+", "-", text).strip("-")
