"""Shards: an environment's sites split into named groups, each planned and applied as a stack of its own.

A large environment planned as one Terraform state grows slower than its number of sites; split into shards,
each shard is a smaller state with its own lock, planned side by side with the others. What every site
shares (the virtual private gateway, the alarm topic, the log key, every Client VPN endpoint) stays in the
environment's base stack, with the sites in no shard. Stack names and state keys: vpn_schema.naming.

The `shard` block's model and its cross checks against the sites; the rule that needs the file name (the
stack name's length) is the loader's (stacks/config). cdktf-free, no file access.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field

from vpn_schema import aws_rules as rules
from vpn_schema.base import StrictModel

SHARD_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")
SHARD_NAME_RULE = "lowercase letters, digits and '-', not at either end"


class Shard(StrictModel):
    """A named group of sites deployed as a stack of its own, `<env>-<shard>` (`cdktf deploy prod-emea`), whose
    state lives under `vpn/<env>-<shard>/terraform.tfstate` in the environment's state bucket, with its own lock.
    The shard's sites reach what they share (the VPN gateway ID, the alarm topic ARN, the log key ARN) through
    the base stack's outputs, read with `terraform_remote_state`: deploy the base first. Sites in no shard stay in
    the base stack, named after the file. Moving a site from one shard to another (or to or from the base) is a
    state move that `vpnctl` makes (see docs/shards.md), never a destroy and create. The shard's name is 1 or more
    lowercase letters, digits and '-', not at either end; with the environment's name and a '-', at most 31
    characters."""

    sites: Annotated[list[str], rules.Unique] = Field(description=(
        "The names of the sites of this shard, each a site block of this file, each listed once and in at most "
        "one shard. At least one: remove the block to keep its sites in the base stack."))


def problems(env):
    """`shard "NAME" ...: rule` for each shard whose name or sites break a rule, in the order of the file."""
    owners: dict[str, str] = {}
    for name, shard in env.shard.items():
        where = f'shard "{name}"'
        if not SHARD_NAME.fullmatch(name):
            yield f"{where}: a shard name is {SHARD_NAME_RULE}"
        if not shard.sites:
            yield (f"{where} sites: a shard holds at least one site; remove the block to keep its sites in the "
                   "base stack")
        for i, site in enumerate(shard.sites):
            if site not in env.site:
                yield f'{where} sites[{i}]: no site "{site}" in this file'
                continue
            owner = owners.setdefault(site, name)
            if owner != name:
                yield f'{where} sites[{i}]: site "{site}" is already in shard "{owner}"; a site is in at most one shard'
