"""Two strongSwan 5.9 daemons in network namespaces of the test's own, joined by a veth pair:
one namespace plays the customer gateway device, the other AWS's two tunnel endpoints.

This kernel has no ESP, so each charon runs the userspace `kernel-libipsec` plugin (which
forces UDP encapsulation and routes through its TUN device `ipsec0`). Each charon gets a
private /run (charon's pid file path is compiled in) and its own strongswan.conf and vici
socket, so swanctl runs from the host. Judged by swanctl's output and the SA counters, never
by exit codes: swanctl exits 0 on a syntax error.

Facts about kernel-libipsec measured here: with identical traffic selectors on both tunnels,
the CHILD_SA installed last carries the traffic (the `priority` option is ignored; kernel
XFRM honours it); and with overlapping policies it may drop its table-220 route while
another CHILD_SA still needs it, so each side gets a main-table route into `ipsec0`.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Self

from tests.conftest import require
from tests.swanctl_raw import parse_raw
from tests.waiting import HANG_GUARD, wait_until

CHARON = "/usr/lib/ipsec/charon"
SWANCTL = "/usr/sbin/swanctl"
# No openssl plugin without Debian's extra plugin packages: crypto from aes, sha1, sha2, hmac, gmp.
PLUGINS = "random nonce aes sha1 sha2 hmac gmp kdf kernel-libipsec kernel-netlink socket-default vici updown"
CREDENTIAL_DIRS = ["x509", "x509ca", "x509ocsp", "x509aa", "x509ac", "x509crl", "pubkey", "private", "rsa", "ecdsa", "bliss", "pkcs8", "pkcs12"]

STRONGSWAN_CONF = """\
charon {{
    load_modular = no
    load = {plugins}
    retransmit_tries = 2
    retransmit_timeout = 1.0
    retransmit_base = 1.0
    retransmit_jitter = 0
    half_open_timeout = 5
    install_virtual_ip = no
    filelog {{
        charon {{
            path = {log}
            time_format = %H:%M:%S
            ike_name = yes
            append = no
            flush_line = yes
            default = 1
            ike = 2
            cfg = 2
            knl = 2
            chd = 2
        }}
    }}
    syslog {{
        daemon {{
            default = -1
        }}
    }}
    plugins {{
        vici {{
            socket = unix://{vici}
        }}
    }}
}}
swanctl {{
    load = random nonce
    socket = unix://{vici}
}}
"""


FAILED = re.compile(r"received (AUTHENTICATION_FAILED|NO_PROPOSAL_CHOSEN)|giving up after \d+ retransmits")


def run(command: list[str], check: bool = True, timeout: float = HANG_GUARD, env: dict | None = None):
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result


class Namespace:
    def __init__(self, name: str):
        self.name = name
        run(["ip", "netns", "add", name])
        self.ip("link", "set", "lo", "up")

    def ip(self, *args: str, check: bool = True):
        return run(["ip", "-n", self.name, *args], check=check)

    def exec(self, *command: str, check: bool = True, timeout: float = HANG_GUARD):
        return run(["ip", "netns", "exec", self.name, *command], check=check, timeout=timeout)

    def add_stub(self, interface: str, *addresses: str) -> None:
        """An inside interface holding `addresses` (no dummy module on some kernels: ifb, else a bridge)."""
        for kind in ("dummy", "ifb", "bridge"):
            if self.ip("link", "add", interface, "type", kind, check=False).returncode == 0:
                break
        else:
            raise RuntimeError(f"no stub interface type works in {self.name}")
        for address in addresses:
            self.ip("address", "add", address, "dev", interface)
        self.ip("link", "set", interface, "up")

    def ping(self, destination: str, source: str, count: int = 3) -> int:
        """How many of `count` echo requests were answered (each answer crossed the tunnel both ways)."""
        # -W: how long ping waits for the replies; they come in milliseconds, unless the machine is busy.
        result = self.exec("ping", "-n", "-q", "-c", str(count), "-i", "0.2", "-W", "10", "-I", source, destination,
                           check=False)
        found = re.search(r"(\d+) (?:packets )?received", result.stdout)
        return int(found.group(1)) if found else 0

    def delete(self) -> None:
        run(["ip", "netns", "del", self.name], check=False)


class Charon:
    """One charon in a namespace, driven through its own vici socket."""

    def __init__(self, namespace: Namespace, folder: Path):
        self.namespace = namespace
        self.folder = folder
        for sub in ("run", *(f"swanctl/{d}" for d in CREDENTIAL_DIRS)):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        self.conf, self.log, self.vici = folder / "strongswan.conf", folder / "charon.log", folder / "charon.vici"
        self.swanctl_conf = folder / "swanctl" / "swanctl.conf"
        self.conf.write_text(STRONGSWAN_CONF.format(plugins=PLUGINS, log=self.log, vici=self.vici))
        self.env = {**os.environ, "STRONGSWAN_CONF": str(self.conf)}
        require("vpn_software", "strongSwan")
        with (folder / "charon.out").open("w") as out:
            self.process = subprocess.Popen(
                ["ip", "netns", "exec", namespace.name, "unshare", "--mount", "--propagation", "private",
                 "sh", "-c", f"mount --bind {folder / 'run'} /run && exec {CHARON}"],
                env=self.env, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        try:
            wait_until(lambda: self.vici.exists() and self.swanctl("--stats", check=False).returncode == 0,
                       f"charon in {namespace.name} to answer on its vici socket", failed=self.exited)
        except BaseException:
            self.stop()
            raise

    def exited(self) -> str | None:
        if self.process.poll() is None:
            return None
        return f"charon in {self.namespace.name} exited with status {self.process.returncode}:\n{self.log_text()[-3000:]}"

    def swanctl(self, *args: str, check: bool = True):
        return run([SWANCTL, *args, "--uri", f"unix://{self.vici}"], check=check, env=self.env)

    def load(self, text: str, unloaded: int = 0) -> str:
        """Loads a swanctl.conf; fails unless swanctl says every connection loaded, with no error line.
        Connections loaded before and missing from `text` are unloaded (swanctl 5.9 has no --unload-conn)."""
        self.swanctl_conf.write_text(text)
        result = self.swanctl("--load-all", "--noprompt", "--file", str(self.swanctl_conf), check=False)
        output = result.stdout + result.stderr
        loaded = re.search(rf"successfully loaded (\d+) connections, {unloaded} unloaded", output)
        problems = [line for line in output.splitlines() if re.search(r"failed|error|invalid|ignored", line, re.IGNORECASE)]
        if result.returncode != 0 or problems or not loaded:
            raise AssertionError(f"swanctl --load-all in {self.namespace.name}:\n{output}")
        return output

    def sas(self) -> dict[str, dict]:
        """IKE_SA name -> {"state": ..., "children": {child SA key: {...}}} from `swanctl --list-sas --raw`."""
        out = {}
        for line in self.swanctl("--list-sas", "--raw", check=False).stdout.splitlines():
            head, _, body = line.partition("{")
            if head.strip().startswith("list-sa"):
                out.update(parse_raw("{" + body))
        return out

    def established(self, ike: str) -> bool:
        """The IKE_SA is ESTABLISHED with an INSTALLED CHILD_SA of the same name (as the configs name them)."""
        sa = self.sas().get(ike)
        return bool(sa) and sa.get("state") == "ESTABLISHED" and any(
            child.get("name") == ike and child.get("state") == "INSTALLED" for child in sa.get("child-sas", {}).values()
        )

    def child_sa_count(self, name: str) -> int:
        """How many CHILD_SAs of that name exist (a rekey leaves the old one for a moment)."""
        return sum(child.get("name") == name for sa in self.sas().values() for child in sa.get("child-sas", {}).values())

    def packets(self) -> dict[tuple[str, str], tuple[int, int]]:
        """(child name, inbound SPI) -> (packets in, packets out); by SPI, so a rekeyed SA starts its own count."""
        return {
            (child["name"], child.get("spi-in", "")): (int(child.get("packets-in", 0)), int(child.get("packets-out", 0)))
            for sa in self.sas().values() for child in sa.get("child-sas", {}).values()
        }

    def packets_since(self, before: dict) -> dict[str, tuple[int, int]]:
        """Child name -> (packets in, packets out) gained since the `before` snapshot."""
        out: dict[str, tuple[int, int]] = {}
        for key, (now_in, now_out) in self.packets().items():
            was_in, was_out = before.get(key, (0, 0))
            total_in, total_out = out.get(key[0], (0, 0))
            out[key[0]] = (total_in + now_in - was_in, total_out + now_out - was_out)
        return out

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
        except ProcessLookupError:
            pass


class Lab:
    """The device namespace (outside address, on-premises network) and the AWS namespace (one /32 per
    tunnel outside IP, the VPC network), a charon in each; all removed on exit, failures included."""

    def __init__(self, device_ip: str, tunnel_ips: list[str], onprem: tuple[str, str], vpc: tuple[str, str]):
        suffix = secrets.token_hex(3)
        self.folder = Path(tempfile.mkdtemp(prefix=f"swan-{suffix}-"))
        self.onprem_ip, self.vpc_ip = onprem[0], vpc[0]
        self.namespaces: list[Namespace] = []
        self.charons: list[Charon] = []
        try:
            self.device_ns = self._namespace(f"cgw-{suffix}")
            self.aws_ns = self._namespace(f"aws-{suffix}")
            run(["ip", "link", "add", "wan0", "netns", self.device_ns.name, "type", "veth",
                 "peer", "name", "wan0", "netns", self.aws_ns.name])
            for ns in (self.device_ns, self.aws_ns):
                ns.ip("link", "set", "wan0", "up")
            self.device_ns.ip("address", "add", f"{device_ip}/32", "dev", "wan0")
            # /32 each: a second address in a shared prefix is "secondary" and goes when the first is deleted.
            for address in tunnel_ips:
                self.aws_ns.ip("address", "add", f"{address}/32", "dev", "wan0")
                self.device_ns.ip("route", "add", f"{address}/32", "dev", "wan0")
            self.aws_ns.ip("route", "add", f"{device_ip}/32", "dev", "wan0")
            self.device_ns.add_stub("lan0", f"{onprem[0]}/{onprem[1].split('/')[1]}")
            self.aws_ns.add_stub("vpc0", f"{vpc[0]}/{vpc[1].split('/')[1]}")
            self.device = self._charon(self.device_ns, "device")
            self.aws = self._charon(self.aws_ns, "aws")
            self.device_ns.ip("route", "replace", vpc[1], "dev", "ipsec0", "src", onprem[0])
            self.aws_ns.ip("route", "replace", onprem[1], "dev", "ipsec0", "src", vpc[0])
        except BaseException:
            self.close()
            raise

    def _namespace(self, name: str) -> Namespace:
        self.namespaces.append(Namespace(name))
        return self.namespaces[-1]

    def _charon(self, namespace: Namespace, name: str) -> Charon:
        self.charons.append(Charon(namespace, self.folder / name))
        return self.charons[-1]

    def wait_until(self, condition: Callable[[], object], what: str, expect_failures: bool = False):
        """Until `condition()` holds; fails at once if a charon exits or, unless failures are what the test
        waits for, when either log shows a failed negotiation."""
        return wait_until(condition, what, failed=lambda: self.failure(expect_failures))

    def failure(self, expect_failures: bool = False) -> str | None:
        for charon in self.charons:
            found = charon.exited() or (None if expect_failures else FAILED.search(charon.log_text()))
            if found:
                return found if isinstance(found, str) else f"charon in {charon.namespace.name}: {found.group(0)}"
        return None

    def traffic(self, count: int = 3) -> tuple[int, dict, dict]:
        """Pings the VPC from the on-premises network; returns (replies, device deltas, AWS deltas). On a busy
        machine a reply can be late or lost in the userspace IPsec: the counters are checked against the
        replies ping got, not against the requests sent."""
        device_before, aws_before = self.device.packets(), self.aws.packets()
        replies = self.device_ns.ping(self.vpc_ip, source=self.onprem_ip, count=count)
        return replies, self.device.packets_since(device_before), self.aws.packets_since(aws_before)

    def close(self) -> None:
        for charon in self.charons:
            with contextlib.suppress(Exception):  # teardown goes on
                charon.stop()
        for namespace in self.namespaces:
            namespace.delete()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
