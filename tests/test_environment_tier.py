"""The environment's tier: production's safeguards (prevent_destroy, the strict policy, two availability
zones per Client VPN endpoint) follow `tier = "production"`, never the file's name, and a file named
whose name says prod can't lose them by a rename."""

from __future__ import annotations

import pytest

from tests.conftest import ENVIRONMENTS, load, resources, run_vpnctl, synth_json
from vpnctl.policy.scan import skips_for

PROD = (ENVIRONMENTS / "prod.hcl").read_text()
PRODUCTION_TIER = 'tier            = "production"\n'
PROD_SUBNETS = 'subnet_ids                     = ["subnet-0c10000000000000a", "subnet-0c10000000000000b"]'
NAMED_PROD_RULE = (
    'tier: an environment whose name says prod must set tier = "production" (prevent_destroy, the strict policy, '
    "two availability zones per endpoint); got"
)
GUARDED_TYPES = ("aws_vpn_connection", "aws_customer_gateway", "aws_ec2_client_vpn_endpoint")


def write(tmp_path, name: str, text: str) -> str:
    """`text` as environments/NAME.hcl in a fresh folder; the path as vpnctl names it."""
    (tmp_path / "environments").mkdir(exist_ok=True)
    (tmp_path / "environments" / f"{name}.hcl").write_text(text)
    return f"environments/{name}.hcl"


def validate(tmp_path):
    return run_vpnctl("--environments", "environments", "validate", cwd=tmp_path)


def assert_refused(result, expected: list[str]) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.splitlines() == expected
    assert "Traceback" not in result.stderr + result.stdout


def guarded(doc: dict) -> dict[str, int]:
    """How many resources of each type carry prevent_destroy."""
    counts: dict[str, int] = {}
    for resource_type, items in doc["resource"].items():
        for body in items.values():
            if body.get("lifecycle", {}).get("prevent_destroy"):
                counts[resource_type] = counts.get(resource_type, 0) + 1
    return counts


def test_the_shipped_environments_say_their_tier():
    tiers = {name: load(name).config.tier for name in ("dev", "staging", "prod")}
    assert tiers == {"dev": "development", "staging": "staging", "prod": "production"}


def test_a_prod_named_copy_without_the_tier_is_refused_by_validate(tmp_path):
    assert PRODUCTION_TIER in PROD
    source = write(tmp_path, "prod-eu", PROD.replace(PRODUCTION_TIER, ""))
    assert_refused(validate(tmp_path), [f'{source}: {NAMED_PROD_RULE} "development" by default'])


@pytest.mark.parametrize("name, tier", [("production", "staging"), ("prod", "development"), ("eu-prod", "staging")])
def test_a_file_whose_name_says_prod_with_another_tier_is_refused(tmp_path, name, tier):
    source = write(tmp_path, name, PROD.replace(PRODUCTION_TIER, f'tier = "{tier}"\n'))
    assert_refused(validate(tmp_path), [f'{source}: {NAMED_PROD_RULE} "{tier}"'])


def test_a_name_that_merely_starts_with_prod_is_not_taken_for_production(tmp_path):
    write(tmp_path, "product-demo", PROD.replace(PRODUCTION_TIER, 'tier = "development"\n').replace(
        PROD_SUBNETS, 'subnet_ids                     = ["subnet-0c10000000000000a"]'))
    result = validate(tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_prod_named_copy_with_the_production_tier_is_guarded_and_gets_the_strict_policy(tmp_path):
    source = write(tmp_path, "prod-eu", PROD)
    result = validate(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{source}: ok (3 sites, 1 Client VPN endpoint)\n"
    environment = load("prod-eu", tmp_path / "environments")
    assert environment.config.prevent_destroy
    assert skips_for(environment.config.tier) == {}
    counts = guarded(synth_json(environment))
    assert {t: counts.get(t) for t in GUARDED_TYPES} == {
        "aws_vpn_connection": 3, "aws_customer_gateway": 3, "aws_ec2_client_vpn_endpoint": 1,
    }


def test_the_tier_not_the_name_makes_an_environment_production(tmp_path):
    write(tmp_path, "emea", PROD)
    production = load("emea", tmp_path / "environments").config
    assert production.prevent_destroy and skips_for(production.tier) == {}
    write(tmp_path, "emea-lab", PROD.replace(PRODUCTION_TIER, 'tier = "staging"\n'))
    staging = load("emea-lab", tmp_path / "environments").config
    assert not staging.prevent_destroy and "CKV_VPNAC_8" in skips_for(staging.tier)


@pytest.mark.parametrize(("command", "value"), [("validate", "true"), ("review", "false"), ("deploy", "false")])
def test_prevent_destroy_in_a_file_is_refused_before_terraform_and_says_the_tier_decides(tmp_path, value, command):
    """The guard is no longer one boolean in the file it guards: switching it off means lowering the tier,
    which a deployed production refuses unless allowed (test_guard_manifest.py)."""
    source = write(tmp_path, "emea", PROD.replace(PRODUCTION_TIER, f"{PRODUCTION_TIER}prevent_destroy = {value}\n"))
    extra = {"validate": [], "review": ["emea", "--local"], "deploy": ["emea", "--auto-approve"]}[command]
    result = run_vpnctl("--environments", "environments", command, *extra, cwd=tmp_path)
    assert_refused(result, [
        (f'{source}: prevent_destroy: not a setting any more: tier = "production" guards replacements and deletions, '
        "any other tier guards nothing, and lowering a deployed production tier is refused unless allowed "
        "(--allow-change tier=...)"),
    ])


def test_a_misspelt_tier_is_the_schema_s_one_line_even_in_a_prod_named_file(tmp_path):
    source = write(tmp_path, "prod", PROD.replace(PRODUCTION_TIER, 'tier = "prod"\n'))
    assert_refused(validate(tmp_path), [
        f'{source}: tier: must be "development", "staging" or "production", got "prod"',
    ])


def test_a_production_tier_endpoint_with_one_association_is_refused_naming_the_rule(tmp_path):
    assert PROD_SUBNETS in PROD
    source = write(tmp_path, "prod", PROD.replace(PROD_SUBNETS, 'subnet_ids = ["subnet-0c10000000000000a"]'))
    assert_refused(validate(tmp_path), [
        (f'{source}: client_vpn "staff" subnet_ids: a production-tier endpoint (tier = "production") associates '
         "subnets in at least two availability zones, for redundancy; got eu-central-1a"),
    ])


def test_a_development_tier_endpoint_with_one_association_synthesizes_unguarded(shipped, synthesized):
    """dev ships one association: each costs about $73 a month and the provider's 4-minute wait."""
    assert shipped["dev"].config.tier == "development"
    (association,) = resources(synthesized["dev"], "aws_ec2_client_vpn_network_association").values()
    assert association["subnet_id"] == "subnet-0d10000000000000a"
    assert guarded(synthesized["dev"]) == {}


def test_staging_and_prod_keep_two_associations(synthesized):
    for env in ("staging", "prod"):
        assert len(resources(synthesized[env], "aws_ec2_client_vpn_network_association")) == 2, env
