"""Where the day-2 commands (`status`, `maintenance`) reach AWS: the account the environment deploys into,
or with `--local` the local AWS that `vpnctl deploy ENV --local --keep` left running. One code path either
way: `--local` only points the usual environment variables at the kept emulator."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from vpnctl.kept_emulator import kept_environment, pointed_at


def add_target_options(command) -> None:
    command.add_argument("env", nargs=1, metavar="ENV", help="environment name")
    command.add_argument("--local", action="store_true",
                         help="the local AWS left running by `vpnctl deploy ENV --local --keep`")
    command.add_argument("--build", type=Path, default=Path("build"),
                         help="folder of the local runs (default: build); with --local, where the kept AWS is recorded")


@contextlib.contextmanager
def reaching(args, environment: str) -> Iterator[None]:
    """AWS as the environment names it, or the kept local AWS (NoKeptEmulator when none is running)."""
    if not args.local:
        yield
        return
    with pointed_at(kept_environment(args.build, environment)):
        yield
