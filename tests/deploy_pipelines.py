"""`vpnctl deploy` run as an operator runs it: through a pipe (each line timed as it arrives), on a
terminal (answering the question), interrupted (Ctrl-C with a slow state bucket, SIGTERM), failing.

The site-only copy of dev (no Client VPN endpoint, so no 4-minute association wait) deploys in
well under a minute. The runs "against AWS" (no --local) point at an emulator through the same
environment variables a user would set, so the path that asks for approval is the one tested.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from tests.lifecycle import Run, environment
from tests.scenarios import variant
from tests.slow_proxy import slow_puts
from tests.waiting import HANG_GUARD

VPNCTL = str(Path(sys.executable).parent / "vpnctl")
NO_ENDPOINT = 'client_vpn "'


def site_only(run: Run, label: str):
    """dev without its Client VPN endpoint, in a folder of its own; returns (environment, folder)."""
    folder = run.base / f"env-{label}"
    return variant("dev", [], folder, without=(NO_ENDPOINT,)), folder


def vpnctl_args(run: Run, folder: Path, label: str, *args: str) -> list[str]:
    return [VPNCTL, "--environments", str(folder), *args, "--build", str(run.base / f"build-{label}"),
            "--out", str(run.base / f"out-{label}")]


def streamed(run: Run, command: list[str], *, env: dict | None = None, until: str | None = None,
             then=None, cwd: Path | None = None) -> dict:
    """Runs `command` with stdout and stderr on pipes, each line kept with the time it arrived; once a
    line holds `until`, calls `then(process)` (to interrupt it). Returns status, lines, output, errors."""
    started = time.monotonic()
    fired_at: list[float] = []
    process = subprocess.Popen(command, cwd=cwd, env=env or environment(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    run.runner.track_process(process)
    lines: list[tuple[float, str, str]] = []
    fired = threading.Event()

    def read(stream, name: str) -> None:
        for line in stream:
            lines.append((time.monotonic() - started, name, line.rstrip("\n")))
            if until and until in line and not fired.is_set():
                fired.set()
                fired_at.append(time.monotonic() - started)
                then(process)

    readers = [threading.Thread(target=read, args=(process.stdout, "out")),
               threading.Thread(target=read, args=(process.stderr, "err"))]
    for reader in readers:
        reader.start()
    status = process.wait()
    exited = time.monotonic() - started
    for reader in readers:
        reader.join()
    return {"status": status, "lines": lines, "seconds": exited, "fired": fired.is_set(),
            "fired_at": fired_at[0] if fired_at else None,
            "output": "\n".join(text for _, name, text in lines if name == "out"),
            "errors": "\n".join(text for _, name, text in lines if name == "err")}


def against(aws, endpoint: str | None = None, **extra: str) -> dict[str, str]:
    """The environment a user sets to point vpnctl (without --local) at `endpoint` (default: `aws`)."""
    settings = aws.terraform_env()
    if endpoint:
        settings["AWS_ENDPOINT_URL"] = endpoint
    return environment(**settings, **extra)


def interrupted(run: Run) -> dict:
    """Ctrl-C once Terraform creates the VPN connection, the state bucket slow to write; then a re-run.

    The Ctrl-C waits until AWS has answered the create (the provider's first DescribeVpnConnections, its wait
    for "available", comes after it): a Ctrl-C while the create is in flight may cancel a request AWS carries
    out anyway, leaving a connection no state knows, whose inside CIDRs the re-run then can't take."""
    from vpnctl.emulator_seed import seed_environment

    env, folder = site_only(run, "interrupted")
    record: dict = {}
    with run.emulator(env.config.account_id, "interrupted") as aws:
        seed_environment(aws, env.config, run.base / "pki")
        command = vpnctl_args(run, folder, "interrupted", "deploy", "dev", "--auto-approve")
        with slow_puts(aws.endpoint, put_delay=2.0) as (proxy, puts, seen), run.step("deploy, Ctrl-C, slow bucket"):
            def once_created(process) -> None:
                seen.wait_for(lambda actions: "DescribeVpnConnections" in actions[
                    actions.index("CreateVpnConnection"):] if "CreateVpnConnection" in actions else False, HANG_GUARD)
                process.send_signal(signal.SIGINT)

            started = time.monotonic()
            record["first"] = streamed(run, command, env=against(aws, proxy), until="creating aws_vpn_connection.",
                                       then=once_created)
            # PUTs (state and lock writes) the proxy held after the Ctrl-C: the save Terraform made on its way out
            record["puts_after_interrupt"] = [t - started for t in puts
                                              if record["first"]["fired_at"] is not None
                                              and t - started > record["first"]["fired_at"]]
        s3 = aws.client("s3", env.config.region)
        record["objects_after_interrupt"] = sorted(
            o["Key"] for o in s3.list_objects_v2(Bucket=env.config.state.bucket).get("Contents", []))
        with run.step("deploy again"):
            record["again"] = streamed(run, command, env=against(aws))
        record["resources"] = aws.resources(env.config.region)
    return record


