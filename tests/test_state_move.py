"""Moving prod's state (vpnctl/state_move.py) when an allowed change of file name or state bucket moves it:
copied server side to the new place, never over another state, never while the lock is held."""

from __future__ import annotations

import pytest

from tests.scenarios import PROD_IDENTITY, variant
from vpnctl.emulator_process import LocalAws

pytestmark = pytest.mark.emulator

ACCOUNT, REGION = "333333333333", "eu-central-1"
OLD, NEW = "vpn/prod/terraform.tfstate", "vpn/prod/terraform.tfstate"
STATE = b'{"version": 4, "serial": 7, "resources": []}'


@pytest.fixture(scope="module")
def aws(tmp_path_factory):
    with LocalAws(ACCOUNT, log_file=tmp_path_factory.mktemp("emulator") / "emulator.log") as server:
        for bucket in ("acme-tfstate-prod", "acme-tfstate-prod-2"):
            server.create_bucket(bucket, REGION)
        yield server


def moved_bucket(tmp_path):
    """prod with its state bucket changed, and the manifest of the prod deployed before."""
    from stacks.config import guard_manifest

    shipped = variant("prod", [], tmp_path / "shipped")
    edits, allowance = PROD_IDENTITY["state.bucket"]
    changed = variant("prod", edits, tmp_path / "changed", every=True)
    (tmp_path / "changed" / "prod.guard.json").write_text(guard_manifest.render("prod", shipped.config))
    return changed, allowance


def test_a_state_move_is_planned_only_once_allowed(tmp_path):
    from vpnctl.state_move import allowed_move

    changed, allowance = moved_bucket(tmp_path)
    assert allowed_move(changed, frozenset()) is None
    move = allowed_move(changed, frozenset({allowance}))
    assert (str(move.source), str(move.target)) == (f"s3://acme-tfstate-prod/{OLD}", f"s3://acme-tfstate-prod-2/{NEW}")
    assert move.backend_config() == ["-backend-config=bucket=acme-tfstate-prod", f"-backend-config=key={OLD}",
                                     f"-backend-config=region={REGION}"]


def test_the_state_is_copied_once_and_never_over_another_state_or_past_a_held_lock(tmp_path, aws):
    from vpnctl.state_move import StateMoveError, allowed_move, move_state

    changed, allowance = moved_bucket(tmp_path)
    move = allowed_move(changed, frozenset({allowance}))
    s3 = aws.client("s3", REGION)
    assert move_state(move, aws).startswith("no state at s3://acme-tfstate-prod/")
    s3.put_object(Bucket="acme-tfstate-prod", Key=OLD, Body=STATE)
    s3.put_object(Bucket="acme-tfstate-prod", Key=OLD + ".tflock", Body=b'{"ID": "1"}')
    with pytest.raises(StateMoveError, match="tflock is held"):
        move_state(move, aws)
    s3.delete_object(Bucket="acme-tfstate-prod", Key=OLD + ".tflock")
    assert move_state(move, aws).startswith("moved the state from s3://acme-tfstate-prod/")
    copied = s3.get_object(Bucket="acme-tfstate-prod-2", Key=NEW)
    assert copied["Body"].read() == STATE and copied["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket="acme-tfstate-prod", Key=OLD)["Body"].read() == STATE, "the old one stays"
    assert move_state(move, aws) == f"the state is at s3://acme-tfstate-prod-2/{NEW} already"
    s3.put_object(Bucket="acme-tfstate-prod", Key=OLD, Body=STATE.replace(b"7", b"8"))
    with pytest.raises(StateMoveError, match="holds another state; it is not overwritten"):
        move_state(move, aws)
    assert s3.get_object(Bucket="acme-tfstate-prod-2", Key=NEW)["Body"].read() == STATE
