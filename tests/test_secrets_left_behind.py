"""Nothing secret or local left in shared places (issue 15): the state Terraform saves to a local file when its
backend fails is private and named, and `--local` runs write nothing into the real output folder."""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.guard_pipeline import preshared_keys
from tests.scenarios import variant
from tests.slow_proxy import forwarding, serving
from vpnctl.emulator_process import EmulatorExited, LocalAws
from vpnctl.terraform import TerraformError

REGION = "eu-central-1"
# dev's site with a key of its own for tunnel 2 (read by a data source, so it lands in state twice), beside the
# key AWS generates for tunnel 1; without the Client VPN endpoint (its association sleeps 4 minutes).
OWN_KEY_SECRET = "dev/vpn/lab-office/tunnel2"
OWN_KEY = "Lab.office_tunnel2_key"
WITH_OWN_KEY = [('inside_cidr = "169.254.50.4/30"',
                 f'inside_cidr = "169.254.50.4/30"\n    preshared_key_secret = "{OWN_KEY_SECRET}"')]
ACCESS_DENIED = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
                 b"<Message>Access Denied</Message></Error>")


@contextmanager
def backend_that_fails(target: str, bucket: str) -> Iterator[tuple[str, threading.Event]]:
    """A proxy to the emulator that, once the event is set, refuses every request for `bucket` (the state
    backend) with S3's AccessDenied, as S3 does once an assumed role's credentials expire mid-apply; EC2 and the
    rest pass on unchanged. Yields its URL and the event."""
    failing = threading.Event()
    forward = forwarding(target)

    class Failing(forward):
        def _refuse_or_forward(self) -> None:
            if not (failing.is_set() and self.path.lstrip("/").startswith(f"{bucket}/")):
                self._forward()
                return
            self._body()
            self.send_response(403, "Forbidden")
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(ACCESS_DENIED)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(ACCESS_DENIED)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _refuse_or_forward

    with serving(Failing, "failing-backend-proxy") as url:
        yield url, failing


def apply_until_the_connection_is_created(tmp_path: Path, then) -> tuple[BaseException | None, set[str], Path]:
    """Applies the site-only dev with a key of its own; once the VPN connection exists (the provider then waits
    for it to become available), reads every key the emulator holds and calls `then(aws, failing)`, `failing`
    being the event that fails the state backend. Returns what the apply raised, the keys, and the stack
    folder."""
    from vpnctl.runner import prepare
    from vpnctl.synthesized import stack_dir, synth_stacks

    env = variant("dev", WITH_OWN_KEY, tmp_path / "environment", without=('client_vpn "',))
    synth_stacks([env], tmp_path / "out")
    failure: list[BaseException] = []
    with LocalAws(env.config.account_id, tmp_path / "emulator.log") as aws, \
            backend_that_fails(aws.endpoint, env.config.state.bucket) as (endpoint, failing):
        terraform = prepare(env, tmp_path / "out", tmp_path / "build", aws, {OWN_KEY_SECRET: OWN_KEY})
        terraform.env["AWS_ENDPOINT_URL"] = endpoint
        applying = threading.Thread(target=lambda: _catch(terraform.apply, failure))
        applying.start()
        ec2 = aws.client("ec2", REGION)
        while not ec2.describe_vpn_connections()["VpnConnections"]:
            assert applying.is_alive(), failure
            time.sleep(0.2)
        keys = {OWN_KEY} | _keys_held(aws)
        then(aws, failing)
        applying.join()
    return (failure[0] if failure else None), keys, stack_dir(tmp_path / "out", "dev")


def _keys_held(aws: LocalAws) -> set[str]:
    """Every pre-shared key the emulator holds: in the connections' tunnel options and device configuration
    documents, and in Secrets Manager (ours, and those AWS generated: a JSON object of tunnel to key)."""
    keys: set[str] = set()
    for connection in aws.client("ec2", REGION).describe_vpn_connections()["VpnConnections"]:
        document = connection.get("CustomerGatewayConfiguration", "")
        keys.update(re.findall(r"<pre_shared_key>([^<]+)</pre_shared_key>", document))
        keys.update(tunnel.get("PreSharedKey", "") for tunnel in connection.get("Options", {}).get("TunnelOptions", []))
    keys.update(preshared_keys(aws, REGION))
    # What AWS writes in a key's place when Secrets Manager stores it is no key
    return {key for key in keys if isinstance(key, str) and len(key) >= 8 and key != "REDACTED"}


