"""EC2's query calls as AWS answers a retried request, and a log line for each one that fails.

AWS's EC2 developer guide ("Ensuring idempotency in Amazon EC2 API requests"):
CreateVpnConnection is idempotent by default, and the Client VPN actions below take
a client token: a request repeated with the same token and the same parameters
succeeds without doing anything again; the same token with other parameters fails
with IdempotentParameterMismatch. SDKs fill the token in and retry a request whose
answer they did not get (a busy machine makes that happen), so without this a
retried create fails as a duplicate although the first one worked.
"""

from __future__ import annotations

import io
import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs

CLIENT_TOKEN_ACTIONS = frozenset({
    "AssociateClientVpnTargetNetwork", "AuthorizeClientVpnIngress", "CreateClientVpnEndpoint", "CreateClientVpnRoute",
})
IDEMPOTENT_BY_DEFAULT = frozenset({"CreateVpnConnection"})
MISMATCH = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>IdempotentParameterMismatch</Code>'
    "<Message>The client token {token} was used before with other parameters</Message></Error></Errors>"
    "<RequestID>idempotency</RequestID></Response>"
)


@dataclass(frozen=True)
class Answered:
    body: bytes  # the request
    status: str
    headers: list
    chunks: list[bytes]


class QueryCalls:
    """WSGI around moto for `POST /`. `still_there(action, response)` says whether what a replayed
    request created still exists (a deleted VPN connection may be created again)."""

    def __init__(self, app, still_there: Callable[[str, str], bool]):
        self.app = app
        self.still_there = still_there
        self._answered: dict[tuple, Answered] = {}
        self._lock = threading.RLock()

    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        params = parse_qs(body.decode(errors="replace"))
        action = params.get("Action", [environ.get("HTTP_X_AMZ_TARGET", "?")])[0]
        key = self._key(action, params, body)
        if key is None:
            return self._respond(start_response, action, *self._call(environ))
        with self._lock:  # a retry may arrive while the first request is still being answered
            earlier = self._answered.get(key)
            if earlier and earlier.body != body:
                token = params["ClientToken"][0]
                return self._respond(start_response, action, "400 BAD REQUEST", [("Content-Type", "text/xml")],
                                     [MISMATCH.format(token=token).encode()])
            if earlier and self.still_there(action, b"".join(earlier.chunks).decode(errors="replace")):
                return self._respond(start_response, action, earlier.status, earlier.headers, earlier.chunks)
            status, headers, chunks = self._call(environ)
            if int(status[:3]) < 400:
                self._answered[key] = Answered(body, status, headers, chunks)
            return self._respond(start_response, action, status, headers, chunks)

    @staticmethod
    def _key(action: str, params: dict, body: bytes) -> tuple | None:
        if action in CLIENT_TOKEN_ACTIONS and params.get("ClientToken"):
            return action, params["ClientToken"][0]
        if action in IDEMPOTENT_BY_DEFAULT:
            return action, body
        return None

    def _call(self, environ) -> tuple[str, list, list[bytes]]:
        answer: list = []

        def capture(status, headers, exc_info=None):
            answer[:] = [status, headers]
            return lambda data: None

        chunks = list(self.app(environ, capture))
        return answer[0], answer[1], chunks

    @staticmethod
    def _respond(start_response, action: str, status: str, headers: list, chunks: list[bytes]) -> list[bytes]:
        if int(status[:3]) >= 400:
            text = b"".join(chunks).decode(errors="replace")
            code = re.search(r"<Code>([^<]*)</Code>", text)
            message = re.search(r"<Message>([^<]*)</Message>", text)
            print(f"error: {action}: {status} {code.group(1) if code else ''}: "
                  f"{message.group(1) if message else text[:300]}", file=sys.stderr, flush=True)
        start_response(status, list(headers))
        return list(chunks)
