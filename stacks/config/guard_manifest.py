"""The guard manifest: what a production-tier environment had when it was last deployed, committed beside it.

`prevent_destroy` protects only what is still in the configuration, and it is one setting in the
file it protects. The manifest (`environments/<env>.guard.json`, written by `vpnctl deploy`) keeps
two facts outside that reach, for every path that synthesizes (`vpnctl`, `cdktf synth|diff|deploy`):

- **Guarded names.** A site or Client VPN endpoint named here may leave the environment file only
  in a change that also deletes its name here (retires it). Otherwise loading fails (exit 2), so
  a removal always shows twice in the pull request's diff.
- **Stacks.** With shard blocks, which shard stack each site was deployed in. A site moved to another
  stack needs its state moved first, which `vpnctl deploy` does and `cdktf deploy` can't: `main.py` refuses it.
- **Identity.** Account, region, state bucket, file name, tier and VPC. Changing one of them moves
  or abandons the real environment (a new, empty state; the gateway on another VPC; the guard
  switched off). Each change is refused unless allowed by `KEY=VALUE`, which names the new value,
  so an allowance can't pass a different change later.

cdktf-free: the schema layer reads it, `vpnctl` and `main.py` act on it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from stacks.config.errors import ConfigError
from vpn_schema.environment import PRODUCTION, TIERS, Environment, state_key
from vpn_schema.naming import site_stack, stack_sites

SUFFIX = ".guard.json"
# The identity keys that decide where the S3 backend keeps the state: changing one moves the state.
STATE_KEYS = ("file", "state.bucket", "state.region")
RETIRE = "delete its name from {where} in the same change"


def manifest_path(environment_file: Path) -> Path:
    return environment_file.with_name(environment_file.stem + SUFFIX)


def identity(name: str, config: Environment) -> dict[str, str]:
    """What makes this environment the one deployed: change any and Terraform manages something else."""
    found = {
        "file": f"{name}.hcl",
        "account_id": config.account_id,
        "region": config.region,
        "state.bucket": config.state.bucket,
        "state.region": config.state.region,
        "tier": config.tier,
    }
    if config.vpc is not None:  # a transit-gateway-only environment has none
        found["vpc.id"] = config.vpc.id
    return found


def guarded_names(config: Environment) -> dict[str, list[str]]:
    return {"site": sorted(config.site), "client_vpn": sorted(config.client_vpn)}


def shard_stacks(name: str, config: Environment) -> dict[str, list[str]]:
    """Each shard stack and its sites; a site in none is in the base stack (`name`)."""
    return {stack: sites for stack, sites in stack_sites(name, config).items() if stack != name}


def render(name: str, config: Environment) -> str:
    document = {
        "about": ("Written by vpnctl deploy. To destroy a site or Client VPN endpoint, delete its block from "
                  f"{name}.hcl and its name here in the same change. See README, The prod guard."),
        "identity": identity(name, config),
        "guarded": guarded_names(config),
    }
    if config.shard:  # where each site's state is; without shards, all in the base stack
        document["stacks"] = shard_stacks(name, config)
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def stack_moves(environment_file: Path, name: str, config: Environment) -> list[tuple[str, str, str]]:
    """(site, the stack it was deployed in, the stack it is in now) for each guarded site that changed stacks
    since the manifest was written: a state move `vpnctl deploy` makes (vpnctl/shard_moves.py) and cdktf can't."""
    manifest = read(manifest_path(environment_file))
    if manifest is None:
        return []
    deployed = {site: stack for stack, sites in (manifest.get("stacks") or {}).items() for site in sites}
    return [(site, deployed.get(site, name), site_stack(name, config, site))
            for site in sorted((manifest.get("guarded") or {}).get("site", [])) if site in config.site
            and deployed.get(site, name) != site_stack(name, config, site)]


def write(environment_file: Path, name: str, config: Environment) -> list[str]:
    """After a deploy: the manifest of a production-tier environment as deployed; other tiers have none.

    An allowed rename leaves the old file's manifest behind, and an allowed lowering leaves a manifest
    the tier no longer has: both go, or every later run would be refused for a change already made.
    Returns one line per file changed, for the operator to commit.
    """
    path = manifest_path(environment_file)
    changed = []
    if config.tier == PRODUCTION:
        replaced = None if path.is_file() else _orphan_path_for(environment_file, config)
        path.write_text(render(name, config))
        changed.append(f"{path} records what is guarded now")
        if replaced is not None:
            replaced.unlink()
            changed.append(f"{replaced} removed: {path} replaces it")
    elif path.is_file():
        path.unlink()
        changed.append(f"{path} removed: the {config.tier} tier has no guard")
    return changed


def read(path: Path) -> dict | None:
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError([f"{path}: cannot read the guard manifest: {exc}"]) from None
    if not isinstance(document, dict) or not isinstance(document.get("identity"), dict):
        raise ConfigError([f"{path}: not a guard manifest (no \"identity\")"])
    return document


def removal_problems(source: str, environment_file: Path, config: Environment) -> list[str]:
    """`file: key: rule` for each guarded name whose block left the file without being retired."""
    manifest = read(manifest_path(environment_file))
    if manifest is None:
        return []
    where = manifest_path(environment_file)
    problems = []
    for kind, names in sorted((manifest.get("guarded") or {}).items()):
        present = getattr(config, kind, {}) if kind in ("site", "client_vpn") else {}
        for gone in sorted(set(names) - set(present)):
            what = "its VPN connection and customer gateway (new tunnel IPs if it comes back)" if kind == "site" \
                else "the endpoint (a new DNS name and new profiles for every user if it comes back)"
            problems.append(f'{source}: {kind} "{gone}": guarded by {where}; removing its block destroys {what}. '
                            f"To retire it, {RETIRE.format(where=where)}")
    return problems


