"""The cdktf app: one stack per `environments/*.hcl`, so `cdktf deploy prod` deploys prod, and one per shard.

Config is validated before cdktf is imported: a bad file stops here with exit
status 2 and one line per problem, and nothing is written to the output folder.
VPN_ALLOW_REPLACE (space-separated ADDRESS@DIGEST, as the review prints them) lifts prod's guard for
exactly those, as `vpnctl deploy --allow-replace` does: `cdktf deploy prod`
after a reviewed replacement. A production environment's guard manifest
(`<env>.guard.json`) refuses an unretired removal (when loading) and a changed
identity (here) unless VPN_ALLOW_CHANGE names it as KEY=VALUE.
A guarded site moved to another shard's stack is refused too: its state must move first (`vpnctl deploy`).
With shard blocks, an environment is several stacks: `cdktf deploy prod` (the base, first), then
`cdktf deploy prod-emea` and the other shards (docs/shards.md).
A Terraform override file (`*_override.tf.json`) in a stack folder is refused
(exit 2): Terraform would merge it into what `cdktf deploy` applies, silently.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from stacks.config import ConfigError, load_environments


def main() -> int:
    directory = Path(os.environ.get("VPN_ENVIRONMENTS_DIR", "environments"))
    try:
        environments = load_environments(directory)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    guard = guard_problems(directory, environments, frozenset(os.environ.get("VPN_ALLOW_CHANGE", "").split()))
    if guard:
        print("\n".join(guard), file=sys.stderr)
        return 2
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from stacks.bindings import load_lazily

    load_lazily()  # the jsii speed-ups, before cdktf and the bindings load
    from stacks.app import refuse_override_files, synth  # cdktf loads only for a valid config
    from stacks.guard import GuardError

    allow_replace = frozenset(os.environ.get("VPN_ALLOW_REPLACE", "").split())
    outdir = Path(os.environ.get("CDKTF_OUTDIR") or "cdktf.out")
    try:
        refuse_override_files(environments, outdir)  # Terraform would apply one with the stack, silently
        synth(environments, outdir, allow_replace)
    except GuardError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


def guard_problems(directory: Path, environments, allowed: frozenset[str]) -> list[str]:
    """Production's guard manifests (stacks/config/guard_manifest.py): a manifest left without its file, and
    identity changes VPN_ALLOW_CHANGE doesn't name. A change that moves the state is refused even when named:
    cdktf would start from an empty state at the new place; `vpnctl deploy` copies the state there first."""
    from stacks.config.guard_manifest import identity_changes, orphans, refusals, stack_moves

    lines = orphans(directory)
    for env in environments:
        lines += refusals(env.source, env.name, env.config, allowed, "VPN_ALLOW_CHANGE='{}'")
        lines += [f"{env.source}: {change.key}: {change.before} → {change.after}: cdktf can't move the state; run "
                  f"`vpnctl deploy {env.name} --allow-change {change.allowance}`, which copies it first"
                  for change in identity_changes(Path(env.source), env.name, env.config)
                  if change.moves_state and change.allowance in allowed]
        moves = stack_moves(Path(env.source), env.name, env.config)
        lines += [f'{env.source}: site "{site}": moves from stack {before} to {after}: cdktf would destroy it in '
                  f"{before} and create it anew in {after} (new tunnel outside IPs); run `vpnctl deploy {env.name}`, "
                  "which moves its state first" for site, before, after in moves]
    return lines


if __name__ == "__main__":
    sys.exit(main())
