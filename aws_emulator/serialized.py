"""One request at a time through the emulated accounts' state, and a log line for every server error.

The server answers each request on a thread of its own (werkzeug's `threaded=True`), and Terraform sends up to
`-parallelism` requests at once. moto's services were written for one request at a time: their state is plain
dicts, and a Describe that iterates one while another thread's create adds to it fails with "dictionary
changed size during iteration", an HTTP 500 (CloudWatch's DescribeAlarms did so during a 200-site apply at
-parallelism=30, CloudWatch Logs' DescribeLogGroups too; tests/test_emulator_concurrency.py reproduces it). Our
own actions allocate addresses, IDs and inside CIDRs, which two requests must not both take; the tunnels' states
are worked out from time when they are read (aws_emulator.tunnel_telemetry), which two readers must not both
do; seeding swaps one of moto's ID functions for the whole process while it creates a resource under a fixed
ID, which no other request may draw meanwhile. There are no timers: every transition happens inside a request,
so under this lock too. Locks per service would not do:
actions reach across services (a connection's keys go to Secrets Manager; the signature check reads what STS
and IAM issued). So `Serialized` holds one lock, STATE_LOCK, for the whole of each request's work on the state.

It costs little: the server is one Python process, so its threads never ran Python side by side anyway (the
GIL); what they overlapped was reading requests and writing answers, which stays outside the lock. The body is
read before the lock is taken and the answer written after it is released, so a slow client never holds it.

`ServerErrors` writes `server error: HTTP <status> <service> <action>: <what>` to the log (stderr) for every
answer of 500 or more and for every exception that escapes to the server (which answers 500): one line to
search for, with the action and the error, beside the server's own traceback.
"""

from __future__ import annotations

import re
import sys
import threading
from urllib.parse import parse_qs

from aws_emulator.signing import request_body

# Re-entrant: the seeding and control routes, called under it, may call what also takes it.
STATE_LOCK = threading.RLock()
SERVER_ERROR = "server error: HTTP"
_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/,\s]+/([^/,\s]+)/aws4_request")
_REQUEST_LINE = re.compile(r'^\S+ - - \[[^]]+\] "[^"]*" (\d{3}) ')  # werkzeug's line for each request
_COLOUR = re.compile(r"\x1b\[[0-9;]*m")  # werkzeug colours the lines of errors


class Serialized:
    """WSGI: `app` called under STATE_LOCK, its whole answer produced there; the body read before, the
    answer sent after."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        request_body(environ)  # from the socket into memory, before the lock
        answer: list = []

        def capture(status, headers, exc_info=None):
            answer[:] = [status, headers, exc_info]
            return lambda data: None  # moto never writes through start_response's write()

        with STATE_LOCK:
            result = self.app(environ, capture)
            try:
                chunks = list(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        status, headers, exc_info = answer
        start_response(status, headers, exc_info) if exc_info else start_response(status, headers)
        return chunks


class ServerErrors:
    """WSGI: a log line for each answer of HTTP 500 or more, and for each exception `app` lets escape."""

    def __init__(self, app, log=None):
        self.app = app
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))

    def __call__(self, environ, start_response):
        def noting(status, headers, exc_info=None):
            if status[:1] == "5":
                self.log(f"{SERVER_ERROR} {status[:3]} {self.names(environ)}: {status}")
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        try:
            return self.app(environ, noting)
        except Exception as error:
            self.log(f"{SERVER_ERROR} 500 {self.names(environ)}: {type(error).__name__}: {error}")
            raise

    @staticmethod
    def names(environ) -> str:
        """`<service> <action>`: the service from the signature's scope, the action as the protocol names it."""
        scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", "")) or _SCOPE.search(
            "Credential=" + (parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential") or [""])[0])
        service = scope.group(1) if scope else "-"
        return f"{service} {action_of(environ)}"


def action_of(environ) -> str:
    """The action: X-Amz-Target (JSON), the path's last part (Smithy RPC v2 CBOR), the body's Action (query and
    EC2), or else the method and path (REST)."""
    path = environ.get("PATH_INFO", "")
    if environ.get("HTTP_X_AMZ_TARGET"):
        return environ["HTTP_X_AMZ_TARGET"].rsplit(".", 1)[-1]
    if path.startswith("/service/") and "/operation/" in path:
        return path.rsplit("/", 1)[-1]
    body = environ.get("vpn_emulator.body", b"")
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded") and body:
        action = parse_qs(body.decode(errors="replace")).get("Action")
        if action:
            return action[0]
    return f"{environ.get('REQUEST_METHOD', '?')} {path}"


def log_summary(text: str) -> dict:
    """What an emulator's log (its stderr) says of its answers: each `server error` line, each request the
    server logged with a 5xx status (also there for an emulator older than these lines), and the requests."""
    lines = [_COLOUR.sub("", line) for line in text.splitlines()]
    statuses = [m.group(1) for m in map(_REQUEST_LINE.match, lines) if m]
    return {
        "server_errors": [line for line in lines if line.startswith(f"{SERVER_ERROR} 5")],
        "responses_5xx": [line for line in lines if (m := _REQUEST_LINE.match(line)) and m.group(1)[0] == "5"],
        "requests": len(statuses),
    }
