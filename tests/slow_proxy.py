"""An HTTP proxy in front of the local AWS that holds each PUT (an S3 object write: the state, its lock)
for a while: a slow state backend, as a far-away or throttled bucket is, for the interrupt tests."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "trailer", "upgrade"}


class Seen:
    """The actions of the POSTs forwarded, in order of arrival (the body's Action=, as EC2's query API sends it),
    for a test to wait on: an event the proxy sees, not a number of seconds."""

    def __init__(self):
        self.actions: list[str] = []
        self._changed = threading.Condition()

    def add(self, action: str) -> None:
        with self._changed:
            self.actions.append(action)
            self._changed.notify_all()

    def wait_for(self, predicate, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self.actions), timeout)


def _handler(target: str, put_delay: float, puts: list[float], seen: Seen | None = None):
    host, port = urlsplit(target).hostname, urlsplit(target).port

    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0], 16)
                    if size == 0:
                        self.rfile.readline()
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _forward(self) -> None:
            body = self._body()
            action = parse_qs(body.decode(errors="replace")).get("Action") if self.command == "POST" else None
            if action and seen is not None:
                seen.add(action[0])
            if self.command == "PUT":
                puts.append(time.monotonic())
                time.sleep(put_delay)  # the slow backend this proxy stands for
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            headers["Content-Length"] = str(len(body))
            upstream = http.client.HTTPConnection(host, port, timeout=300)
            try:
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                payload = response.read()
            finally:
                upstream.close()
            self.send_response(response.status, response.reason)
            for key, value in response.getheaders():
                if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

        def log_message(self, *args) -> None:
            pass

    return Forward


@contextmanager
def serving(handler, name: str) -> Iterator[str]:
    """`handler` (a request handler class) served on a free port of 127.0.0.1 in threads; yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def forwarding(target: str, put_delay: float = 0.0, puts: list[float] | None = None):
    """The proxy's request handler class, to extend (a backend that fails, say)."""
    return _handler(target, put_delay, puts if puts is not None else [])


@contextmanager
def slow_puts(target: str, put_delay: float = 2.0) -> Iterator[tuple[str, list[float], Seen]]:
    """A proxy to `target` (http://host:port) on a free port; yields its URL, the times of the PUTs it held and
    the actions it forwarded."""
    puts: list[float] = []
    seen = Seen()
    with serving(_handler(target, put_delay, puts, seen), "slow-put-proxy") as url:
        yield url, puts, seen
