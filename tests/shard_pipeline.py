"""The `shards` pipeline: dev without its endpoint (no association sleeps), with a log key and three more sites,
split into two shards, on the emulator (tests/test_shards.py reads what it records).

1. The base stack applied, then `npx cdktf deploy dev-east` as a user runs it: only that shard is applied; the
   base's state and dev-west's (none yet) are unchanged, and dev-east's holds exactly its sites.
2. dev-west applied. Then branch-a moves from dev-east to dev-west in the config: a move refused while a lock
   is held, then made (vpnctl/shard_moves.py), and every stack planned: nothing to change.
3. The shard west removed from the config: its sites go back to the base, found through the base's
   `shard_stacks` output although no stack of the config is dev-west any more; moved, then planned: nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.lifecycle import Run
from tests.pipelines import ROOT, cdktf_user_env
from tests.scenarios import variant
from vpnctl.terraform import Terraform, count_changes

NO_ENDPOINT = 'client_vpn "'


def _site(name: str, number: int) -> str:
    return (f'site "{name}" {{\n  ip_address    = "198.51.100.{number}"\n  routing       = "static"\n'
            f'  static_routes = ["192.168.{number}.0/24"]\n  tunnel {{\n    inside_cidr = "169.254.{number}.0/30"\n'
            f'  }}\n  tunnel {{\n    inside_cidr = "169.254.{number}.4/30"\n  }}\n}}\n')


# A transit gateway site needs nothing of the base but the alarm topic.
DC_SITE = '''site "dc" {
  ip_address    = "192.0.2.70"
  routing       = "bgp"
  bgp_asn       = 65070
  transit_gateway {
    id             = "tgw-0d1e2f3a4b5c60718"
    route_table_id = "tgw-rtb-0d1e2f3a4b5c60718"
  }
}
'''
SITES = _site("branch-a", 61) + _site("branch-b", 62) + DC_SITE


def shards(**groups: list[str]) -> str:
    return "".join(f'shard "{name}" {{\n  sites = {json.dumps(sites)}\n}}\n' for name, sites in groups.items())


# The layouts, each a dev variant: deployed, branch-a moved to west, west removed.
LAYOUTS = {
    "deployed": shards(east=["branch-a", "dc"], west=["branch-b"]),
    "moved": shards(east=["dc"], west=["branch-b", "branch-a"]),
    "retired": shards(east=["dc"]),
}


def dev_layout(folder: Path, layout: str):
    """dev without its endpoint, with a log key of its own (the shards find it by its alias), three more sites and
    the shards of `layout`."""
    edits = [("retention_days = 30\n", "retention_days = 30\n  create_kms_key = true\n"),
             ("# Developers:", SITES + LAYOUTS[layout] + "\n# Developers:")]
    return variant("dev", edits, folder, without=(NO_ENDPOINT,))


def start(catalog) -> None:
    """Synthesizes in the catalog's thread (jsii serves one), then submits the pipeline."""
    layouts = {}
    for layout in LAYOUTS:
        env = dev_layout(catalog.base / f"env-shards-{layout}", layout)
        layouts[layout] = (env, catalog.synth(env, f"shards-{layout}"))
    catalog.runner.submit("shards", pipeline, layouts)


def pipeline(run: Run, layouts: dict) -> dict:
    from vpnctl.emulator_seed import seed_environment

    env, outdir = layouts["deployed"]
    build = (run.base / "build").resolve()
    record: dict = {}
    with run.emulator(env.config.account_id, "shards") as aws:
        seed_environment(aws, env.config, build / "pki")
        with run.step("apply the base stack dev"):
            base = stack_terraform(aws, outdir, "dev", build)
            base.apply()
        record["base_after_apply"] = state_of(base)
        with run.step("npx cdktf deploy dev-east"):
            record["cdktf"] = cdktf_deploy(run, aws, env, build, "dev-east")
        record["base_after_cdktf"] = state_of(base)
        record["east_after_cdktf"] = state_of(stack_terraform(aws, outdir, "dev-east", build))
        record["west_after_cdktf"] = state_of(stack_terraform(aws, outdir, "dev-west", build))
        with run.step("apply dev-west"):
            stack_terraform(aws, outdir, "dev-west", build).apply()
        with run.step("the review of dev-east and dev-west as a CI matrix job, before branch-a moves"):
            record["matrix_review"] = matrix_review(aws, layouts["moved"][0], run.base / "matrix-out", build,
                                                    ("dev-east", "dev-west"))
        with run.step("branch-a moved from dev-east to dev-west"):
            record["moved"] = moved(aws, *layouts["moved"], build, lock_first="dev-west")
        with run.step("shard west removed: its sites back to the base"):
            record["retired"] = moved(aws, *layouts["retired"], build)
    return record


