"""Real Terraform plans of the review scenarios, recorded in tests/plans/ so the review tests need no
Terraform: `make plans` (this module's main) applies each shipped environment to the local emulator,
plans every scenario of tests/scenarios.py against it, and writes what `vpnctl review` reads.

A recording keeps the managed resources' changes only. Every value Terraform marks sensitive is
replaced by a stand-in that differs when the value differs, so a review still sees a changed key
but no key is ever committed; a stand-in in a review's output is a leak the tests catch. Each
recording names the digests of the stacks it was planned from; when the code synthesizes something
else, the freshness test says to run `make plans` again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from tests.scenarios import SCENARIOS, Scenario

RECORDINGS = Path(__file__).resolve().parent / "plans"
STAND_IN = "recorded-sensitive-"


def digest(document: dict) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def masked(plan: dict) -> dict:
    changes = []
    for raw in plan.get("resource_changes", []):
        if raw.get("mode") != "managed":
            continue
        change = dict(raw["change"])
        for side in ("before", "after"):
            change[side] = _mask(change.get(side), change.get(f"{side}_sensitive"))
        changes.append({**raw, "change": change})
    return {"format_version": plan.get("format_version"), "terraform_version": plan.get("terraform_version"),
            "resource_changes": changes}


def _mask(value, sensitive):
    if sensitive is True:
        if value is None:
            return None
        return STAND_IN + hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:12]
    if isinstance(value, dict) and isinstance(sensitive, dict):
        return {key: _mask(item, sensitive.get(key)) for key, item in value.items()}
    if isinstance(value, list) and isinstance(sensitive, list):
        return [_mask(item, sensitive[i] if i < len(sensitive) else None) for i, item in enumerate(value)]
    return value


def stack(outdir: Path, environment: str) -> dict:
    return json.loads((outdir / "stacks" / environment / "cdk.tf.json").read_text())


def save(name: str, outcome, digests: dict[str, str | None]) -> Path:
    assert outcome.error is None, f"{name}: {outcome.error}\n{outcome.error_output}"
    RECORDINGS.mkdir(exist_ok=True)
    path = RECORDINGS / f"{name}.json"
    record = {"scenario": name, "environment": SCENARIOS[name].environment, "synthesized": digests,
              "refused": outcome.refused, "plan": masked(outcome.plan)}
    path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return path


def load(name: str) -> dict:
    """A recording: `plan`, `refused`, and the `synthesized` digests it was planned from."""
    return json.loads((RECORDINGS / f"{name}.json").read_text())


def outcome_of(recording: dict, stacks: dict[str, dict]):
    """The review's outcome of a recording; its allowances bound to the replanned stack, as a review binds them."""
    from vpnctl.review.plan_review import PlanOutcome, allowances

    refused = list(recording["refused"])
    return PlanOutcome(plan=recording["plan"], refused=refused,
                       allowances=allowances(refused, stacks["replanned"]) if "replanned" in stacks else {})


def synthesize(scenario: Scenario, folder: Path, refused: list[str]) -> tuple[object, dict[str, dict]]:
    """The scenario's environment, and the stacks a review of it plans: `planned`, and `replanned` (the
    guard lifted for the refused addresses) when the guard refused."""
    from vpnctl.synthesized import synth_stacks

    env = scenario.load(folder / "environment")
    synth_stacks([env], folder / "planned", scenario.allow_replace)
    stacks = {"planned": stack(folder / "planned", env.name)}
    if refused:
        # As the review's own second synth: the guard lifted for the bare addresses Terraform refused.
        synth_stacks([env], folder / "replanned", scenario.allow_replace | set(refused), bound=False)
        stacks["replanned"] = stack(folder / "replanned", env.name)
    return env, stacks


def load_applied(name: str) -> dict:
    """What deploying scenario `name` with its review's allowances did (see deploy_scenario)."""
    return json.loads((RECORDINGS / f"{name}.applied.json").read_text())


# ---- the recorder: `make plans` ---------------------------------------------------------------

# Scenarios the recorder also deploys, as an operator would after the review: moving an association costs
# the provider's fixed 4-minute sleeps twice, too long for `make test`.
DEPLOYED = ("prod-moved-association",)


