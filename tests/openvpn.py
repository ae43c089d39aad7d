"""The real OpenVPN 2.6 on loopback: a point-to-point TLS server holding the endpoint's server
certificate and CRL, and a client running a user's profile.

Judged by the logs, never by exit codes: the client exits 0 when its handshake fails. Waits are
for what the logs say or for a process to exit, never for a number of seconds: a handshake that
stalls ends in OpenVPN's own "TLS Error" once its hand-window (60 s) passes, and only the hang
guard (tests/waiting.py) ends a wait otherwise.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import require
from tests.waiting import wait_until

COMPLETED = "Initialization Sequence Completed"


def binary() -> str:
    found = shutil.which("openvpn") or shutil.which("openvpn", path="/usr/sbin:/sbin")
    assert found, "openvpn is not installed (.ci/run installs it with apt)"
    return found


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def loopback_profile(profile: str, port: int) -> str:
    """The profile with its `remote` pointed at 127.0.0.1; everything else as the user gets it."""
    lines = [line for line in profile.splitlines() if line.strip() != "remote-random-hostname"]
    remotes = [n for n, line in enumerate(lines) if line.startswith("remote ")]
    assert len(remotes) == 1, "the exported profile names one remote"
    lines[remotes[0]] = f"remote 127.0.0.1 {port}"
    return "\n".join(lines) + "\n"


@dataclass
class Handshake:
    server_log: str
    client_log: str

    @property
    def completed(self) -> bool:
        return COMPLETED in self.server_log and COMPLETED in self.client_log

    @property
    def verify_errors(self) -> list[str]:
        return re.findall(r"VERIFY ERROR: .*", self.server_log)


def handshake(workdir: Path, *, ca: Path, cert: Path, key: Path, crl: Path, profile: str) -> Handshake:
    """One server process, one client run of `profile`; stops both once the outcome is in the logs."""
    require("vpn_software", "OpenVPN")
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_udp_port()
    server_log, client_log = workdir / "server.log", workdir / "client.log"
    config = workdir / "client.ovpn"
    config.write_text(loopback_profile(profile, port))
    config.chmod(0o600)
    server = subprocess.Popen(
        [binary(), "--tls-server", "--dev", "null", "--proto", "udp", "--local", "127.0.0.1", "--port", str(port),
         "--ca", str(ca), "--cert", str(cert), "--key", str(key), "--dh", "none", "--crl-verify", str(crl),
         "--verb", "3", "--log", str(server_log)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )
    client = None
    try:
        _wait_for(server_log, "Initialization Sequence|UDPv4 link local", server, "the OpenVPN server to listen")
        client = subprocess.Popen(
            # --dev null: no tun device needed; the handshake and data channel keys are what is tested.
            [binary(), "--config", str(config), "--dev", "null", "--verb", "3", "--log", str(client_log)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )
        wait_until(lambda: _outcome(_read(server_log) + _read(client_log)) or server.poll() is not None
                   or client.poll() is not None, "the handshake's outcome in the logs")
        # The other side may still be writing its half of the outcome: wait for its line, or its exit.
        _settle(server_log, client_log, server, client)
    finally:
        for process in (client, server):
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
    return Handshake(_read(server_log), _read(client_log))


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def _outcome(text: str) -> bool:
    return text.count(COMPLETED) >= 2 or "VERIFY ERROR" in text or "TLS Error" in text


def _wait_for(path: Path, pattern: str, process: subprocess.Popen, what: str) -> None:
    """Until `pattern` is in the log at `path`; fails with the log if the process exits first."""
    def exited() -> str | None:
        if process.poll() is None or re.search(pattern, _read(path)):
            return None
        return f"it exited with status {process.returncode}:\n{_read(path)}"

    wait_until(lambda: re.search(pattern, _read(path)), what, failed=exited)


def _settle(server_log: Path, client_log: Path, server: subprocess.Popen, client: subprocess.Popen) -> None:
    """After a success, both logs say so; after a refusal, the server has logged why."""
    server_text, client_text = _read(server_log), _read(client_log)
    if COMPLETED in server_text + client_text and "VERIFY ERROR" not in server_text:
        _wait_for(server_log, COMPLETED, server, "the server's side of the handshake")
        _wait_for(client_log, COMPLETED, client, "the client's side of the handshake")
