"""Builds and synthesizes the cdktf app for validated environments."""

from __future__ import annotations

from pathlib import Path

from stacks.bindings import binding_type_checks_skipped, load_lazily

load_lazily()  # before the first binding is imported: this module is where the app starts

from cdktf import App, TerraformStack

from stacks.config import LoadedEnvironment
from stacks.guard import GuardError, check_all_matched, check_each_lifted_once
from stacks.shard_stack import ShardStack
from stacks.vpn_stack import VpnStack
from vpn_schema.naming import shard_stack, stack_names


def build_app(
    environments: list[LoadedEnvironment], outdir: Path, allow_replace: frozenset[str] = frozenset(),
    bound: bool = True, only: dict[str, frozenset[str]] | None = None,
) -> App:
    """Every stack of every environment: its base stack (VpnStack), then one ShardStack per shard block. `only`:
    per environment, the stacks to build (a CI matrix job reviews one shard; each stack stands alone, reading
    the base's outputs from its state); an environment not in it, all of its stacks."""
    app = App(outdir=str(outdir))
    stacks: list[TerraformStack] = []
    with binding_type_checks_skipped():  # the config is validated; see stacks/bindings.py
        for environment in environments:
            names = stack_names(environment.name, environment.config)
            wanted = (only or {}).get(environment.name) or frozenset(names)
            if names[0] in wanted:
                stacks.append(VpnStack(app, environment, allow_replace=allow_replace, bound_allowances=bound))
            stacks += [ShardStack(app, environment, shard, allow_replace=allow_replace, bound_allowances=bound)
                       for shard in environment.config.shard if shard_stack(environment.name, shard) in wanted]
    check_all_matched(allow_replace, set().union(*(stack.replace_allowed for stack in stacks)), stacks)
    check_each_lifted_once(stacks)
    return app


def synth(environments: list[LoadedEnvironment], outdir: Path, allow_replace: frozenset[str] = frozenset(),
          bound: bool = True, only: dict[str, frozenset[str]] | None = None) -> Path:
    """`allow_replace` applies to every stack built: name one environment with it (a site's addresses are the
    same in whichever of its environment's stacks it is, and in one stack only). `bound`: see stacks/guard.py.
    `only`: as build_app takes it."""
    build_app(environments, outdir, allow_replace, bound, only).synth()
    return outdir


# Terraform's override rule: it merges these files over the rest of a folder's configuration, without a word.
OVERRIDE_FILES = ("override.tf", "override.tf.json", "*_override.tf", "*_override.tf.json")


class OverrideFileFound(GuardError):
    """A Terraform override file lies in a stack folder the app synthesizes into."""


def refuse_override_files(environments: list[LoadedEnvironment], outdir: Path) -> None:
    """OverrideFileFound naming every Terraform override file in the stack folders of `environments`: nothing
    here synthesizes one, so one found there was left by a local run (`local_override.tf.json`, which
    `vpnctl --local` once wrote here) or planted, and `cdktf deploy` would apply it with the stack."""
    found = sorted({path for environment in environments for stack in stack_names(environment.name, environment.config)
                    for pattern in OVERRIDE_FILES for path in (outdir / "stacks" / stack).glob(pattern)})
    if found:
        raise OverrideFileFound(
            "\n".join(f"{path}: a Terraform override file in a stack folder; Terraform would merge it over the "
                      f"synthesized stack, without a word, into what `cdktf deploy` applies" for path in found)
            + "\nNothing synthesizes such a file: delete it (a `vpnctl --local` run writes its settings under "
            "the build folder, not here), or put what it changes into the environment file."
        )
