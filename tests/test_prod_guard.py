"""prod's guard on live plans and applies (tests/guard_pipeline.py, prod without its Client VPN
endpoint): a replacement refused by the review, the same one reviewed and applied once allowed, and a
removed site refused by both review and deploy. The recorded reviews of the full prod, with their
golden Markdown, are in test_review_scenarios.py."""

from __future__ import annotations

import re

import pytest

from tests.scenarios import PROD_BERLIN_ALLOWANCE, PROD_BERLIN_CONNECTION
from vpnctl.review.report import EXIT_OK, EXIT_REFUSED

pytestmark = pytest.mark.terraform
REPLACED, REMOVED = pytest.mark.pipeline("prod-guard"), pytest.mark.pipeline("prod-guard-removals")


@REPLACED
def test_the_review_refuses_a_new_inside_cidr_in_prod_and_shows_what_forces_it(lifecycle):
    review = lifecycle.result("prod-guard")["review_refused"]
    assert review["exit"] == EXIT_REFUSED
    assert review["refused"] == [PROD_BERLIN_CONNECTION]
    assert review["forced_by"]["aws_vpn_connection.site-berlin-hq_connection"] == ["tunnel1_inside_cidr"]
    assert f"--allow-replace {PROD_BERLIN_ALLOWANCE}" in review["markdown"], "bound to the change reviewed"


@REPLACED
def test_the_review_with_the_replacement_allowed_plans_only_that_site(lifecycle):
    review = lifecycle.result("prod-guard")["review_allowed"]
    assert review["exit"] == EXIT_OK and review["refused"] == []
    assert review["actions"]["aws_vpn_connection.site-berlin-hq_connection"] == "replace"
    assert all(".site-berlin-hq_" in address for address in review["actions"]), review["actions"]


@REMOVED
def test_the_review_refuses_a_site_removed_from_prod(lifecycle):
    review = lifecycle.result("prod-guard-removals")["review_removed"]
    assert review["exit"] == EXIT_REFUSED and review["refused"] == []
    assert [re.sub(r"_[0-9A-F]{8}$", "", a) for a in review["refused_destroys"]] == [
        "aws_customer_gateway.site-frankfurt-dc_customer_gateway",
        "aws_ec2_transit_gateway_route_table_association.site-frankfurt-dc_tgw_association",
        "aws_ec2_transit_gateway_route_table_propagation.site-frankfurt-dc_tgw_propagation",
        "aws_vpn_connection.site-frankfurt-dc_connection",
    ]


@pytest.mark.parametrize("pipeline, reviews", [
    pytest.param("prod-guard", ("review_refused", "review_allowed"), marks=REPLACED),
    pytest.param("prod-guard-removals", ("review_removed",), marks=REMOVED),
])
def test_no_live_review_shows_a_key_the_emulator_holds(lifecycle, pipeline, reviews):
    record = lifecycle.result(pipeline)
    keys = record["keys"]
    assert len(keys) >= 4, "paris-branch's two secrets, and the keys AWS stored for the other connections"
    for name in reviews:
        shown = record[name]["markdown"] + record[name]["terminal"]
        for key in keys:
            assert key not in shown, f"{name} shows a pre-shared key"


@REMOVED
def test_a_site_removed_from_prod_is_refused_by_deploy_and_nothing_changes(lifecycle):
    record = lifecycle.result("prod-guard-removals")
    assert record["removed_deploy"].startswith("the plan removes aws_customer_gateway.site-frankfurt-dc_")
    before, after = record["resources_after_refused_deploy"]
    assert after == before


@REMOVED
def test_cdktf_deploy_refuses_an_unretired_site_removal_and_destroys_exactly_that_site_once_retired(lifecycle):
    record = lifecycle.result("prod-guard-removals")["cdktf"]
    refused, retired = record["refused"], record["retired"]
    assert refused["status"] != 0, refused["output"]
    assert 'site "frankfurt-dc": guarded by' in refused["output"] and "To retire it, delete its name from" \
        in refused["output"]
    assert record["after_refused"] == record["before"], "nothing was destroyed"
    assert retired["status"] == 0, retired["output"]
    before, after = record["before"], record["after_retired"]
    assert len(after["vpn_connections"]) == len(before["vpn_connections"]) - 1
    assert len(after["customer_gateways"]) == len(before["customer_gateways"]) - 1
    assert after["vpn_gateways"] == before["vpn_gateways"]
    assert re.search(r"Destroy complete|\d+ destroyed", retired["output"]), retired["output"][-3000:]


@REMOVED
def test_a_removed_static_route_is_refused_until_allowed_by_the_review_s_allowance_and_then_applied(lifecycle):
    record = lifecycle.result("prod-guard-removals")["route"]
    review = record["review"]
    assert review["exit"] == EXIT_REFUSED
    [address] = review["refused_destroys"]
    assert address.startswith("aws_vpn_connection_route.site-paris-branch_route-192-168-21-0-24_")
    allowance = record["allowances"][address]
    assert f"--allow-destroy {allowance}" in review["markdown"]
    assert record["refused"].startswith(f"the plan removes {address}")
    assert "given for another object" in record["stale"]
    assert record["allowed"] == "applied"
    assert address not in record["state_after"]
    assert any(a.startswith("aws_vpn_connection_route.site-paris-branch_route-192-168-20-0-24_")
               for a in record["state_after"])
