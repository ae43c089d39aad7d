"""prod's identity changed on live applies: each change is refused by review and deploy before Terraform,
then reviewed and deployed with the allowance the refusal names, and does what the review said.

prod without its Client VPN endpoint (as in tests/guard_pipeline.py), changed step by step, each step
on top of the last as a team would merge them: the VPC, the state bucket, the file name (prod.hcl
becomes core.hcl: a name without "prod", which may lower its tier), the region, then the tier. After
each deploy the guard manifest is written as `vpnctl deploy` writes it, and the next step's pull
request carries it.

Two pipelines side by side, each on an emulator of its own (one of five steps after another took 10 minutes
on a busy machine, longer than the rest of the suite): "prod-identity" applies prod and changes its VPC and its
state bucket; "prod-identity-renamed" applies prod as those two changes left it (its manifest as the second
deploy wrote it), then renames the file, moves the region and lowers the tier.
"""

from __future__ import annotations

from pathlib import Path

from tests.guard_pipeline import reviewed
from tests.lifecycle import Run
from tests.pipelines import apply

# (the identity key, and the variant's file name): the catalog synthesizes each, edits accumulated.
STEPS = (("vpc.id", "prod"), ("state.bucket", "prod"), ("file", "core"), ("region", "core"), ("tier", "core"))
# Which pipeline takes which steps; the second starts where the first's last step left prod.
PIPELINES = {"prod-identity": ("vpc.id", "state.bucket"), "prod-identity-renamed": ("file", "region", "tier")}
REGIONS = ("eu-central-1", "eu-west-1")


def pipeline_of(key: str) -> str:
    return next(name for name, keys in PIPELINES.items() if key in keys)


def prod_identity(run: Run, env, outdir: Path, steps: dict, keys: tuple[str, ...]) -> dict:
    """`env` applied (its guard manifest as its deploy wrote it), then each of `keys` in turn."""
    from stacks.config import guard_manifest

    record: dict = {}
    build = run.base / "build"
    with run.emulator(env.config.account_id, run.name) as aws:
        apply(run, env, outdir, aws, record)
        record["before"] = world(aws)
        manifests = {f"{env.name}.guard.json": guard_manifest.render(env.name, env.config)}
        for key in keys:
            changed, changed_out, allowance = steps[key]
            folder = Path(changed.source).parent
            for name, text in manifests.items():  # the manifests as the last deploy left them
                (folder / name).write_text(text)
            with run.step(f"{key}: refused, then reviewed and deployed with --allow-change {allowance}"):
                record[key] = identity_step(changed, changed_out, build, aws, allowance)
            manifests = {path.name: path.read_text() for path in folder.glob("*.guard.json")}
            record[key]["manifests"] = sorted(manifests)
    return record


def identity_step(env, outdir: Path, build: Path, aws, allowance: str) -> dict:
    from stacks.config import guard_manifest
    from vpnctl.plan_and_apply import AUTOMATIC, DeployRefused, deploy_environment
    from vpnctl.review.plan_review import review_environment

    step: dict = {"allowance": allowance, "before": world(aws)}
    step["refused_review"] = reviewed(review_environment(env, outdir, build, aws=aws, policy=False))
    try:
        deploy_environment(env, outdir, build, aws, approval=AUTOMATIC)
        step["refused_deploy"] = "applied"
    except DeployRefused as exc:
        step["refused_deploy"] = str(exc)
    step["after_refused"] = world(aws)
    allowed = frozenset({allowance})
    review = review_environment(env, outdir, build, aws=aws, policy=False, allow_change=allowed)
    step["allowed_review"] = {**reviewed(review), "state_move": review.state_move}
    step["outputs"] = deploy_environment(env, outdir, build, aws, approval=AUTOMATIC, allow_change=allowed)
    step["manifest_lines"] = guard_manifest.write(Path(env.source), env.name, env.config)  # as vpnctl deploy does
    step["after"] = world(aws)
    step["refusals_after"] = guard_manifest.refusals(env.source, env.name, env.config, frozenset(), "{}")
    return step


def world(aws) -> dict:
    """What exists in both regions, and which VPC each virtual private gateway is attached to."""
    seen: dict = {}
    for region in REGIONS:
        gateways = aws.client("ec2", region).describe_vpn_gateways()["VpnGateways"]
        seen[region] = {
            **aws.resources(region),
            "attachments": sorted(f"{g['VpnGatewayId']}:{a['VpcId']}" for g in gateways if g["State"] != "deleted"
                                  for a in g.get("VpcAttachments", []) if a["State"] == "attached"),
        }
    return seen