def record_environment(run, env, names: list[str], prepared: dict) -> list[Path]:
    """Applies the shipped `env`, then plans and records each scenario against that state."""
    from tests.pipelines import apply
    from vpnctl.review.plan_review import plan_for_review

    written = []
    with run.emulator(env.config.account_id, env.name) as aws:
        apply(run, env, prepared["shipped"], aws, {})
        for name in names:
            scenario, (variant_env, outdir) = SCENARIOS[name], prepared[name]
            build = run.base / ("build-renewed" if scenario.renewed_pki else "build")
            if scenario.rotated_secret:
                from vpnctl.preshared_keys import generate_preshared_key

                aws.client("secretsmanager", env.config.region).put_secret_value(
                    SecretId=scenario.rotated_secret, SecretString=generate_preshared_key())
            with run.step(f"plan {name}"):
                outcome = plan_for_review(variant_env, outdir, build, aws=aws, allow_replace=scenario.allow_replace)
            digests = {"applied": digest(stack(prepared["shipped"], env.name)),
                       "planned": digest(stack(outdir, env.name)),
                       "replanned": digest(stack(outcome.replanned_from, env.name)) if outcome.replanned_from else None}
            written.append(save(name, outcome, digests))
        for name in [name for name in names if name in DEPLOYED]:
            written.append(deploy_scenario(run, aws, run.base / "build", name, *prepared[name]))
    return written


def deploy_scenario(run, aws, build: Path, name: str, env, outdir: Path) -> Path:
    """Deploys scenario `name` after its review: without allowances (refused), then with exactly those the
    review printed; records the refusal, the endpoints' associated subnets before and after, and a plan after."""
    from vpnctl.plan_and_apply import AUTOMATIC, DeployRefused, deploy_environment
    from vpnctl.review.plan_review import review_environment
    from vpnctl.runner import prepare
    from vpnctl.terraform import count_changes

    review = review_environment(env, outdir, build, aws=aws, policy=False)
    allowances = sorted(review.allowance(address) for address in review.refused_destroys)
    record: dict = {"scenario": name, "synthesized": {"planned": digest(stack(outdir, env.name))},
                    "allowances": allowances, "associations_before": associated_subnets(aws, env.config.region)}
    try:
        deploy_environment(env, outdir, build, aws, approval=AUTOMATIC)
        record["refused_without"] = "applied"
    except DeployRefused as exc:
        record["refused_without"] = str(exc)
    with run.step(f"deploy {name} with the review's allowances"):
        deploy_environment(env, outdir, build, aws, frozenset(allowances), approval=AUTOMATIC)
    record["associations_after"] = associated_subnets(aws, env.config.region)
    with run.step(f"plan {name} again"):
        record["plan_after"] = count_changes(prepare(env, outdir, build, aws).plan_if_changing(build / f"{name}-again.tfplan"))
    path = RECORDINGS / f"{name}.applied.json"
    path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return path


def associated_subnets(aws, region: str) -> dict[str, list[str]]:
    ec2 = aws.client("ec2", region)
    return {endpoint["ClientVpnEndpointId"]: sorted(
        network["TargetNetworkId"] for network in ec2.describe_client_vpn_target_networks(
            ClientVpnEndpointId=endpoint["ClientVpnEndpointId"])["ClientVpnTargetNetworks"]
        if network["Status"]["Code"] == "associated")
        for endpoint in ec2.describe_client_vpn_endpoints()["ClientVpnEndpoints"]}


def main(argv: list[str] | None = None) -> int:
    from stacks.config import load_environment
    from tests.lifecycle import Runner
    from tests.scenarios import ENVIRONMENTS
    from vpnctl.synthesized import synth_stacks

    parser = argparse.ArgumentParser(prog="python -m tests.recorded_plans", description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="*", help=f"default: all of {', '.join(SCENARIOS)}")
    parser.add_argument("--build", type=Path, default=Path("build/recorded-plans"))
    args = parser.parse_args(argv)
    unknown = set(args.scenario) - set(SCENARIOS)
    if unknown:
        parser.error(f"no such scenario: {', '.join(sorted(unknown))}")
    names = args.scenario or list(SCENARIOS)
    runner = Runner(args.build.resolve(), progress=lambda line: print(line, flush=True))
    try:
        for environment in sorted({SCENARIOS[name].environment for name in names}):
            env = load_environment(ENVIRONMENTS / f"{environment}.hcl")
            prepared: dict = {"shipped": runner.base / f"{environment}-shipped"}
            synth_stacks([env], prepared["shipped"])
            mine = [name for name in names if SCENARIOS[name].environment == environment]
            for name in mine:
                variant_env = SCENARIOS[name].load(runner.base / name / "environment")
                synth_stacks([variant_env], runner.base / name / "planned", SCENARIOS[name].allow_replace)
                prepared[name] = (variant_env, runner.base / name / "planned")
            runner.submit(environment, record_environment, env, mine, prepared)
        for environment in list(runner.futures):
            for path in runner.result(environment):
                print(f"recorded {path.relative_to(RECORDINGS.parent.parent)}")
    finally:
        runner.close()
        print("\n".join(runner.timeline()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
