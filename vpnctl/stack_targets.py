"""Names on the command line that are a shard's stack (`vpnctl review prod-emea`, one job of a CI matrix): which
environment to load, and which of its stacks the command works on. An environment's own name means every one of
its stacks."""

from __future__ import annotations

from pathlib import Path

from stacks.config import load_environments
from vpn_schema.naming import stack_names


def resolve(directory: Path, names: list[str] | None) -> tuple[list[str] | None, dict[str, frozenset[str]] | None]:
    """(the environment names to load, per environment the stacks asked for; None: all of every one)."""
    if not names:
        return names, None
    files = {path.stem for path in directory.glob("*.hcl")}
    if all(name in files for name in names):
        return names, None
    owner = {stack: env.name for env in load_environments(directory)
             for stack in stack_names(env.name, env.config) if stack != env.name}
    environments: list[str] = []
    stacks: dict[str, set[str] | None] = {}
    for name in names:
        environment = name if name in files or name not in owner else owner[name]
        if environment not in environments:
            environments.append(environment)
        if environment == name:
            stacks[environment] = None  # the environment itself: all of its stacks
        elif stacks.get(environment, set()) is not None:
            stacks.setdefault(environment, set()).add(name)
    return environments, {env: frozenset(chosen) for env, chosen in stacks.items() if chosen is not None}
