"""Pipelines that only plan, and the README's commands run as a user runs them."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tests.lifecycle import Run, environment
from tests.pipelines import ROOT

# Each bad key, named by the rule it breaks, gets a site of its own in one environment: one plan
# shows every site's refusal, as AWS's rules are checked per secret.
# (No key is a part of a site's name: the test looks for each key in Terraform's output.)
BAD_KEYS = {"leading-zero": "0Abcdefgh", "under-eight": "Sh0rt7", "bad-character": "has-dash-in-it",
            "over-sixty-four": "a" * 65}


def fresh_plans(run: Run, environments: dict, outdir: Path, secret_values: dict[str, str]) -> dict:
    """Each shipped environment planned on an emulator holding only what it names as existing."""
    from vpnctl.runner import plan_environment

    build = run.base / "build"
    plans = {}
    for name, env in environments.items():
        with run.emulator(env.config.account_id, name) as aws, run.step(f"plan {name}"):
            plans[name] = plan_environment(env, outdir, build, aws=aws, secret_values=secret_values)
    return {"plans": plans, "outdir": outdir, "build": build, "secret_values": secret_values}


def bad_key_sites() -> str:
    """HCL for one static site per bad key, its tunnel 2 key in a Secrets Manager secret of the site's name."""
    blocks = []
    for n, site in enumerate(BAD_KEYS):
        blocks.append(f'''
site "{site}" {{
  ip_address    = "198.51.100.{70 + n}"
  routing       = "static"
  static_routes = ["192.168.{70 + n}.0/24"]
  tunnel {{
    inside_cidr = "169.254.{70 + n}.0/30"
  }}
  tunnel {{
    inside_cidr          = "169.254.{70 + n}.4/30"
    preshared_key_secret = "dev/vpn/{site}/tunnel2"
  }}
}}
''')
    return "".join(blocks)


def bad_keys(run: Run, env, outdir: Path) -> dict:
    """One plan of an environment whose sites' secrets each break one of AWS's key rules."""
    from vpnctl.runner import plan_environment
    from vpnctl.terraform import TerraformError

    values = {f"dev/vpn/{site}/tunnel2": key for site, key in BAD_KEYS.items()}
    with run.emulator(env.config.account_id, "bad-keys") as aws, run.step("plan with bad keys"):
        try:
            plan_environment(env, outdir, run.base / "build", aws=aws, secret_values=values)
        except TerraformError as exc:
            return {"failed": True, "output": exc.output}
    return {"failed": False, "output": ""}


def command(run: Run, what: str, command: list[str]) -> dict:
    """A README command in the repository, as a user runs it; its output and wall time."""
    started = time.monotonic()
    with run.step(what):
        result = run.command(command, cwd=ROOT, env=environment(), merge=False)
    return {"status": result.returncode, "output": result.stdout, "errors": result.stderr,
            "seconds": time.monotonic() - started}


def make_run(run: Run) -> dict:
    """`make run` through a pipe, each line timed as it arrives (the progress promise)."""
    from tests.deploy_pipelines import streamed

    with run.step("make run"):
        return streamed(run, ["make", "run"], cwd=ROOT)


def review_prod(run: Run) -> dict:
    """`vpnctl review prod --local`: a fresh emulator has no state, so prod is all additions."""
    markdown = run.base / "review.md"
    record = command(run, "vpnctl review prod --local", [
        str(Path(sys.executable).parent / "vpnctl"), "review", "prod", "--local", "--build", str(run.base / "build"),
        "--out", str(run.base / "out"), "--markdown", str(markdown)])
    record["markdown"] = markdown.read_text() if markdown.exists() else ""
    return record


def route_domains(run: Run, env, outdir: Path) -> dict:
    """A transit-gateway-only environment with route domains (tests/test_transit_gateway_only.py) applied:
    what the state holds, what each propagation table learned, and a plan after."""
    from tests.pipelines import apply
    from vpnctl.terraform import count_changes

    record: dict = {}
    with run.emulator(env.config.account_id, "route-domains") as aws:
        terraform = apply(run, env, outdir, aws, record)
        with run.step("plan again"):
            record["second_plan"] = count_changes(terraform.plan_if_changing(run.base / "route-domains-again.tfplan"))
        ec2 = aws.client("ec2", env.config.region)
        record["propagations"] = {
            table: [p["TransitGatewayAttachmentId"] for p in ec2.get_transit_gateway_route_table_propagations(
                TransitGatewayRouteTableId=table)["TransitGatewayRouteTablePropagations"]]
            for table in ("tgw-rtb-0b00000000000000b", "tgw-rtb-0c00000000000000c")}
    return record
