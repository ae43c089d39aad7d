"""The cdktf app: one stack per `environments/*.hcl`, so `cdktf deploy prod` deploys prod.

Config is validated before cdktf is imported: a bad file stops here with exit
status 2 and one line per problem, and nothing is written to the output folder.
VPN_ALLOW_REPLACE (space-separated Terraform addresses) lifts prod's guard for
exactly those, as `vpnctl deploy --allow-replace` does: `cdktf deploy prod`
after a reviewed replacement.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from stacks.config import ConfigError, load_environments


def main() -> int:
    directory = Path(os.environ.get("VPN_ENVIRONMENTS_DIR", "environments"))
    try:
        environments = load_environments(directory)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    from stacks.app import synth  # cdktf loads only for a valid config
    from stacks.guard import GuardError

    allow_replace = frozenset(os.environ.get("VPN_ALLOW_REPLACE", "").split())
    try:
        synth(environments, Path(os.environ.get("CDKTF_OUTDIR") or "cdktf.out"), allow_replace)
    except GuardError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
