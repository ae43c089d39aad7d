"""prod's identity changed on live applies (tests/identity_pipeline.py): each change refused by review and
deploy before Terraform, then reviewed and deployed with its allowance, doing what the review said."""

from __future__ import annotations

import pytest

from tests.identity_pipeline import STEPS, pipeline_of
from vpnctl.review.report import EXIT_OK, EXIT_REFUSED

pytestmark = pytest.mark.terraform
FIRST, RENAMED = pytest.mark.pipeline("prod-identity"), pytest.mark.pipeline("prod-identity-renamed")

CENTRAL, WEST = "eu-central-1", "eu-west-1"
OLD_VPC, NEW_VPC = "vpc-0c1d2e3f4a5b60789", "vpc-0c1d2e3f4a5b60aaa"
# What a new environment name replaces: names AWS fixes at creation (and the topic's subscription), none of
# them on the traffic's path.
NAMED_AFTER_THE_ENVIRONMENT = {"aws_cloudwatch_log_group", "aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm",
                               "aws_sns_topic", "aws_sns_topic_subscription", "aws_kms_alias"}


def counts(world: dict, region: str) -> dict[str, int]:
    return {kind: len(ids) for kind, ids in world[region].items() if kind != "attachments"}


def actions(step: dict) -> dict[str, int]:
    seen: dict[str, int] = {}
    for action in step["allowed_review"]["actions"].values():
        seen[action] = seen.get(action, 0) + 1
    return seen


@pytest.mark.parametrize("key", [pytest.param(key, marks=pytest.mark.pipeline(pipeline_of(key))) for key, _ in STEPS])
def test_each_change_of_identity_is_refused_by_review_and_deploy_until_allowed(lifecycle, key):
    step = lifecycle.result(pipeline_of(key))[key]
    refused = step["refused_review"]
    assert refused["exit"] == EXIT_REFUSED and refused["actions"] == {}, "refused before any plan"
    assert f"--allow-change {step['allowance']}" in refused["markdown"]
    assert f"--allow-change {step['allowance']}" in step["refused_deploy"]
    assert step["after_refused"] == step["before"], "the refused deploy changed nothing"
    assert step["allowed_review"]["exit"] == EXIT_OK, step["allowed_review"]["terminal"]
    assert isinstance(step["outputs"], dict)
    assert step["refusals_after"] == [], "the manifest written after the deploy records the change"


@FIRST
def test_a_new_vpc_moves_the_gateway_in_place(lifecycle):
    record = lifecycle.result("prod-identity")
    step = record["vpc.id"]
    assert actions(step) == {"update": 1}, step["allowed_review"]["actions"]
    [before], [after] = step["before"][CENTRAL]["attachments"], step["after"][CENTRAL]["attachments"]
    assert before.split(":") [1] == OLD_VPC and after == f"{before.split(':')[0]}:{NEW_VPC}", "the same gateway"
    assert counts(step["after"], CENTRAL) == counts(record["before"], CENTRAL)


@FIRST
def test_a_new_state_bucket_moves_the_state_and_leaves_aws_as_it_is(lifecycle):
    step = lifecycle.result("prod-identity")["state.bucket"]
    review = step["allowed_review"]
    assert review["state_move"].startswith("the state moves from s3://acme-tfstate-prod/vpn/prod/terraform.tfstate "
                                           "to s3://acme-tfstate-prod-2/vpn/prod/terraform.tfstate")
    assert "**The state moves.**" in review["markdown"]
    assert review["actions"] == {}, "planned against the state where it was: nothing to change"
    assert step["after"] == step["before"]


@RENAMED
def test_a_renamed_file_moves_the_state_renames_tags_and_replaces_the_old_manifest(lifecycle):
    step = lifecycle.result("prod-identity-renamed")["file"]
    assert "to s3://acme-tfstate-prod-2/vpn/core/terraform.tfstate" in step["allowed_review"]["state_move"]
    planned = step["allowed_review"]["actions"]
    assert "create" not in planned.values() and "delete" not in planned.values(), "no second prod is planned"
    replaced = sorted({address.split(".")[0] for address, action in planned.items() if action == "replace"})
    assert set(replaced) <= NAMED_AFTER_THE_ENVIRONMENT, replaced
    assert step["after"] == step["before"], "no second stack: AWS would refuse its gateway (InvalidVpcState)"
    assert step["manifests"] == ["core.guard.json"]
    assert step["manifest_lines"][1].endswith("prod.guard.json removed: "
                                              f"{step['manifest_lines'][0].split(' ')[0]} replaces it")


@RENAMED
def test_a_new_region_builds_the_environment_there_and_leaves_the_old_one_unmanaged_as_the_refusal_said(lifecycle):
    step = lifecycle.result("prod-identity-renamed")["region"]
    assert "would be left unmanaged" in step["refused_deploy"]
    assert set(actions(step)) == {"create"} and step["allowed_review"]["state_move"] is None
    assert step["after"][CENTRAL] == step["before"][CENTRAL], "the old one is left as it was"
    assert counts(step["after"], WEST) == counts(step["before"], CENTRAL)
    assert [a.split(":")[1] for a in step["after"][WEST]["attachments"]] == [NEW_VPC]


@RENAMED
def test_a_lowered_tier_changes_nothing_in_aws_and_retires_the_manifest(lifecycle):
    step = lifecycle.result("prod-identity-renamed")["tier"]
    assert "lowers the tier from production to staging" in step["refused_deploy"]
    assert step["allowed_review"]["actions"] == {}
    assert step["after"] == step["before"]
    assert step["manifests"] == [] and step["manifest_lines"][0].endswith(
        "core.guard.json removed: the staging tier has no guard")
