"""`python -m vpnctl.emulator --port N`: serve the emulator on 127.0.0.1 for MOTO_ACCOUNT_ID."""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vpnctl.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    account_id = os.environ.get("MOTO_ACCOUNT_ID")
    if not account_id:
        print("python -m vpnctl.emulator: set MOTO_ACCOUNT_ID to the environment's account", file=sys.stderr)
        return 2
    os.environ.setdefault("MOTO_PORT", str(args.port))

    from moto.moto_server.threaded_moto_server import MotoRequestHandler
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import run_simple

    from vpnctl.emulator.app import EmulatorApp, install

    install()
    app = EmulatorApp(DomainDispatcherApplication(create_backend_app), account_id)
    run_simple(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
