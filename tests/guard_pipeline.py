"""prod's guard on real plans and applies: the pipeline, and what a test needs of a review.

It runs on prod without its Client VPN endpoint: the guard is about connections
and customer gateways, and without the endpoint's 4-minute association waits
the whole story (apply, refused review, allowed replacement, refused removal)
takes a few minutes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.lifecycle import Run
from tests.pipelines import apply
from tests.scenarios import PROD_BERLIN_ALLOWANCE
from vpnctl.runner import prepare


def reviewed(review) -> dict:
    """What a test needs of a review: its renderings, exit status, and actions by address (hash stripped)."""
    from vpnctl.review import render

    def unhashed(address: str) -> str:
        return re.sub(r"_[0-9A-F]{8}$", "", address)

    return {
        "markdown": render.markdown([review]),
        "terminal": render.terminal([review]),
        "exit": review.exit_status,
        "actions": {unhashed(c.address): c.action for c in review.changes},
        "forced_by": {unhashed(c.address): c.forced_by for c in review.changes},
        "refused": review.refused,
        "refused_destroys": review.refused_destroys,
        "replace_paths": {unhashed(c.address): c.replace_paths for c in review.changes},
        "requested": [unhashed(c.address) for c in review.changes if c.requested],
    }


def prod_guard(run: Run, env, outdir: Path, variants: dict) -> dict:
    """Apply; review a new inside CIDR (refused); review and apply it with --allow-replace."""
    from vpnctl.review.plan_review import review_environment

    record: dict = {}
    build = run.base / "build"
    allowed = frozenset({PROD_BERLIN_ALLOWANCE})
    with run.emulator(env.config.account_id, "prod") as aws:
        apply(run, env, outdir, aws, record)
        with run.step("review a new inside CIDR"):
            record["review_refused"] = reviewed(review_environment(*variants["inside"], build, aws=aws, policy=False))
        with run.step("review it with --allow-replace"):
            record["review_allowed"] = reviewed(
                review_environment(*variants["allowed"], build, aws=aws, allow_replace=allowed, policy=False)
            )
        with run.step("apply the allowed replacement"):
            terraform = prepare(*variants["allowed"], build, aws)
            terraform.apply()
        record["outputs_after_replace"] = terraform.outputs()
        record["keys"] = preshared_keys(aws, env.config.region)
    return record


def prod_guard_removals(run: Run, env, outdir: Path, variants: dict) -> dict:
    """prod as the allowed replacement left it (`env`, applied afresh on an emulator of its own: the second half
    of prod-guard, side by side with the first), then what Terraform's prevent_destroy does not cover: a static
    route removed (refused until allowed), a site's block removed (refused by review, by deploy and by
    `cdktf deploy` until the guard manifest retires the site)."""
    from vpnctl.plan_and_apply import AUTOMATIC, DeployRefused, deploy_environment
    from vpnctl.review.plan_review import review_environment

    record: dict = {}
    build = run.base / "build"
    with run.emulator(env.config.account_id, "prod") as aws:
        apply(run, env, outdir, aws, record)
        record["route"] = removed_route(variants["route"], build, aws)
        with run.step("review a removed site"):
            record["review_removed"] = reviewed(review_environment(*variants["removed"], build, aws=aws, policy=False))
        before = aws.resources(env.config.region)
        with run.step("deploy a removed site"):
            try:
                deploy_environment(*variants["removed"], build, aws, approval=AUTOMATIC)
                record["removed_deploy"] = "applied"
            except DeployRefused as exc:
                record["removed_deploy"] = str(exc)
        record["resources_after_refused_deploy"] = (before, aws.resources(env.config.region))
        record["cdktf"] = cdktf_removal(run, env, variants["removed"][0], aws)
        record["keys"] = preshared_keys(aws, env.config.region)
    return record


def removed_route(variant, build: Path, aws) -> dict:
    """A static route removed: refused by review and deploy (nothing guarded changes, so Terraform would do it
    without a word); a stale allowance refused; then deployed with the allowance the review printed."""
    from vpnctl.plan_and_apply import AUTOMATIC, DeployRefused, deploy_environment
    from vpnctl.review.plan_review import review_environment

    review = review_environment(*variant, build, aws=aws, policy=False)
    record: dict = {"review": reviewed(review), "allowances": dict(review.allowances)}
    [address] = review.refused_destroys or ["(none)"]
    for label, allowed in (("refused", frozenset()), ("stale", frozenset({f"{address}@000000000000"}))):
        try:
            deploy_environment(*variant, build, aws, frozenset(allowed), approval=AUTOMATIC)
            record[label] = "applied"
        except DeployRefused as exc:
            record[label] = str(exc)
    outputs = deploy_environment(*variant, build, aws, frozenset({review.allowance(address)}), approval=AUTOMATIC)
    record["allowed"] = "applied" if outputs is not None else "?"
    record["state_after"] = sorted(prepare(*variant, build, aws).run("state", "list").stdout.split())
    return record


def cdktf_removal(run: Run, applied, removed, aws) -> dict:
    """`npx cdktf deploy prod` with a guarded site's block removed: refused while the guard manifest still
    names the site; once it is retired there, the same command destroys exactly that site."""
    from stacks.config import guard_manifest
    from tests.pipelines import ROOT, cdktf_user_env

    folder = Path(removed.source).parent
    (folder / "prod.guard.json").write_text(guard_manifest.render("prod", applied.config))
    command = ["npx", "--no-install", "cdktf", "deploy", "prod", "--auto-approve", "--skip-provider-lock",
               "--output", str(run.base / "cdktf.out")]
    env = cdktf_user_env(aws, run.base / "build-cdktf", run.base / "pki", folder)
    record: dict = {"before": aws.resources(applied.config.region)}
    with run.step("cdktf deploy with the site unretired"):
        refused = run.command(command, cwd=ROOT, env=env, aws=aws)
    record["refused"] = {"status": refused.returncode, "output": refused.stdout}
    record["after_refused"] = aws.resources(applied.config.region)
    (folder / "prod.guard.json").write_text(guard_manifest.render("prod", removed.config))  # retired
    with run.step("cdktf deploy with the site retired"):
        retired = run.command(command, cwd=ROOT, env=env, aws=aws)
    record["retired"] = {"status": retired.returncode, "output": retired.stdout}
    record["after_retired"] = aws.resources(applied.config.region)
    return record


def preshared_keys(aws, region: str) -> list[str]:
    """Every pre-shared key the emulator holds: bring-your-own secrets, and the JSON secrets AWS writes
    for connections that store their keys in Secrets Manager."""
    secrets = aws.client("secretsmanager", region)
    keys = []
    for listed in secrets.list_secrets()["SecretList"]:
        value = secrets.get_secret_value(SecretId=listed["ARN"])["SecretString"]
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = value
        keys += [v for v in parsed.values() if isinstance(v, str)] if isinstance(parsed, dict) else [parsed]
    return keys
