"""The local AWS: the emulator (`aws_emulator`) in its own process, started and watched.

It runs with MOTO_ACCOUNT_ID set to the environment's account, so the shipped
provider and backend settings work unchanged: STS for allowed_account_ids and
assume-role, S3 for the state backend with lock files, Secrets Manager, and the
VPN and Client VPN actions. Traffic stays on 127.0.0.1. Seeding is in
`vpnctl.emulator_seed`.

Each LocalAws makes its own random access key and gives it to the emulator
through the environment (a command line is readable by every local user); the
emulator answers only requests signed with it (or with credentials its own STS
issued), so another user of the machine can't read the keys and state it holds.
`terraform_env()`, `client()` and the seeding requests sign with it.

Waits are for events, never for a number of seconds: the emulator binds, then
writes `ready PORT` to a pipe; `start` reads that line or sees the process
exit. Once running, a watcher thread notices if the emulator dies: every
client, request and watched process (Terraform) then fails at once with
`EmulatorExited`, which names the emulator and shows the end of its log.
"""

from __future__ import annotations

import json
import os
import secrets
import select
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from aws_emulator.auth import ACCESS_KEY_ID_VARIABLE, SECRET_ACCESS_KEY_VARIABLE
from aws_emulator.control_client import EmulatorControls

PROGRESS_EVERY = 15.0  # seconds between "still waiting" lines
LOG_TAIL_LINES = 25


class EmulatorExited(RuntimeError):
    """The local AWS emulator exited while something still needed it."""


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def new_credentials() -> dict[str, str]:
    """A random access key in AWS's shapes: "AKIA" and 16 base32 characters, a 40-character secret."""
    key_id = "AKIA" + "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return {"AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": "".join(secrets.choice(alphabet) for _ in range(40))}


