"""`vpnctl deploy dev --local --keep` run as an operator runs it (tests/test_kept_emulator.py reads it): the
site-only copy of dev (no Client VPN association, so no 4-minute wait), its output read until the line that
says the local AWS stays up (the readiness signal: no sleep), the kept emulator reached as the day-2
commands reach it, then Ctrl-C."""

from __future__ import annotations

import json
import signal
import stat
import subprocess
import threading
from pathlib import Path

from tests.deploy_pipelines import site_only, vpnctl_args
from tests.lifecycle import Run, environment

STAYS_UP = "the local AWS stays up"


def kept(run: Run) -> dict:
    from vpnctl import kept_emulator

    _, folder = site_only(run, "kept")
    build = run.base / "build-kept"
    record: dict = {"build": build}
    process = subprocess.Popen(vpnctl_args(run, folder, "kept", "deploy", "dev", "--local", "--keep"),
                               env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    run.runner.track_process(process)
    errors: list[str] = []
    reader = threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True)
    reader.start()
    output: list[str] = []
    with run.step("deploy --local --keep, until the local AWS stays up"):
        for line in process.stdout:
            output.append(line)
            if STAYS_UP in line:
                break
    record["held"] = any(STAYS_UP in line for line in output)
    if record["held"]:
        path = kept_emulator.kept_file(build, "dev")
        record["mode"] = stat.S_IMODE(path.stat().st_mode)
        record["pid"] = json.loads(path.read_text())["pid"]
        with run.step("reach the kept emulator as a day-2 command does"):
            record["connections"] = deployed_connections(kept_emulator.kept_environment(build, "dev"))
        process.send_signal(signal.SIGINT)
    output.extend(process.stdout)
    record["status"] = process.wait()
    reader.join()
    record["output"], record["errors"] = "".join(output), "".join(errors)
    record["record_left"] = kept_emulator.kept_file(build, "dev").exists()
    record["emulator_left"] = record.get("pid") is not None and alive(record["pid"])
    with run.step("offboard --local once the emulator is gone"):
        after = subprocess.run(vpnctl_args(run, folder, "kept", "offboard", "dev", "bob", "--local"),
                               env=environment(), capture_output=True, text=True, check=False)
    record["offboard_after"] = after
    return record


def deployed_connections(variables: dict[str, str]) -> list[dict]:
    """The VPN connections the kept emulator holds, through the variables `--local` commands set."""
    import boto3

    from vpnctl import kept_emulator

    with kept_emulator.pointed_at(variables):
        ec2 = boto3.session.Session().client("ec2", region_name="eu-central-1")
        return ec2.describe_vpn_connections()["VpnConnections"]


def alive(pid: int) -> bool:
    """Whether `pid` is still a local AWS emulator (a reused pid running something else doesn't count)."""
    try:
        return b"aws_emulator" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
