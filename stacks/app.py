"""Builds and synthesizes the cdktf app for validated environments."""

from __future__ import annotations

from pathlib import Path

from cdktf import App

from modules import binding_type_checks_skipped
from stacks.config import LoadedEnvironment
from stacks.guard import check_all_matched
from stacks.vpn_stack import VpnStack


def build_app(
    environments: list[LoadedEnvironment], outdir: Path, allow_replace: frozenset[str] = frozenset()
) -> App:
    app = App(outdir=str(outdir))
    with binding_type_checks_skipped():  # the config is validated; see modules/__init__.py
        stacks = [VpnStack(app, environment, allow_replace=allow_replace) for environment in environments]
    check_all_matched(allow_replace, set().union(*(stack.replace_allowed for stack in stacks)), stacks)
    return app


def synth(environments: list[LoadedEnvironment], outdir: Path, allow_replace: frozenset[str] = frozenset()) -> Path:
    """`allow_replace` applies to every stack given: name one environment with it."""
    build_app(environments, outdir, allow_replace).synth()
    return outdir
