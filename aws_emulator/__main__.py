"""`python -m aws_emulator [--port N] [--ready-fd FD]`: serve the emulator on 127.0.0.1 for MOTO_ACCOUNT_ID.

It answers only requests signed with the access key in VPN_EMULATOR_ACCESS_KEY_ID and
VPN_EMULATOR_SECRET_ACCESS_KEY (or with credentials its own STS or IAM issued): environment variables,
because any local user can read a process's command line.

The server binds before it says it is ready: with `--ready-fd`, it writes
`ready PORT` to that file descriptor (a pipe its starter reads) and closes it,
so the starter needs no guess of how long a start takes, and `--port 0` takes
a free port with no race. Without `--ready-fd` it prints the same line.
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aws_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 (the default) takes a free port")
    parser.add_argument("--ready-fd", type=int, help="write `ready PORT` here once listening, then close it")
    args = parser.parse_args(argv)
    account_id = os.environ.get("MOTO_ACCOUNT_ID")
    if not account_id:
        print("python -m aws_emulator: set MOTO_ACCOUNT_ID to the environment's account", file=sys.stderr)
        return 2
    from aws_emulator.auth import ACCESS_KEY_ID_VARIABLE, SECRET_ACCESS_KEY_VARIABLE

    access_key_id = os.environ.get(ACCESS_KEY_ID_VARIABLE, "")
    secret_access_key = os.environ.get(SECRET_ACCESS_KEY_VARIABLE, "")
    if not access_key_id or not secret_access_key:
        print(f"python -m aws_emulator: set {ACCESS_KEY_ID_VARIABLE} and {SECRET_ACCESS_KEY_VARIABLE} to the "
              "access key it should accept", file=sys.stderr)
        return 2

    from moto.moto_server.threaded_moto_server import MotoRequestHandler
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    from aws_emulator.app import EmulatorApp, install, issued_key
    from aws_emulator.auth import Gate
    from aws_emulator.serialized import Serialized, ServerErrors

    install()
    # Each request on a thread of its own, its work on the state one at a time (aws_emulator.serialized).
    app = ServerErrors(Gate(Serialized(EmulatorApp(DomainDispatcherApplication(create_backend_app), account_id)),
                            access_key_id, secret_access_key, issued=issued_key))
    server = make_server(args.host, args.port, app, threaded=True, request_handler=one_request_per_connection(MotoRequestHandler))
    port = server.server_address[1]
    os.environ["MOTO_PORT"] = str(port)  # moto builds some URLs from it
    print(f"listening on http://{args.host}:{port} for account {account_id}", file=sys.stderr, flush=True)
    ready = f"ready {port}\n"
    if args.ready_fd is None:
        print(ready, end="", flush=True)
    else:
        with os.fdopen(args.ready_fd, "w") as pipe:
            pipe.write(ready)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def one_request_per_connection(handler):
    """`handler` answering HTTP/1.0: each connection carries one request and is closed after its answer.

    werkzeug's threaded server speaks HTTP/1.1 and keeps connections open, and Go's HTTP client (the provider's)
    reuses them. On a loaded machine the provider's calls now and then failed on a reused connection, the
    request sent or the answer half read ("use of closed network connection" after HTTP 200, or a create whose
    answer was lost, retried into "RouteAlreadyExists"): a POST isn't retried by Go's transport, and the SDK's
    retry can't know whether the first one was done. A fresh loopback connection per request costs
    microseconds; werkzeug keeps a class's own protocol_version."""
    return type("OneRequestPerConnection", (handler,), {"protocol_version": "HTTP/1.0", "__doc__": handler.__doc__})


if __name__ == "__main__":
    sys.exit(main())