def terminated(run: Run) -> dict:
    """SIGTERM to `vpnctl deploy --local` mid-apply; then which processes of the run are left, 10 s later."""
    _, folder = site_only(run, "terminated")
    marker = uuid.uuid4().hex
    sent: list[float] = []

    def term(process) -> None:
        sent.append(time.monotonic())
        process.send_signal(signal.SIGTERM)

    with run.step("deploy --local, SIGTERM"):
        record = streamed(run, vpnctl_args(run, folder, "terminated", "deploy", "dev", "--local"),
                          env=environment(VPNCTL_TEST_RUN=marker), until="creating aws_vpn_connection.", then=term)
    if sent:
        time.sleep(max(0.0, sent[0] + 10 - time.monotonic()))  # the promise is about this moment
    record["left"] = processes_with(marker)
    return record


def processes_with(marker: str) -> list[str]:
    """Command lines of the processes whose environment holds VPNCTL_TEST_RUN=marker."""
    needle = f"VPNCTL_TEST_RUN={marker}".encode()
    left = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and needle in (entry / "environ").read_bytes().split(b"\0"):
                left.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue
    return left


def on_terminal(run: Run, command: list[str], env: dict, answer: str) -> dict:
    """`command` on a pseudo-terminal; `answer` typed at the deploy's question. Returns status and screen."""
    main, child = pty.openpty()
    process = subprocess.Popen(command, env=env, stdin=child, stdout=child, stderr=child, start_new_session=True)
    run.runner.track_process(process)
    os.close(child)
    screen, answered = b"", False
    started = time.monotonic()
    while time.monotonic() - started < HANG_GUARD:  # a frozen display must fail the test, not hang the suite
        ready, _, _ = select.select([main], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the terminal closed: the process is gone
                break
            if not chunk:
                break
            screen += chunk
            if not answered and b"Only 'yes' applies" in screen:
                os.write(main, answer.encode() + b"\n")
                answered = True
        elif process.poll() is not None:
            break
    else:
        process.kill()
    os.close(main)
    return {"status": process.wait(), "screen": screen.decode(errors="replace"), "answered": answered}


def approval(run: Run) -> dict:
    """A deploy without --local on a terminal: answered "no" (nothing applied), then "yes"."""
    from vpnctl.emulator_seed import seed_environment

    env, folder = site_only(run, "approval")
    record: dict = {}
    with run.emulator(env.config.account_id, "approval") as aws:
        seed_environment(aws, env.config, run.base / "pki")
        command = vpnctl_args(run, folder, "approval", "deploy", "dev")
        with run.step("deploy on a terminal, answer no"):
            record["no"] = on_terminal(run, command, against(aws, TERM="xterm-256color"), "no")
        record["resources_after_no"] = aws.resources(env.config.region)
        with run.step("deploy on a terminal, answer yes"):
            record["yes"] = on_terminal(run, command, against(aws, TERM="xterm-256color"), "yes")
        record["resources_after_yes"] = aws.resources(env.config.region)
    return record


def failing(run: Run) -> dict:
    """A deploy whose apply AWS refuses: the VPC the config names does not exist (only the bucket is there)."""
    env, folder = site_only(run, "failing")
    with run.emulator(env.config.account_id, "failing") as aws:
        aws.create_bucket(env.config.state.bucket, env.config.state.region)
        with run.step("deploy into a missing VPC"):
            record = streamed(run, vpnctl_args(run, folder, "failing", "deploy", "dev", "--auto-approve"),
                              env=against(aws))
    log = run.base / "build-failing" / "logs" / "dev-deploy.log"
    record["log"] = log.read_text() if log.exists() else ""
    record["log_path"] = str(log.resolve())
    return record
