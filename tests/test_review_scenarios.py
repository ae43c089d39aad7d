"""The plan review on real Terraform plans against emulator state: each scenario a
network engineer meets, its Markdown (golden files), its exit status, and no
secret in any output. The plans run in tests/lifecycle.py.

Golden files: `UPDATE_GOLDEN=1 pytest tests/test_review_scenarios.py` rewrites
them; review the diff before committing. Only what the emulator draws at random
(resource IDs, certificate fingerprints, throwaway CRLs' hashes) is normalized before comparing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from vpnctl.review.force_new import forces_replacement
from vpnctl.review.report import EXIT_OK, EXIT_REFUSED

pytestmark = pytest.mark.terraform

GOLDEN = Path(__file__).parent / "golden" / "review"
RANDOM = [
    (re.compile(r"\b(cgw|vpn|vgw|cvpn-endpoint|sg|sgr|cvpn-assoc)-[0-9a-f]{8,17}\b"), r"\1-RANDOM"),
    (re.compile(r"certificate sha256:[0-9a-f]{12}"), "certificate sha256:RANDOM"),
    (re.compile(r"`[0-9a-f]{59}…`"), "`SHA256…`"),  # a throwaway CRL's filesha256, shortened by the review
    (re.compile(r"(arn:aws:acm:[a-z0-9-]+:\d{12}:certificate/)[0-9a-f-]+…?"), r"\1RANDOM"),
    # Tunnel outside IPs: Terraform creates prod's connections in parallel, so which site gets which is a race.
    (re.compile(r"\b198\.1[89]\.\d{1,3}\.\d{1,3}\b"), "198.18.x.x"),
]
DEV_SCENARIOS = {
    # scenario: (exit status, {address without hash: action} that must be exactly the plan)
    "add": None,  # checked by test_adding_a_site_and_an_authorization_rule_only_creates
    "dpd": {"aws_vpn_connection.site-lab-office_connection": "update"},
    "cgw": {
        "aws_customer_gateway.site-lab-office_customer_gateway": "replace",
        "aws_vpn_connection.site-lab-office_connection": "update",
    },
    "inside": {
        "aws_vpn_connection.site-lab-office_connection": "replace",
        "aws_vpn_connection_route.site-lab-office_route-192-168-50-0-24": "replace",  # on the new connection
        "aws_cloudwatch_metric_alarm.site-lab-office_alarms_tunnel1_down": "update",  # the new tunnel IPs
        "aws_cloudwatch_metric_alarm.site-lab-office_alarms_tunnel2_down": "update",
    },
    "rule": None,  # checked by test_removing_an_authorization_rule_destroys_only_it_and_its_egress
    "cidr": None,  # checked by test_a_new_client_cidr_replaces_the_endpoint_and_everything_on_it
    # A renewed PKI: the certificate is re-imported in place, and the new CA's CRL imported again.
    "cert": {"aws_acm_certificate.certificates-developers_server": "update",
             "terraform_data.revocation-developers_crl_import": "replace"},
}


def normalized(text: str) -> str:
    for pattern, replacement in RANDOM:
        text = pattern.sub(replacement, text)
    return text


def dev_review(lifecycle, scenario: str) -> dict:
    record = lifecycle.result("cdktf")
    assert record["status"] == 0, record["output"]
    return record["reviews"][scenario]


def all_reviews(lifecycle) -> dict[str, dict]:
    reviews = {f"dev-{s}": dev_review(lifecycle, s) for s in DEV_SCENARIOS}
    prod = lifecycle.result("prod")
    reviews["prod-refused"], reviews["prod-allowed"] = prod["review_refused"], prod["review_allowed"]
    reviews["prod-removed"] = prod["review_removed"]
    reviews["staging-psk"] = lifecycle.result("staging")["review_psk"]
    return reviews


EXPECTED_EXIT = {f"dev-{s}": EXIT_OK for s in DEV_SCENARIOS} | {
    "prod-refused": EXIT_REFUSED, "prod-allowed": EXIT_OK, "prod-removed": EXIT_REFUSED, "staging-psk": EXIT_OK,
}


@pytest.mark.parametrize("name", sorted(EXPECTED_EXIT))
def test_each_scenario_renders_its_golden_markdown_and_exit_status(lifecycle, name):
    review = all_reviews(lifecycle)[name]
    golden = GOLDEN / f"{name}.md"
    text = normalized(review["markdown"])
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()
    assert review["exit"] == EXPECTED_EXIT[name]


@pytest.mark.parametrize("scenario", [s for s, expected in DEV_SCENARIOS.items() if expected])
def test_scenario_plans_exactly_these_actions(lifecycle, scenario):
    assert dev_review(lifecycle, scenario)["actions"] == DEV_SCENARIOS[scenario]


def test_adding_a_site_and_an_authorization_rule_only_creates(lifecycle):
    actions = dev_review(lifecycle, "add")["actions"]
    assert actions and set(actions.values()) == {"create"}, actions
    assert "aws_vpn_connection.site-test-branch_connection" in actions
    assert any(a.startswith("aws_ec2_client_vpn_authorization_rule.") and "vpc-dns" in a for a in actions)


def test_removing_an_authorization_rule_destroys_only_it_and_its_egress(lifecycle):
    actions = dev_review(lifecycle, "rule")["actions"]
    assert set(actions.values()) == {"delete"}, actions
    assert [a for a in actions if a.startswith("aws_ec2_client_vpn_authorization_rule.")] == [
        "aws_ec2_client_vpn_authorization_rule.client_vpn-developers_authorization_lab-office-192-168-50-0-24"
    ]


def test_a_new_client_cidr_replaces_the_endpoint_and_everything_on_it(lifecycle):
    review = dev_review(lifecycle, "cidr")
    actions = review["actions"]
    assert actions["aws_ec2_client_vpn_endpoint.client_vpn-developers_endpoint"] == "replace"
    assert review["forced_by"]["aws_ec2_client_vpn_endpoint.client_vpn-developers_endpoint"] == ["client_cidr_block"]
    assert not any(a.startswith(("aws_vpn_connection.", "aws_customer_gateway.")) for a in actions)
    assert "every user needs a new client profile" in review["markdown"]


def test_a_new_inside_cidr_is_forced_by_that_tunnel_and_says_the_device_must_be_reconfigured(lifecycle):
    review = dev_review(lifecycle, "inside")
    assert review["forced_by"]["aws_vpn_connection.site-lab-office_connection"] == ["tunnel1_inside_cidr"]
    assert "the on-premises device must be reconfigured" in review["markdown"]


def test_a_customer_gateway_swap_says_same_outside_ips(lifecycle):
    review = dev_review(lifecycle, "cgw")
    assert review["forced_by"]["aws_customer_gateway.site-lab-office_customer_gateway"] == ["ip_address"]
    assert "same tunnel outside IPs" in review["terminal"]


def test_every_replacement_seen_is_forced_by_an_attribute_of_the_force_new_table(lifecycle):
    seen = 0
    for review in all_reviews(lifecycle).values():
        for address, paths in review["forced_by"].items():
            if review["actions"][address] != "replace":
                continue
            resource_type = address.split(".", 1)[0]
            assert paths, f"{address}: replaced, but no attribute marked as forcing it"
            for path in paths:
                assert forces_replacement(resource_type, path), f"{address}: {path} is missing from FORCE_NEW"
                seen += 1
    assert seen >= 4


def test_prod_refuses_a_new_inside_cidr_and_shows_what_forces_it(lifecycle):
    review = lifecycle.result("prod")["review_refused"]
    assert review["exit"] == EXIT_REFUSED
    assert review["refused"] == ["aws_vpn_connection.site-berlin-hq_connection_6043E8D9"]
    assert review["forced_by"]["aws_vpn_connection.site-berlin-hq_connection"] == ["tunnel1_inside_cidr"]
    assert "Refused by the prod guard" in review["markdown"]
    assert "--allow-replace aws_vpn_connection.site-berlin-hq_connection_6043E8D9" in review["markdown"]


def test_prod_with_the_replacement_allowed_plans_it_and_exits_zero(lifecycle):
    review = lifecycle.result("prod")["review_allowed"]
    assert review["exit"] == EXIT_OK and review["refused"] == []
    actions = review["actions"]
    assert actions["aws_vpn_connection.site-berlin-hq_connection"] == "replace"
    assert all(".site-berlin-hq_" in address for address in actions), actions
    assert [a for a, action in actions.items() if action in ("replace", "delete") and a.startswith(
        ("aws_vpn_connection.", "aws_customer_gateway.", "aws_ec2_client_vpn_endpoint.", "aws_vpn_gateway."))
    ] == ["aws_vpn_connection.site-berlin-hq_connection"]


def test_a_rotated_preshared_key_is_reviewed_without_either_key(lifecycle):
    record = lifecycle.result("staging")
    review = record["review_psk"]
    assert review["actions"] == {"aws_vpn_connection.site-munich-lab_connection": "update"}
    assert "`tunnel1_preshared_key`: `(sensitive)` → `(sensitive)`" in review["markdown"]
    for key in record["preshared_keys"]:
        assert key not in review["markdown"] and key not in review["terminal"]


def test_a_reimported_certificate_is_reviewed_without_either_private_key(lifecycle):
    review = dev_review(lifecycle, "cert")
    assert "`private_key`: `(sensitive)` → `(sensitive)`" in review["markdown"]
    for pki in lifecycle.result("cdktf")["reviews"]["pki_dirs"]:
        key = (Path(pki) / "dev" / "server.key").read_text()
        key_lines = [line for line in key.splitlines() if "-----" not in line]
        assert key_lines
        for line in key_lines:
            assert line not in review["markdown"] and line not in review["terminal"]


def test_a_site_removed_from_prod_is_refused_by_the_review_though_terraform_would_destroy_it(lifecycle):
    review = lifecycle.result("prod")["review_removed"]
    assert review["exit"] == EXIT_REFUSED
    assert [re.sub(r"_[0-9A-F]{8}$", "", a) for a in review["refused_destroys"]] == [
        "aws_customer_gateway.site-frankfurt-dc_customer_gateway", "aws_vpn_connection.site-frankfurt-dc_connection",
    ]
    assert review["refused"] == []  # Terraform itself saw nothing to refuse
    assert "does not cover a removed block" in review["markdown"]
    assert "--allow-destroy aws_vpn_connection.site-frankfurt-dc_connection_" in review["markdown"]


def test_a_site_removed_from_prod_is_refused_by_deploy_and_nothing_changes(lifecycle):
    record = lifecycle.result("prod")
    assert record["removed_deploy"].startswith("the plan destroys aws_customer_gateway.site-frankfurt-dc_")
    before, after = record["resources_after_refused_deploy"]
    assert after == before


def test_every_replacement_comes_with_terraform_s_replace_paths(lifecycle):
    for name, review in all_reviews(lifecycle).items():
        for address, action in review["actions"].items():
            if action == "replace":
                assert review["replace_paths"][address], f"{name}: {address}"


def test_a_reimported_certificate_shows_two_different_certificates(lifecycle):
    markdown = dev_review(lifecycle, "cert")["markdown"]
    (line,) = [line for line in markdown.splitlines() if "`certificate_body`" in line]
    before, after = re.findall(r"certificate sha256:([0-9a-f]{12})", line)
    assert before != after
