"""A local AWS left running by `vpnctl deploy ENV --local --keep`, for the day-2 commands' `--local`.

The deploy writes where the emulator listens and the credentials made for it to
`BUILD/local/ENV/emulator.json` (mode 0600); `status`, `offboard` and `maintenance` with `--local` read
it and reach the emulator through the same environment variables a user sets for AWS (boto3 and
Terraform alike), so the commands run one code path either way.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from vpnctl.secret_file import write_secret_file

KEPT_FILE = "emulator.json"
USER_ONLY = ("AWS_SESSION_TOKEN", "AWS_PROFILE")


class NoKeptEmulator(Exception):
    """No local AWS is running for the environment."""


def kept_file(build: Path, environment: str) -> Path:
    return build / "local" / environment / KEPT_FILE


def write(build: Path, environment: str, aws) -> Path:
    """Records a running emulator (a vpnctl.emulator_process.LocalAws) for `--local` commands."""
    path = kept_file(build, environment)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_secret_file(path, json.dumps({"pid": aws.pid, "account_id": aws.account_id,
                                        "environment": aws.terraform_env()}, indent=2) + "\n")
    return path


def remove(build: Path, environment: str) -> None:
    kept_file(build, environment).unlink(missing_ok=True)


def kept_environment(build: Path, environment: str) -> dict[str, str]:
    """The variables that point boto3 and Terraform at the kept emulator; NoKeptEmulator when there is none."""
    path = kept_file(build, environment)
    start = f"start one with `vpnctl deploy {environment} --local --keep` (it stays up until Ctrl-C)"
    try:
        record = json.loads(path.read_text())
    except FileNotFoundError:
        raise NoKeptEmulator(f"no local AWS is running for {environment} ({path} is missing): {start}") from None
    if not _alive(record.get("pid")):
        path.unlink(missing_ok=True)
        raise NoKeptEmulator(f"the local AWS for {environment} (pid {record.get('pid')}) has stopped: {start}")
    return record["environment"]


def _alive(pid) -> bool:
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def pointed_at(variables: dict[str, str]) -> Iterator[None]:
    """Sets `variables` in this process's environment (boto3 sessions and Terraform runs read them), without
    the user's own session token and profile (never sent to the emulator), and puts back what was there after."""
    saved = {name: os.environ.get(name) for name in (*variables, *USER_ONLY)}
    for name in USER_ONLY:
        os.environ.pop(name, None)
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
