"""Names on the command line that are a shard's stack (`vpnctl review prod-emea`, one job of a CI matrix): which
environment to load, and which of its stacks the command works on. An environment's own name means every one of
its stacks; `--stack` names stacks exactly, as `vpnctl stacks` lists them, so `--stack prod` is prod's base
stack alone (the matrix's job for the base)."""

from __future__ import annotations

from pathlib import Path

from stacks.config import ConfigError, LoadedEnvironment, load_environments
from vpn_schema.naming import stack_names


def resolve(directory: Path, names: list[str] | None) -> tuple[list[str] | None, dict[str, frozenset[str]] | None]:
    """(the environment names to load, per environment the stacks asked for; None: all of every one)."""
    if not names:
        return names, None
    files = {path.stem for path in directory.glob("*.hcl")}
    if all(name in files for name in names):
        return names, None
    owner = _owners(directory, [name for name in names if name not in files], files)
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


def exact(directory: Path, names: list[str]) -> tuple[list[LoadedEnvironment], dict[str, frozenset[str]]]:
    """`--stack`: the environments that hold the stacks `names` (loaded once: a CI job's config is parsed
    once), and per environment exactly those stacks, an environment's name being its base stack alone;
    ConfigError naming each one that no environment has."""
    files = {path.stem for path in directory.glob("*.hcl")}
    loaded = {env.name: env for env in _load(directory, names, files)}
    owner = {stack: env.name for env in loaded.values() for stack in stack_names(env.name, env.config)
             if stack in names}
    unknown = [name for name in names if name not in owner]
    if unknown:
        raise ConfigError([f"--stack {name}: no environment in {directory} has this stack (`vpnctl stacks` lists "
                           "them)" for name in unknown])
    environments = list(dict.fromkeys(owner[name] for name in names))
    return [loaded[env] for env in environments], {
        env: frozenset(name for name in names if owner[name] == env) for env in environments}


def _load(directory: Path, names: list[str], files: set[str]) -> list[LoadedEnvironment]:
    """The environments that may hold the stacks `names`: a name's own file (its base stack), and for a shard's
    stack, `<env>-<shard>`, each file whose name prefixes it; only those are loaded (and checked)."""
    candidates = sorted(stem for stem in files if any(name == stem or name.startswith(f"{stem}-") for name in names))
    return load_environments(directory, candidates) if candidates else []


def _owners(directory: Path, names: list[str], files: set[str]) -> dict[str, str]:
    """Shard stack -> its environment, for those of `names` that are one."""
    return {stack: env.name for env in _load(directory, names, files)
            for stack in stack_names(env.name, env.config)[1:] if stack in names}
