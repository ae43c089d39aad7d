"""Moving a production environment's Terraform state when its file name, state bucket or state region changes.

Those three decide where the S3 backend keeps the state (stacks/config/guard_manifest.py, STATE_KEYS).
Pointed at the new place, Terraform finds no state and plans a second, empty environment beside the
real one: AWS refuses it where the two clash (a VPC takes one virtual private gateway), and the real
one is left unmanaged. So once such a change is allowed, `vpnctl review` plans against the state where
it is now, and `vpnctl deploy` copies it to the new place first: the same resources stay managed, and
the plan shows only what the config itself changes. The old object stays, as a backup.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stacks.config import LoadedEnvironment, guard_manifest
from stacks.config.guard_manifest import StateLocation
from vpnctl.state_lock import LOCK_SUFFIX, s3_client


class StateMoveError(Exception):
    """The state can't be moved safely: someone holds its lock, or the new place holds another state."""


@dataclass(frozen=True)
class StateMove:
    source: StateLocation
    target: StateLocation

    def backend_config(self) -> list[str]:
        """`terraform init` options that point the stack's backend at the state where it is now."""
        return [f"-backend-config=bucket={self.source.bucket}", f"-backend-config=key={self.source.key}",
                f"-backend-config=region={self.source.region}"]

    def words(self) -> str:
        return (f"the state moves from {self.source} to {self.target}: this plan is against the state where it "
                "is now, and `vpnctl deploy` copies it to the new place before it plans")


def allowed_move(environment: LoadedEnvironment, allow_change: frozenset[str]) -> StateMove | None:
    """The state move this environment's changed identity asks for, once every state-moving change is allowed."""
    moving = [change for change in guard_manifest.identity_changes(Path(environment.source), environment.name,
                                                                    environment.config) if change.moves_state]
    if not moving or guard_manifest.unallowed(moving, allow_change):
        return None
    locations = guard_manifest.state_move(Path(environment.source), environment.name, environment.config)
    return StateMove(*locations) if locations else None


def move_state(move: StateMove, aws=None, kms_key_id: str | None = None) -> str:
    """Copies the state object to its new place (server side, never through a local file: it holds keys).

    Refused while the old state's lock is held. Done already (an earlier deploy copied it and then failed)
    is fine; a different state at the new place is refused rather than overwritten.
    """
    source_s3 = s3_client(aws, move.source.region)
    target_s3 = s3_client(aws, move.target.region)
    if _body(source_s3, move.source.bucket, move.source.key + LOCK_SUFFIX) is not None:
        raise StateMoveError(f"{move.source}{LOCK_SUFFIX} is held: a Terraform run is using the state; try again "
                             "once it has finished")
    current = _body(source_s3, move.source.bucket, move.source.key)
    if current is None:
        return f"no state at {move.source}: nothing to move"
    there = _body(target_s3, move.target.bucket, move.target.key)
    if there == current:
        return f"the state is at {move.target} already"
    if there is not None:
        raise StateMoveError(f"{move.target} holds another state; it is not overwritten. Compare it with "
                             f"{move.source} and remove the one that is wrong")
    encryption = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id} if kms_key_id \
        else {"ServerSideEncryption": "AES256"}
    target_s3.copy_object(Bucket=move.target.bucket, Key=move.target.key,
                          CopySource={"Bucket": move.source.bucket, "Key": move.source.key}, **encryption)
    return f"moved the state from {move.source} to {move.target} (the old object stays as a backup)"


def _body(s3, bucket: str, key: str) -> bytes | None:
    try:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
