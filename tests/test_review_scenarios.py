"""The plan review on real Terraform plans of each scenario a network engineer meets: its Markdown
(golden files), its exit status, and no secret in any output.

The plans are recorded (tests/plans/, written by `make plans` from real plans against the
emulator's state; see tests/recorded_plans.py), so these tests run no Terraform. Each recording
says which stacks it was planned from, and the freshness test fails when the code now
synthesizes something else. The same review story runs live, with real plans, in
tests/test_prod_guard.py.

Golden files: `UPDATE_GOLDEN=1 pytest tests/test_review_scenarios.py` rewrites them; review the
diff before committing. Only what the emulator draws at random (resource IDs, certificate
fingerprints, throwaway CRLs' hashes, tunnel IPs) is normalized before comparing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests import recorded_plans
from tests.scenarios import PROD_BERLIN_ALLOWANCE, PROD_BERLIN_CONNECTION, SCENARIOS
from vpnctl.review.force_new import forces_replacement
from vpnctl.review.report import EXIT_OK, EXIT_REFUSED

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
    # scenario: {address without hash: action} that must be exactly the plan
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
    # lab-office onto a transit gateway: the connection replaced at vpnctl's request (-replace), the gateway gone.
    "tgw": {
        "aws_vpn_connection.site-lab-office_connection": "replace",
        "aws_vpn_connection_route.site-lab-office_route-192-168-50-0-24": "delete",
        "aws_ec2_transit_gateway_route_table_association.site-lab-office_tgw_association": "create",
        "aws_ec2_transit_gateway_route.site-lab-office_tgw_route-192-168-50-0-24": "create",
        "aws_vpn_gateway.vpn_gateway": "delete",
        "aws_vpn_gateway_route_propagation.vpn_gateway_propagation-rtb-0d10000000000000a": "delete",
        "aws_cloudwatch_metric_alarm.site-lab-office_alarms_tunnel1_down": "update",  # the new tunnel IPs
        "aws_cloudwatch_metric_alarm.site-lab-office_alarms_tunnel2_down": "update",
    },
    # A renewed PKI: the certificate is re-imported in place, and the new CA's CRL imported again.
    "cert": {"aws_acm_certificate.certificates-developers_server": "update",
             "terraform_data.revocation-developers_crl_import": "replace"},
    # A route added to the split-tunnel endpoint: the route alone.
    "route": {"aws_ec2_client_vpn_route.client_vpn-developers_route-lab-printers-subnet-0d10000000000000a": "create"},
    "tags": None,  # checked by test_a_tag_only_change_has_no_traffic_impact (tests/test_impact.py)
    "both": {"aws_vpn_connection.site-lab-office_connection": "update"},
}
EXPECTED_EXIT = {f"dev-{s}": EXIT_OK for s in DEV_SCENARIOS} | {
    "prod-refused": EXIT_REFUSED, "prod-allowed": EXIT_OK, "prod-removed": EXIT_REFUSED, "staging-psk": EXIT_OK,
    "prod-moved-association": EXIT_REFUSED, "prod-cgw": EXIT_REFUSED, "prod-cgw-allowed": EXIT_OK,
    "prod-selectors": EXIT_REFUSED, "staging-association": EXIT_OK,
}


def normalized(text: str) -> str:
    for pattern, replacement in RANDOM:
        text = pattern.sub(replacement, text)
    return text


@pytest.mark.parametrize("name", sorted(EXPECTED_EXIT))
def test_each_scenario_renders_its_golden_markdown_and_exit_status(scenarios, name):
    review = scenarios[name]
    golden = GOLDEN / f"{name}.md"
    text = normalized(review["markdown"])
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()
    assert review["exit"] == EXPECTED_EXIT[name]


@pytest.mark.parametrize("scenario", [s for s, expected in DEV_SCENARIOS.items() if expected])
def test_scenario_plans_exactly_these_actions(scenarios, scenario):
    assert scenarios[f"dev-{scenario}"]["actions"] == DEV_SCENARIOS[scenario]


def test_adding_a_site_and_an_authorization_rule_only_creates(scenarios):
    actions = scenarios["dev-add"]["actions"]
    assert actions and set(actions.values()) == {"create"}, actions
    assert "aws_vpn_connection.site-test-branch_connection" in actions
    assert any(a.startswith("aws_ec2_client_vpn_authorization_rule.") and "vpc-dns" in a for a in actions)


def test_removing_an_authorization_rule_destroys_only_it_and_its_egress(scenarios):
    actions = scenarios["dev-rule"]["actions"]
    assert set(actions.values()) == {"delete"}, actions
    assert [a for a in actions if a.startswith("aws_ec2_client_vpn_authorization_rule.")] == [
        "aws_ec2_client_vpn_authorization_rule.client_vpn-developers_authorization_lab-office-192-168-50-0-24"
    ]


def test_a_new_client_cidr_replaces_the_endpoint_and_everything_on_it(scenarios):
    review = scenarios["dev-cidr"]
    actions = review["actions"]
    assert actions["aws_ec2_client_vpn_endpoint.client_vpn-developers_endpoint"] == "replace"
    assert review["forced_by"]["aws_ec2_client_vpn_endpoint.client_vpn-developers_endpoint"] == ["client_cidr_block"]
    assert not any(a.startswith(("aws_vpn_connection.", "aws_customer_gateway.")) for a in actions)
    assert "every user needs a new client profile" in review["markdown"]


def test_a_new_inside_cidr_is_forced_by_that_tunnel_and_says_the_device_must_be_reconfigured(scenarios):
    review = scenarios["dev-inside"]
    assert review["forced_by"]["aws_vpn_connection.site-lab-office_connection"] == ["tunnel1_inside_cidr"]
    assert "the on-premises device must be reconfigured" in review["markdown"]


def test_a_customer_gateway_swap_says_same_outside_ips(scenarios):
    review = scenarios["dev-cgw"]
    assert review["forced_by"]["aws_customer_gateway.site-lab-office_customer_gateway"] == ["ip_address"]
    assert "the outside IPs stay" in review["terminal"]


def test_every_replacement_seen_is_forced_by_an_attribute_of_the_force_new_table(scenarios):
    seen = 0
    for review in scenarios.values():
        for address, paths in review["forced_by"].items():
            if review["actions"][address] != "replace" or address in review["requested"]:
                continue  # replaced on vpnctl's request (-replace): no attribute forces it
            resource_type = address.split(".", 1)[0]
            assert paths, f"{address}: replaced, but no attribute marked as forcing it"
            for path in paths:
                assert forces_replacement(resource_type, path), f"{address}: {path} is missing from FORCE_NEW"
                seen += 1
    assert seen >= 4


def test_prod_refuses_a_new_inside_cidr_and_shows_what_forces_it(scenarios):
    review = scenarios["prod-refused"]
    assert review["exit"] == EXIT_REFUSED
    assert review["refused"] == [PROD_BERLIN_CONNECTION]
    assert review["forced_by"]["aws_vpn_connection.site-berlin-hq_connection"] == ["tunnel1_inside_cidr"]
    assert "Refused by the prod guard" in review["markdown"]
    assert f"--allow-replace {PROD_BERLIN_ALLOWANCE}" in review["markdown"]


def test_prod_with_the_replacement_allowed_plans_it_and_exits_zero(scenarios):
    review = scenarios["prod-allowed"]
    assert review["exit"] == EXIT_OK and review["refused"] == []
    actions = review["actions"]
    assert actions["aws_vpn_connection.site-berlin-hq_connection"] == "replace"
    assert all(".site-berlin-hq_" in address for address in actions), actions
    assert [a for a, action in actions.items() if action in ("replace", "delete") and a.startswith(
        ("aws_vpn_connection.", "aws_customer_gateway.", "aws_ec2_client_vpn_endpoint.", "aws_vpn_gateway."))
    ] == ["aws_vpn_connection.site-berlin-hq_connection"]


def test_a_rotated_preshared_key_is_reviewed_without_either_key(scenarios):
    review = scenarios["staging-psk"]
    assert review["actions"] == {"aws_vpn_connection.site-munich-lab_connection": "update"}
    assert "`tunnel1_preshared_key`: `(sensitive)` → `(sensitive)`" in review["markdown"]
    (change,) = [c["change"] for c in review["recording"]["plan"]["resource_changes"] if c["change"]["actions"] == ["update"]]
    old, new = change["before"]["tunnel1_preshared_key"], change["after"]["tunnel1_preshared_key"]
    assert old != new and old.startswith(recorded_plans.STAND_IN), "the recording keeps a changed key's change, not the key"
    for key in (old, new):
        assert key not in review["markdown"] and key not in review["terminal"]


def test_a_reimported_certificate_is_reviewed_without_either_private_key(scenarios):
    review = scenarios["dev-cert"]
    assert "`private_key`: `(sensitive)` → `(sensitive)`" in review["markdown"]
    for change in review["recording"]["plan"]["resource_changes"]:
        if change["type"] == "aws_acm_certificate":
            for side in ("before", "after"):
                key = change["change"][side]["private_key"]
                assert key.startswith(recorded_plans.STAND_IN) and key not in review["markdown"] + review["terminal"]


def test_no_review_shows_a_sensitive_value(scenarios):
    for name, review in scenarios.items():
        assert recorded_plans.STAND_IN not in review["markdown"] + review["terminal"], name


def test_every_sensitive_value_of_a_recording_is_a_stand_in(scenarios):
    def leaves(value, sensitive):
        if sensitive is True:
            yield value
        elif isinstance(sensitive, dict) and isinstance(value, dict):
            for key, item in value.items():
                yield from leaves(item, sensitive.get(key))
        elif isinstance(sensitive, list) and isinstance(value, list):
            for item, marks in zip(value, sensitive):
                yield from leaves(item, marks)

    seen = 0
    for name in scenarios:
        for change in recorded_plans.load(name)["plan"]["resource_changes"]:
            for side in ("before", "after"):
                for value in leaves(change["change"][side], change["change"].get(f"{side}_sensitive")):
                    assert value is None or str(value).startswith(recorded_plans.STAND_IN), (name, change["address"])
                    seen += value is not None
    assert seen > 20
    for path in recorded_plans.RECORDINGS.glob("*.json"):
        assert "PRIVATE KEY" not in path.read_text(), path


def test_a_site_removed_from_prod_is_refused_by_the_review_though_terraform_would_destroy_it(scenarios):
    review = scenarios["prod-removed"]
    assert review["exit"] == EXIT_REFUSED
    assert [re.sub(r"_[0-9A-F]{8}$", "", a) for a in review["refused_destroys"]] == [
        "aws_customer_gateway.site-frankfurt-dc_customer_gateway",
        "aws_ec2_transit_gateway_route_table_association.site-frankfurt-dc_tgw_association",
        "aws_ec2_transit_gateway_route_table_propagation.site-frankfurt-dc_tgw_propagation",
        "aws_vpn_connection.site-frankfurt-dc_connection",
    ]
    assert review["refused"] == []  # Terraform itself saw nothing to refuse
    assert "what `prevent_destroy` can't see" in review["markdown"]
    assert re.search(r"--allow-destroy aws_vpn_connection\.site-frankfurt-dc_connection_[0-9A-F]{8}@[0-9a-f]{12}",
                     review["markdown"])


def test_every_replacement_comes_with_terraform_s_replace_paths_or_vpnctl_s_reason(scenarios):
    from vpnctl.gateway_moves import REASON

    for name, review in scenarios.items():
        for address, action in review["actions"].items():
            if action == "replace":
                assert review["replace_paths"][address] or REASON in review["markdown"], f"{name}: {address}"


def test_a_reimported_certificate_shows_two_different_certificates(scenarios):
    markdown = scenarios["dev-cert"]["markdown"]
    (line,) = [line for line in markdown.splitlines() if "`certificate_body`" in line]
    before, after = re.findall(r"certificate sha256:([0-9a-f]{12})", line)
    assert before != after


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_each_recorded_plan_was_made_from_the_stacks_the_code_synthesizes_now(scenarios, name):
    recorded, now = scenarios[name]["recording"]["synthesized"], scenarios[name]["digests"]
    assert recorded == now, (
        f"tests/plans/{name}.json was planned from other stacks than the code synthesizes now "
        f"({', '.join(k for k in now if recorded.get(k) != now[k])} differ): run `make plans` and review the diff"
    )


def test_a_client_vpn_association_moved_in_prod_is_refused_until_allowed_by_the_review_s_allowance(scenarios):
    """prevent_destroy guards the endpoint, not its associations: moving one takes away access through its
    zone for minutes, and Terraform would do it without a word."""
    from vpnctl.review.plan_review import review_plan

    item = scenarios["prod-moved-association"]
    refused = [re.sub(r"_[0-9A-F]{8}$", "", a) for a in item["refused_destroys"]]
    assert "aws_ec2_client_vpn_network_association.client_vpn-staff_association-subnet-0c10000000000000b" in refused
    review = item["review"]
    allowances = frozenset(review.allowance(address) for address in review.refused_destroys)
    assert all(re.fullmatch(r"\S+@[0-9a-f]{12}", allowance) for allowance in allowances)
    for allowance in allowances:
        assert f"--allow-destroy {allowance}" in item["markdown"]
    env, stacks = item["env"], item["stacks"]
    allowed = review_plan(env, stacks["planned"], recorded_plans.outcome_of(item["recording"], stacks),
                          allow_destroy=allowances)
    assert allowed.refused_destroys == [] and allowed.exit_status == EXIT_OK



def test_the_moved_association_deploys_with_exactly_the_review_s_allowances(scenarios):
    """Recorded by `make plans` on the emulator (tests/recorded_plans.py, DEPLOYED): a live move costs the
    provider's 4-minute sleeps twice, more than `make test` can spend."""
    applied = recorded_plans.load_applied("prod-moved-association")
    assert applied["synthesized"]["planned"] == scenarios["prod-moved-association"]["digests"]["planned"], (
        "tests/plans/prod-moved-association.applied.json was deployed from other stacks: run `make plans`")
    assert applied["refused_without"].startswith("the plan removes ")
    assert applied["allowances"] and all(f"--allow-destroy {allowance}" in applied["refused_without"]
                                         for allowance in applied["allowances"])
    reviewed = scenarios["prod-moved-association"]["markdown"]
    assert all(f"--allow-destroy {allowance}" in reviewed for allowance in applied["allowances"]), "as reviewed"
    [endpoint] = applied["associations_before"]
    assert applied["associations_before"][endpoint] == ["subnet-0c10000000000000a", "subnet-0c10000000000000b"]
    assert applied["associations_after"] == {endpoint: ["subnet-0c10000000000000a", "subnet-0c10000000000000c"]}
    assert applied["plan_after"] == {}, "applied as reviewed: nothing left to change"


def test_a_site_moved_onto_a_transit_gateway_is_reviewed_as_a_replacement_with_new_tunnel_ips(scenarios):
    from vpnctl.gateway_moves import REASON

    markdown = scenarios["dev-tgw"]["markdown"]
    assert REASON in markdown and "new tunnel outside IPs" in markdown