def moved(aws, env, outdir: Path, build: Path, lock_first: str | None = None) -> dict:
    """The moves `env` asks for, found, made and then planned, stack by stack. With `lock_first`, a move while
    that stack's lock is held comes first: refused, and nothing moved."""
    from vpnctl.shard_moves import ShardMoveError, find_moves, move_sites
    from vpnctl.synthesized import stack_dirs

    terraforms = {stack: stack_terraform(aws, outdir, stack, build) for stack in stack_dirs(outdir, env)}
    out: dict = {"found": [move.words() for move in find_moves(env, build, aws)]}
    states = {stack: state_of(terraform) for stack, terraform in terraforms.items()}
    if lock_first:
        held = hold_lock(aws, env, lock_first)
        try:
            move_sites(env, terraforms, build)
        except ShardMoveError as exc:
            out["refused"] = str(exc)
        finally:
            release(aws, env, held)
        out["unchanged_while_refused"] = {stack: state_of(t) for stack, t in terraforms.items()} == states
    out["before"] = states
    out["moves"] = [(move.words(), move.addresses) for move in move_sites(env, terraforms, build)]
    out["after"] = {stack: state_of(terraform) for stack, terraform in terraforms.items()}
    out["plans"] = {stack: planned(terraform, build) for stack, terraform in terraforms.items()}
    out["again"] = [move.words() for move in find_moves(env, build, aws)]
    latest = max((build / "shard-moves").glob(f"{env.name}-*"), key=lambda path: path.stat().st_mtime)
    out["copies"] = {path.name: path.stat().st_mode & 0o777 for path in latest.iterdir()}
    out["copies_folder"] = latest.stat().st_mode & 0o777
    return out


def planned(terraform: Terraform, build: Path) -> dict:
    plan = terraform.plan_if_changing(build / f"{terraform.name}.tfplan")
    return {"changes": count_changes(plan),
            "outputs": sorted(name for name, change in (plan.get("output_changes") or {}).items()
                              if change["actions"] != ["no-op"])}


def matrix_review(aws, env, outdir: Path, build: Path, stacks: tuple[str, ...]) -> dict:
    """`vpnctl review` of some of `env`'s stacks, as one job of the workflow's matrix runs it: what it
    synthesized and initialized, and each stack's planned actions, moves and error."""
    from vpnctl.review.stack_reviews import review_stacks
    from vpnctl.runner import synthesize

    synthesize([env], outdir, only={env.name: frozenset(stacks)})
    reviews = review_stacks(env, outdir, build, aws=aws, stacks=frozenset(stacks))
    folders = outdir / "stacks"
    return {"synthesized": sorted(path.name for path in folders.iterdir()),
            "initialized": sorted(path.parent.name for path in folders.glob("*/.terraform")),
            "reviews": {review.environment: {"planned": review.planned, "error": review.error, "moves": review.moves,
                                             "changes": {c.address: c.action for c in review.changes}}
                        for review in reviews}}


def stack_terraform(aws, outdir: Path, stack: str, build: Path) -> Terraform:
    """Terraform on one synthesized stack, pointed at the emulator, initialized."""
    from vpnctl.synthesized import stack_dir
    from vpnctl.terraform_config import find_provider_mirror, write_cli_config

    terraform = Terraform(stack_dir(outdir, stack), write_cli_config(build, find_provider_mirror()),
                          aws.terraform_env(), emulator=aws, name=stack, log_file=build / f"{stack}.log")
    terraform.init()
    return terraform


def state_of(terraform: Terraform) -> dict:
    """What a stack's state holds: serial, lineage, managed and data resource addresses, output names."""
    text = terraform.run("state", "pull", secret_output=True).stdout
    state = json.loads(text) if text.strip() else {}
    if not state.get("lineage"):  # no state object yet: Terraform shows an empty one
        return {"exists": False, "resources": [], "outputs": []}
    addresses = sorted(("data." if r["mode"] == "data" else "") + f"{r['type']}.{r['name']}" for r in state["resources"])
    return {"exists": True, "serial": state["serial"], "lineage": state["lineage"], "resources": addresses,
            "outputs": sorted(state.get("outputs", {}))}


def cdktf_deploy(run: Run, aws, env, build: Path, stack: str) -> dict:
    """`npx cdktf deploy STACK` as a user points it at the emulator (docs/local-aws.md)."""
    command = ["npx", "--no-install", "cdktf", "deploy", stack, "--auto-approve", "--skip-provider-lock",
               "--output", str(run.base / "cdktf.out")]
    user_env = cdktf_user_env(aws, build, build / "pki", Path(env.source).parent)
    done = run.command(command, cwd=ROOT, env=user_env, aws=aws)
    return {"status": done.returncode, "output": done.stdout[-8000:],
            "stacks": sorted(path.name for path in (run.base / "cdktf.out" / "stacks").iterdir())}


def hold_lock(aws, env, stack: str) -> tuple:
    """A lock file on `stack`'s state, as a Terraform run elsewhere holds it."""
    from vpn_schema.environment import state_key

    s3 = aws.client("s3", env.config.state.region)
    key = state_key(stack) + ".tflock"
    s3.put_object(Bucket=env.config.state.bucket, Key=key,
                  Body=json.dumps({"ID": "held-by-a-test", "Operation": "OperationTypeApply", "Who": "ci@runner"}))
    return s3, key


def release(aws, env, held: tuple) -> None:
    s3, key = held
    s3.delete_object(Bucket=env.config.state.bucket, Key=key)
