"""`vpnctl comment PARTS... --markdown FILE`: one pull-request comment from the reviews of several CI jobs (a
matrix of stacks, each `vpnctl review STACK --parts FILE`): one summary table, then every stack's section, in
the order given."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from vpnctl.exit_status import EXIT_CONFIG


def add_parser(commands) -> None:
    command = commands.add_parser("comment", help="merge the --parts files of several reviews into one comment")
    command.add_argument("parts", nargs="+", type=Path, help="files written by `vpnctl review --parts`")
    command.add_argument("--markdown", type=Path, required=True, help="write the comment to this file")
    command.set_defaults(handler=run, without_environments=True)


def run(args) -> int:
    from vpnctl.review import render

    try:
        loaded = [json.loads(path.read_text()) for path in args.parts]
    except (OSError, ValueError) as exc:
        print(f"vpnctl comment: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    args.markdown.parent.mkdir(parents=True, exist_ok=True)
    args.markdown.write_text(render.merged(loaded))
    print(f"comment: {args.markdown}")
    return 0
