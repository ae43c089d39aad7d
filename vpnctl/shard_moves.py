"""Moving sites between the stacks of one environment (its base and its shards) as state moves.

A site's Terraform addresses are the same in whichever stack of its environment it is (stacks/vpn_stack.py,
`site_to_site`), so when the config puts a site in another shard, its resources can move from one state to the
other unchanged: nothing is destroyed or created, and the tunnels stay up with their outside IPs. Planned
without the move, the old stack would destroy the site and the new one create it again (new tunnel outside
IPs, an on-premises reconfiguration).

`find_moves` only reads, straight from the state objects (vpnctl/remote_states.py: no Terraform, no synth or
init of any stack): each stack's resource addresses, and the base's `shard_stacks` output, which names the
shard stacks as last applied, so the sites of a shard whose block was removed are found too. `move_sites` makes the
moves: it takes the state lock of every stack involved (the S3 lock file Terraform itself uses, `<key>.tflock`,
refused if anyone holds it), pulls each state, keeps a copy of it under the build folder, runs
`terraform state mv -state=FROM -state-out=TO` on the local copies, carries the site's outputs along, pushes
the states (a stack after those that receive its sites) and releases the locks.
"""

from __future__ import annotations

import contextlib
import dataclasses
import getpass
import json
import os
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpn_schema.environment import state_key
from vpn_schema.naming import SHARD_STACKS_OUTPUT, scope_of, site_output_names, site_stack, stack_names
from vpnctl.remote_states import RemoteStates, StateReadError
from vpnctl.state_lock import LOCK_SUFFIX, s3_backend, s3_client
from vpnctl.synthesized import STACK_FILE
from vpnctl.terraform import Terraform

MOVES_FOLDER = "shard-moves"


class ShardMoveError(RuntimeError):
    """A move that can't be made safely: a lock is held, or a site is in two states at once."""


@dataclass(frozen=True)
class SiteMove:
    """One site whose resources are in `source`'s state while the config puts it in `target`."""

    site: str
    source: str
    target: str
    addresses: tuple[str, ...]  # every resource of the site in `source`'s state, data sources included

    @property
    def resources(self) -> int:
        return sum(1 for address in self.addresses if not address.startswith("data."))

    def words(self) -> str:
        return (f"site {self.site} moves from {self.source} to {self.target}: {self.resources} resources, "
                "nothing destroyed")


def site_of(address: str) -> str | None:
    """The site whose scope (`site-<name>`, vpn_schema.naming.scope_id) holds the resource at `address`: the
    first part of its logical ID, which cdktf joins with '_' (config names hold none)."""
    name = address.removeprefix("data.").split("[", 1)[0].split(".", 1)[-1]
    scope = scope_of(name.split("_", 1)[0])
    return scope[1] if scope and scope[0] == "site" else None


def find_moves(environment: LoadedEnvironment, build: Path, aws=None) -> list[SiteMove]:
    """The moves the config asks for, read from the states of every stack of the environment and of the shard
    stacks the base last applied that the config no longer has (in the local emulator `aws`, or in AWS).
    Changes nothing in any state; ShardMoveError when a state can't be read or a site is in two."""
    states = RemoteStates(environment.config, aws)
    try:
        found = {stack: states.addresses(stack) for stack in _every_stack(environment, states)}
    except StateReadError as exc:
        raise ShardMoveError(str(exc)) from exc
    where: dict[str, dict[str, list[str]]] = {}
    for stack, addresses in found.items():
        for address in addresses:
            site = site_of(address)
            if site is not None and site in environment.config.site:
                where.setdefault(site, {}).setdefault(stack, []).append(address)
    moves = []
    for site, stacks in where.items():
        target = site_stack(environment.name, environment.config, site)
        if len(stacks) > 1:
            raise ShardMoveError(f"site {site} is in the states of {' and '.join(sorted(stacks))}: an earlier move "
                                 f"stopped half way; compare them with the copies under {build / MOVES_FOLDER} and "
                                 "remove it from the one it should leave (terraform state rm)")
        (source, addresses), = stacks.items()
        if source != target:
            moves.append(SiteMove(site, source, target, tuple(sorted(addresses))))
    return sorted(moves, key=lambda move: move.site)


def _every_stack(environment: LoadedEnvironment, states: RemoteStates) -> list[str]:
    """The config's stacks, then the shard stacks the base last applied that the config no longer has."""
    names = stack_names(environment.name, environment.config)
    applied = states.output(environment.name, SHARD_STACKS_OUTPUT) or []
    return names + [stack for stack in applied if stack not in names and stack.startswith(f"{environment.name}-")]


def move_sites(environment: LoadedEnvironment, terraforms: dict[str, Terraform], build: Path) -> list[SiteMove]:
    """Makes the moves `find_moves` finds, under the locks of every stack involved; returns them (each
    `words()` says it for a reviewer). A copy of each state before and after is kept in a folder of its own under
    `build/shard-moves/`, readable by this user only (states hold keys)."""
    terraforms = {**terraforms, **_retired(environment, terraforms, build)}
    moves = find_moves(environment, build, terraforms[environment.name].emulator)
    if not moves:
        return []
    stacks = sorted({move.source for move in moves} | {move.target for move in moves})
    with _locked({stack: terraforms[stack] for stack in stacks}):
        folder = build.resolve() / MOVES_FOLDER / f"{environment.name}-{time.strftime('%Y%m%d-%H%M%S')}-" \
            f"{uuid.uuid4().hex[:6]}"
        folder.mkdir(parents=True, mode=0o700)
        files = {stack: _pull(terraforms[stack], folder, stack) for stack in stacks}
        for move in moves:
            for address in move.addresses:  # one SOURCE DESTINATION pair a run; each address stays as it is
                terraforms[move.source].run("state", "mv", "-lock=false", f"-state={files[move.source]}",
                                            f"-state-out={files[move.target]}", address, address)
            _carry_outputs(move, files[move.source], files[move.target])
        for stack in _push_order(moves):
            terraforms[stack].run("state", "push", "-lock=false", str(files[stack]))
    return moves


