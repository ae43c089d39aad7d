"""`vpnctl deploy`: synth, then `terraform apply` per environment, and what a network
engineer needs next: each site's tunnel outside IPs and each Client VPN DNS name."""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpnctl.planning import local_emulator, prepare
from vpnctl.synth import synth_stacks
from vpnctl.terraform import TerraformError


def deploy_summary(environment: LoadedEnvironment, outputs: dict, seconds: float) -> str:
    lines = [f"{environment.name}: deployed in {seconds:.0f} s"]
    for site in sorted(environment.config.sites):
        tunnels = outputs.get(f"site_{site}_tunnels", {})
        lines.append(
            f"  site {site}: tunnel 1 {tunnels.get('tunnel1_address', '?')}, tunnel 2 {tunnels.get('tunnel2_address', '?')}"
        )
    for name in sorted(environment.config.client_vpn):
        endpoint = outputs.get(f"client_vpn_{name}", {})
        lines.append(f"  client_vpn {name}: {endpoint.get('dns_name', '?')} ({endpoint.get('id', '?')})")
    return "\n".join(lines)


def deploy_environments(
    environments: list[LoadedEnvironment],
    outdir: Path,
    build: Path,
    *,
    local: bool,
    allow_replace: frozenset[str] = frozenset(),
) -> int:
    synth_stacks(environments, outdir, allow_replace)
    failed = 0
    for environment in environments:
        with ExitStack() as stack:
            started = time.monotonic()
            try:
                terraform = prepare(environment, outdir, build, local_emulator(stack, environment, build, local))
                terraform.apply()
                outputs = terraform.outputs()
            except TerraformError as exc:
                failed += 1
                print(f"{environment.name}: {exc}", file=sys.stderr)
                print(exc.output.rstrip(), file=sys.stderr)
                continue
            print(deploy_summary(environment, outputs, time.monotonic() - started))
    return 1 if failed else 0
