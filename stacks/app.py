"""Builds and synthesizes the cdktf app for validated environments."""

from __future__ import annotations

from pathlib import Path

from cdktf import App

from stacks.config import LoadedEnvironment
from stacks.vpn_stack import VpnStack


def build_app(environments: list[LoadedEnvironment], outdir: Path) -> App:
    app = App(outdir=str(outdir))
    for environment in environments:
        VpnStack(app, environment)
    return app


def synth(environments: list[LoadedEnvironment], outdir: Path) -> Path:
    build_app(environments, outdir).synth()
    return outdir