def _push_order(moves: list[SiteMove]) -> list[str]:
    """Each stack after every stack that receives a site from it: stopped half way, a move leaves a site in
    two states (which `find_moves` refuses, naming the copies) rather than in none (which a plan would create
    again). Sites swapped both ways between two stacks can't be ordered so; those go in name order."""
    waiting = sorted({move.source for move in moves} | {move.target for move in moves})
    order: list[str] = []
    while waiting:
        ready = [stack for stack in waiting if all(move.target in order or move.target == stack
                                                   for move in moves if move.source == stack)]
        order.append((ready or waiting)[0])
        waiting.remove(order[-1])
    return order


def _retired(environment: LoadedEnvironment, terraforms: dict[str, Terraform], build: Path) -> dict[str, Terraform]:
    """Terraform on the state of each shard stack the base last applied (its `shard_stacks` output) that is no
    longer in `terraforms`: a folder under `build` holding only the backend, the base's with that stack's key."""
    base = terraforms[environment.name]
    applied = base.outputs().get(SHARD_STACKS_OUTPUT) or []
    retired = {}
    for stack in applied:
        if stack in terraforms or not stack.startswith(f"{environment.name}-"):
            continue
        backend = json.loads((base.workdir / STACK_FILE).read_text())["terraform"]["backend"]
        backend["s3"] = {**backend["s3"], "key": state_key(stack)}
        workdir = build.resolve() / MOVES_FOLDER / "retired" / stack
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / STACK_FILE).write_text(json.dumps({"terraform": {"backend": backend}}, indent=2) + "\n")
        terraform = dataclasses.replace(base, workdir=workdir, name=stack)
        terraform.init()
        retired[stack] = terraform
    return retired


def _pull(terraform: Terraform, folder: Path, stack: str) -> Path:
    """The stack's state in `folder/<stack>.tfstate`, with a copy `<stack>.before.tfstate` that stays; no file
    when the stack has no state yet (Terraform pulls an empty one, without lineage: `state mv` starts one)."""
    state = terraform.run("state", "pull", secret_output=True).stdout
    path = folder / f"{stack}.tfstate"
    if state.strip() and json.loads(state).get("lineage"):
        for target in (folder / f"{stack}.before.tfstate", path):
            with open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
                file.write(state)
    return path


def _carry_outputs(move: SiteMove, source: Path, target: Path) -> None:
    """The site's output values go with it, so `terraform output` in its new stack shows them at once and the
    next plans change no output."""
    before, after = json.loads(source.read_text()), json.loads(target.read_text())
    for name in site_output_names(move.site):
        if name in before.get("outputs", {}):
            after.setdefault("outputs", {})[name] = before["outputs"].pop(name)
    for path, state in ((source, before), (target, after)):
        path.write_text(json.dumps(state, indent=2) + "\n")


@contextlib.contextmanager
def _locked(terraforms: dict[str, Terraform]):
    """Holds the S3 lock file of each stack's state, as Terraform takes it (`use_lockfile`): created only if
    absent, so a Terraform run holding one refuses the move, and none can start until the move is done."""
    held: list[tuple] = []
    try:
        for stack, terraform in sorted(terraforms.items()):
            backend = s3_backend(json.loads((terraform.workdir / STACK_FILE).read_text()))
            if backend is None:
                raise ShardMoveError(f"{stack}: the stack keeps no state in S3; nothing to lock")
            s3 = s3_client(terraform.emulator, backend["region"])
            held.append((s3, backend, _lock(s3, backend, stack)))
        yield
    finally:
        for s3, backend, lock_id in reversed(held):
            _unlock(s3, backend, lock_id)


def _lock(s3, backend: dict, stack: str) -> str:
    lock_id = str(uuid.uuid4())
    key = backend["key"] + LOCK_SUFFIX
    info = {"ID": lock_id, "Operation": "vpnctl shard move", "Info": "", "Who": f"{getpass.getuser()}@"
            f"{socket.gethostname()}", "Version": "", "Created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "Path": f"{backend['bucket']}/{backend['key']}"}
    try:
        s3.put_object(Bucket=backend["bucket"], Key=key, Body=json.dumps(info).encode(), IfNoneMatch="*")
    except s3.exceptions.ClientError as exc:
        if exc.response["Error"]["Code"] not in ("PreconditionFailed", "ConditionalRequestConflict"):
            raise
        holder = _holder(s3, backend["bucket"], key)
        raise ShardMoveError(f"{stack}: s3://{backend['bucket']}/{key} is held (ID {holder.get('ID')}, "
                             f"{holder.get('Operation')} by {holder.get('Who')}): a Terraform run is using the "
                             "state; nothing was moved. Try again once it has finished") from None
    return lock_id


def _holder(s3, bucket: str, key: str) -> dict:
    try:
        return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except Exception:  # noqa: BLE001 -- released meanwhile, or unreadable: the refusal stands
        return {}


def _unlock(s3, backend: dict, lock_id: str) -> None:
    """Removes the lock file, if it is still the one this move took."""
    key = backend["key"] + LOCK_SUFFIX
    if _holder(s3, backend["bucket"], key).get("ID") == lock_id:
        s3.delete_object(Bucket=backend["bucket"], Key=key)