@dataclass(frozen=True)
class IdentityChange:
    """One change of identity: `key` (as `--allow-change KEY=VALUE` names it), the values, in plain words."""

    key: str
    before: str
    after: str
    words: str

    @property
    def allowance(self) -> str:
        return f"{self.key}={self.after}"

    @property
    def moves_state(self) -> bool:
        return self.key in STATE_KEYS


@dataclass(frozen=True)
class StateLocation:
    bucket: str
    key: str
    region: str

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def state_location(ident: dict[str, str]) -> StateLocation:
    """Where the state of the environment with this identity lives."""
    return StateLocation(ident["state.bucket"], state_key(ident["file"].removesuffix(".hcl")), ident["state.region"])


def state_move(environment_file: Path, name: str, config: Environment) -> tuple[StateLocation, StateLocation] | None:
    """(where the state is, where this config keeps it) when the two differ; None when they don't, or when no
    manifest says where it is."""
    manifest = read(manifest_path(environment_file)) or _orphan_for(environment_file, config)
    if manifest is None:
        return None
    source, target = state_location(manifest["identity"]), state_location(identity(name, config))
    return (source, target) if source != target else None


def identity_changes(environment_file: Path, name: str, config: Environment) -> list[IdentityChange]:
    """How this environment differs from what its manifest (or, for a renamed file, a manifest left without
    its file) says was deployed."""
    manifest = read(manifest_path(environment_file))
    if manifest is None:
        manifest = _orphan_for(environment_file, config)
        if manifest is None:
            return []
    now = identity(name, config)
    changes = []
    for key, before in sorted(manifest["identity"].items()):
        after = now.get(key)
        if after is not None and str(before) != str(after) and not _raised_tier(key, str(before), str(after)):
            changes.append(IdentityChange(key, str(before), str(after), _words(key, str(before), manifest, now)))
    return changes


def orphans(directory: Path) -> list[str]:
    """`file: rule` for each manifest whose environment file is gone: a renamed or deleted production."""
    lines = []
    for path in sorted(directory.glob(f"*{SUFFIX}")):
        environment_file = path.with_name(path.name.removesuffix(SUFFIX) + ".hcl")
        if not environment_file.is_file():
            lines.append(f"{path}: guards {environment_file.name}, which is gone: renaming or deleting a "
                         "production environment's file leaves it unmanaged. Move this manifest with a renamed "
                         "file (the rename is then reviewed as an identity change), or delete it to retire the "
                         "whole environment")
    return lines


def _orphan_for(environment_file: Path, config: Environment) -> dict | None:
    path = _orphan_path_for(environment_file, config)
    return read(path) if path is not None else None


def _orphan_path_for(environment_file: Path, config: Environment) -> Path | None:
    """A manifest in the same folder whose file is gone and whose account and region this file now has."""
    for path in sorted(environment_file.parent.glob(f"*{SUFFIX}")):
        if path.with_name(path.name.removesuffix(SUFFIX) + ".hcl").is_file():
            continue
        document = read(path)
        ident = document["identity"] if document else {}
        if ident.get("account_id") == config.account_id and ident.get("region") == config.region:
            return path
    return None


def _raised_tier(key: str, before: str, after: str) -> bool:
    return key == "tier" and before in TIERS and after in TIERS and TIERS.index(after) > TIERS.index(before)


def _words(key: str, before: str, manifest: dict, now: dict[str, str]) -> str:
    old = manifest["identity"]
    old_name = old.get("file", "?").removesuffix(".hcl")
    new_name = now["file"].removesuffix(".hcl")
    if key == "tier":
        return (f"lowers the tier from {before} to {now['tier']}: prevent_destroy, the strict policy and the "
                "two-zone rule no longer hold")
    if key == "vpc.id":
        return (f"moves the virtual private gateway from {before} to {now['vpc.id']}: traffic between the sites "
                "and the old VPC stops")
    if key in STATE_KEYS:
        return (f"moves {old_name}'s state from {state_location(old)} to {state_location(now)}: Terraform finds no "
                f"state there and would plan a new, empty {new_name} beside the current {old_name} in "
                f"{old.get('region')} (account {old.get('account_id')}), leaving that one unmanaged; allowed, "
                "`vpnctl deploy` copies the state there first (cdktf can't)")
    return (f"this plan manages a new, empty {new_name} (account {now['account_id']}, {now['region']}, state "
            f"bucket {now['state.bucket']}); the current {old_name} in {old.get('region')} (account "
            f"{old.get('account_id')}, state bucket {old.get('state.bucket')}) would be left unmanaged")


def unallowed(changes: list[IdentityChange], allowed: frozenset[str]) -> list[IdentityChange]:
    return [change for change in changes if change.allowance not in allowed]


def refusals(source: str, name: str, config: Environment, allowed: frozenset[str], how: str) -> list[str]:
    """One line per identity change nobody allowed; `how` formats the allowance (`--allow-change {}`)."""
    return [f"{source}: {change.key}: {change.before} → {change.after}: {change.words}. If intended, once "
            f"reviewed: {how.format(change.allowance)}"
            for change in unallowed(identity_changes(Path(source), name, config), allowed)]