class LocalAws(EmulatorControls):
    """The emulator process on 127.0.0.1, for one AWS account; its output goes to `log_file`. It accepts
    only requests signed with `credentials`, made for this instance. Its control routes (set_tunnel_state,
    seed_pending_maintenance, set_replacement_seconds, tunnel_history, seed_client_vpn_connection) come
    from aws_emulator.control_client."""

    def __init__(self, account_id: str, log_file: Path, progress: Callable[[str], None] = say):
        self.account_id = account_id
        self.credentials = new_credentials()  # AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
        self.log_file = Path(log_file)
        self.progress = progress
        self.port: int | None = None
        self.endpoint = ""
        self._process: subprocess.Popen | None = None
        self._stopping = False
        self._on_exit: dict[int, Callable[[], None]] = {}
        self._lock = threading.Lock()
        self._exited = threading.Event()  # set by the watcher once it has reaped the process
        self._watcher: threading.Thread | None = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- the process ---------------------------------------------------------------

    def start(self) -> None:
        """Starts the emulator and returns once it listens; raises EmulatorExited if it exits first."""
        root = str(Path(__file__).resolve().parent.parent)
        env = {
            # never the user's own AWS credentials
            **{name: value for name, value in os.environ.items() if name not in ("AWS_SESSION_TOKEN", "AWS_PROFILE")},
            **self.credentials,
            ACCESS_KEY_ID_VARIABLE: self.credentials["AWS_ACCESS_KEY_ID"],
            SECRET_ACCESS_KEY_VARIABLE: self.credentials["AWS_SECRET_ACCESS_KEY"],
            "MOTO_ACCOUNT_ID": self.account_id,
            "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
        }
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        read_end, write_end = os.pipe()
        with open(self.log_file, "ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "aws_emulator", "--host", "127.0.0.1", "--port", "0",
                 "--ready-fd", str(write_end)],
                env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, pass_fds=(write_end,),
                # Its own process group: a terminal's Ctrl-C must not take the state bucket away from a
                # Terraform that is still saving; vpnctl stops the emulator once Terraform has stopped.
                start_new_session=True,
            )
        os.close(write_end)
        try:
            with os.fdopen(read_end) as ready:
                line = self._read_ready_line(ready)
        except BaseException:  # Ctrl-C or SIGTERM while it starts: in a session of its own, it would live on
            self.stop()
            raise
        if not line.startswith("ready "):
            self._process.wait()
            raise EmulatorExited(self.exit_report("before it was ready"))
        self.port = int(line.split()[1])
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._watcher = threading.Thread(target=self._watch, name=f"emulator-{self.port}", daemon=True)
        self._watcher.start()

    def _read_ready_line(self, ready) -> str:
        """The `ready PORT` line, or "" when the pipe closes (the emulator exited); a line every 15 s meanwhile."""
        started = time.monotonic()
        waiting = select.poll()
        waiting.register(ready, select.POLLIN | select.POLLHUP)
        while not waiting.poll(PROGRESS_EVERY * 1000):
            self.progress(f"still waiting for the local AWS emulator to start ({time.monotonic() - started:.0f} s; "
                          f"pid {self._process.pid}, log {self.log_file})")
        return ready.readline()

    def _watch(self) -> None:
        status = self._process.wait()
        self._exited.set()
        with self._lock:
            if self._stopping:
                return
            callbacks = list(self._on_exit.values())
        self.progress(f"the local AWS emulator on {self.endpoint} exited with status {status}")
        for callback in callbacks:
            callback()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def running(self) -> bool:
        return self._process is not None and not self._dead()

    def _dead(self) -> bool:
        """Whether the process has exited. Popen.poll() can't tell while the watcher waits on the same
        process, so this peeks without reaping; once dead, the watcher reaps it at once."""
        if self._exited.is_set():
            return True
        try:
            exited = os.waitid(os.P_PID, self._process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:  # the watcher reaped it just now
            exited = True
        if exited and self._watcher is not None:
            self._exited.wait()  # the watcher's wait() returns at once: the status is set then
        elif exited:
            self._process.wait()
        return bool(exited)

    def check(self) -> None:
        """Raises EmulatorExited if the emulator has died (a stop() we asked for doesn't count)."""
        if self._process is not None and not self._stopping and self._dead():
            raise EmulatorExited(self.exit_report("while it was still needed"))

    def exit_report(self, when: str) -> str:
        status = self._process.returncode if self._process else None
        try:
            lines = self.log_file.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
        except OSError:
            lines = ["(no log)"]
        where = self.endpoint or "127.0.0.1"
        return (f"the local AWS emulator ({where}, account {self.account_id}) exited with status {status} {when}; "
                f"the end of its log {self.log_file}:\n" + "\n".join(f"  | {line}" for line in lines))

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
        if self._process and not self._dead():
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    @contextmanager
    def watch(self, process: subprocess.Popen) -> Iterator[None]:
        """Kills `process` (and its process group, if it leads one) should the emulator die meanwhile."""
        def kill() -> None:
            try:
                if os.getpgid(process.pid) == process.pid:
                    os.killpg(process.pid, signal.SIGKILL)
                else:
                    process.kill()
            except ProcessLookupError:
                pass

        with self._lock:
            self._on_exit[id(process)] = kill
        try:
            if not self.running and not self._stopping:
                kill()
            yield
        finally:
            with self._lock:
                self._on_exit.pop(id(process), None)

    # ---- talking to it -------------------------------------------------------------

    def terraform_env(self) -> dict[str, str]:
        """What points Terraform's provider and S3 backend at this server, with its credentials."""
        return {
            **self.credentials,
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_S3_USE_PATH_STYLE": "true",
            "AWS_EC2_METADATA_DISABLED": "true",
            # An unsupported call answers HTTP 500; don't let the SDK retry for minutes.
            "AWS_MAX_ATTEMPTS": "2",
        }

    def client(self, service: str, region: str, config=None):
        """A boto3 client for this server; each request first checks the emulator is alive. `config`: a
        botocore Config (timeouts, retries)."""
        import boto3

        # A session of its own: boto3's default session is not safe to share between threads.
        client = boto3.session.Session().client(
            service,
            region_name=region,
            endpoint_url=self.endpoint,
            aws_access_key_id=self.credentials["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.credentials["AWS_SECRET_ACCESS_KEY"],
            config=config,
        )
        client.meta.events.register("before-send", lambda **_: self.check())
        return client

    def create_bucket(self, bucket: str, region: str) -> None:
        s3 = self.client("s3", region)
        if region == "us-east-1":
            s3.create_bucket(Bucket=bucket)
        else:
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})

    def put_secret(self, name: str, value: str, region: str) -> None:
        self.client("secretsmanager", region).create_secret(Name=name, SecretString=value)

    def post(self, path: str, document: dict) -> dict:
        """POSTs `document` to one of the emulator's own routes (`/_vpn_emulator/...`), signed."""
        return self._open(self._signed("POST", f"{self.endpoint}{path}", json.dumps(document).encode()))

    def resources(self, region: str) -> dict[str, list[str]]:
        """The VPN and Client VPN resources that exist, by kind."""
        return self._open(self._signed("GET", f"{self.endpoint}/_vpn_emulator/resources?region={region}"))

    def _signed(self, method: str, url: str, body: bytes | None = None) -> urllib.request.Request:
        """A request the emulator's own routes accept: signed (SigV4) with this instance's key."""
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        request = AWSRequest(method=method, url=url, data=body, headers={"Content-Type": "application/json"})
        credentials = Credentials(self.credentials["AWS_ACCESS_KEY_ID"], self.credentials["AWS_SECRET_ACCESS_KEY"])
        SigV4Auth(credentials, "vpn-emulator", "us-east-1").add_auth(request)
        return urllib.request.Request(url, data=body, headers=dict(request.headers.items()), method=method)

    def _open(self, request) -> dict:
        self.check()
        try:
            with urllib.request.urlopen(request) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, ConnectionError):
            self.check()
            raise