def files_holding(folders: list[Path], keys: set[str]) -> dict[Path, int]:
    """Each file below `folders` that holds one of `keys`, with its mode."""
    held = {}
    for path in (path for folder in folders for path in folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.stat().st_size < 50_000_000:
            data = path.read_bytes()
            if any(key.encode() in data for key in keys):
                held[path] = path.stat().st_mode & 0o777
    return held


def _catch(call, into: list) -> None:
    try:
        call()
    except BaseException as exc:  # noqa: BLE001 - handed to the test
        into.append(exc)


@pytest.mark.terraform
def test_state_the_backend_refused_mid_apply_is_private_and_the_error_names_it_and_how_to_push_it(tmp_path):
    failure, keys, stack = apply_until_the_connection_is_created(tmp_path, lambda aws, failing: failing.set())

    assert isinstance(failure, TerraformError), failure
    errored = stack / "errored.tfstate"
    held = files_holding([tmp_path / "out", tmp_path / "build"], keys)
    assert errored in held, f"Terraform left no errored.tfstate holding the keys; files holding them: {held}"
    assert {path: oct(mode) for path, mode in held.items() if mode != 0o600} == {}
    message = str(failure)
    assert str(errored.resolve()) in message, message
    assert "terraform state push errored.tfstate" in message and "secrets" in message, message
    # Files Terraform writes are private from the start (its umask), not only those vpnctl found afterwards
    assert (stack / ".terraform" / "terraform.tfstate").stat().st_mode & 0o777 == 0o600


@pytest.mark.terraform
def test_killing_the_emulator_mid_apply_leaves_no_key_readable_by_others_and_names_any_state_file(tmp_path):
    """The emulator's watcher stops Terraform at once (tests/test_emulator_exit.py), so nothing may be saved at
    all; whatever is left holding a key is private, and any state file left is named."""
    failure, keys, stack = apply_until_the_connection_is_created(
        tmp_path, lambda aws, failing: os.kill(aws.pid, signal.SIGKILL))

    assert isinstance(failure, EmulatorExited), failure
    held = files_holding([tmp_path / "out", tmp_path / "build"], keys)
    assert {path: oct(mode) for path, mode in held.items() if mode != 0o600} == {}
    for path in [*stack.glob("errored.tfstate"), *stack.glob("terraform.tfstate*")]:
        assert str(path.resolve()) in str(failure), failure


@pytest.mark.terraform
def test_a_local_plan_writes_nothing_into_the_real_output_folder(tmp_path):
    """`vpnctl plan --local` where `cdktf.out` is the output folder Terraform runs in for real: the local run's
    override (the emulator's settings) goes to a folder of its own under the build folder."""
    from tests.conftest import run_vpnctl

    variant("dev", [], tmp_path / "environment", without=('client_vpn "',))
    work = tmp_path / "checkout"
    work.mkdir()
    real = work / "cdktf.out"
    result = run_vpnctl("--environments", str(tmp_path / "environment"), "plan", "dev", "--local", "--build",
                        str(tmp_path / "build"), cwd=work, env={"CDKTF_OUTDIR": str(real)})

    assert result.returncode == 0, result.stderr
    assert "dev: 10 to add" in result.stdout, result.stdout
    assert (tmp_path / "build" / "local" / "cdktf.out" / "stacks" / "dev" / "local_override.tf.json").is_file()
    assert [path for path in real.rglob("*") if path.is_file()] == []


def test_the_cdktf_app_refuses_a_stack_folder_holding_a_terraform_override_file(tmp_path):
    """`cdktf synth|diff|deploy` run main.py into cdktf.out; Terraform would apply an override file found there
    with the stack, so main.py stops (exit 2), names it, and writes nothing."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    variant("dev", [], tmp_path / "environments")
    stack = tmp_path / "cdktf.out" / "stacks" / "dev"
    stack.mkdir(parents=True)
    planted = stack / "local_override.tf.json"
    lifted = {"lifecycle": {"prevent_destroy": False}}  # what a planted override could do to prod's guard
    planted.write_text(json.dumps({"resource": {"aws_vpn_connection": {"x": lifted}}}))
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py")], cwd=tmp_path, capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT), "VPN_ENVIRONMENTS_DIR": str(tmp_path / "environments"),
             "CDKTF_OUTDIR": str(tmp_path / "cdktf.out")},
    )

    assert result.returncode == 2, result.stderr
    assert f"{planted}: a Terraform override file in a stack folder" in result.stderr, result.stderr
    assert "delete it" in result.stderr and "Traceback" not in result.stderr
    assert sorted(path.name for path in stack.iterdir()) == ["local_override.tf.json"]
