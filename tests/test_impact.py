"""What a change does to traffic, on real plans of each scenario (tests/plans/, recorded against the emulator by
`make plans`): the impact class per site and endpoint, the sources behind every rule, and the production guard
on impact in `review` and `deploy`. The golden Markdown of each scenario is tests/test_review_scenarios.py."""

from __future__ import annotations

import re

import pytest

from tests.scenarios import PROD_BERLIN_CGW_ALLOWANCE, PROD_BERLIN_CUSTOMER_GATEWAY
from vpnctl.review.impact_rules import LABELS, RULES, Impact
from vpnctl.review.report import EXIT_OK, EXIT_REFUSED

DOCUMENTS = re.compile(r"^https://(docs\.aws\.amazon\.com|registry\.terraform\.io/providers/hashicorp/aws/5\.100\.0)/")


def impacts(scenarios, name: str) -> dict[str, Impact]:
    return {subject.label: subject.impact for subject in scenarios[name]["review"].impacts}


def subject(scenarios, name: str, label: str):
    (found,) = [s for s in scenarios[name]["review"].impacts if s.label == label]
    return found


def test_every_impact_rule_names_the_aws_or_provider_document_it_comes_from():
    assert RULES
    for rule in RULES:
        assert rule.sources, rule
        for source in rule.sources:
            assert source.title.strip() and DOCUMENTS.match(source.url), (rule.words, source)
    assert set(LABELS) == set(Impact)


def test_a_dpd_change_on_one_tunnel_renegotiates_that_tunnel_and_the_site_stays_up(scenarios):
    assert impacts(scenarios, "dev-dpd") == {"site lab-office": Impact.ONE_TUNNEL}
    site = subject(scenarios, "dev-dpd", "site lab-office")
    assert site.words() == [("tunnel 1's options change (ModifyVpnTunnelOptions): tunnel 1 is re-established while "
                            "tunnel 2 carries the traffic")]
    assert not site.warnings


def test_a_dpd_change_on_both_tunnels_in_one_apply_is_flagged(scenarios):
    site = subject(scenarios, "dev-both", "site lab-office")
    assert site.impact == Impact.ONE_TUNNEL and len(site.words()) == 2
    assert site.warnings and "change one tunnel per apply" in site.warnings[0]
    assert "⚠️ the options of both tunnels change in one apply" in scenarios["dev-both"]["markdown"]


def test_a_customer_gateway_ip_change_takes_both_tunnels_down_and_keeps_the_outside_ips(scenarios):
    assert impacts(scenarios, "dev-cgw") == {"site lab-office": Impact.BOTH_TUNNELS}
    words = " ".join(subject(scenarios, "dev-cgw", "site lab-office").words())
    assert "both tunnels are down while AWS provisions new tunnel endpoints" in words
    assert "the outside IPs stay" in words


def test_an_inside_cidr_change_brings_new_outside_ips_and_a_device_reconfiguration(scenarios):
    assert impacts(scenarios, "dev-inside")["site lab-office"] == Impact.NEW_OUTSIDE_IPS
    assert "the on-premises device must be reconfigured" in " ".join(
        subject(scenarios, "dev-inside", "site lab-office").words())


def test_a_route_added_to_a_split_tunnel_endpoint_resets_every_session_on_it(scenarios):
    assert impacts(scenarios, "dev-route") == {"Client VPN developers": Impact.SESSIONS_RESET}
    assert "every session must be reset" in subject(scenarios, "dev-route", "Client VPN developers").words()[0]


def test_a_client_cidr_change_means_a_new_endpoint_and_a_new_profile_for_every_user(scenarios):
    endpoint = subject(scenarios, "dev-cidr", "Client VPN developers")
    assert endpoint.impact == Impact.NEW_PROFILES
    assert "a new endpoint with a new DNS name" in endpoint.words()[0]
    assert impacts(scenarios, "dev-cidr").get("site lab-office", Impact.NONE) == Impact.NONE


def test_a_tag_only_change_has_no_traffic_impact(scenarios):
    review = scenarios["dev-tags"]["review"]
    assert review.changes and {c.action for c in review.changes} == {"update"}
    assert all(s.impact == Impact.NONE and not s.warnings for s in review.impacts)
    assert "No traffic impact (" in scenarios["dev-tags"]["markdown"]
    assert "  impact: none" in scenarios["dev-tags"]["terminal"]


def test_the_impact_section_comes_before_any_resource_and_the_summary_table_first(scenarios):
    markdown = scenarios["dev-cgw"]["markdown"]
    assert markdown.index("| environment | traffic impact |") < markdown.index("#### Impact")
    assert markdown.index("#### Impact") < markdown.index("#### Replaced")
    assert "| dev | site lab-office: both tunnels down for minutes |" in markdown


def test_prod_refuses_a_customer_gateway_ip_change_and_names_the_address_to_allow(scenarios):
    review = scenarios["prod-cgw"]
    assert review["exit"] == EXIT_REFUSED
    assert review["refused"] == [PROD_BERLIN_CUSTOMER_GATEWAY]
    assert f"--allow-replace {PROD_BERLIN_CGW_ALLOWANCE}" in review["markdown"]
    # The same allowance accepts the connection's move onto the new gateway: nothing else to allow.
    assert not review["review"].impact_refusals


def test_prod_with_the_customer_gateway_allowed_exits_zero_though_both_tunnels_go_down(scenarios):
    review = scenarios["prod-cgw-allowed"]
    assert review["exit"] == EXIT_OK, review["terminal"]
    assert impacts(scenarios, "prod-cgw-allowed")["site berlin-hq"] == Impact.BOTH_TUNNELS


def test_prod_refuses_new_traffic_selectors_in_place_until_allowed_by_impact(scenarios):
    from tests import recorded_plans
    from vpnctl.review.plan_review import review_plan

    item = scenarios["prod-selectors"]
    review = item["review"]
    assert review.exit_status == EXIT_REFUSED and not review.refused  # nothing replaced: prevent_destroy is silent
    (refusal,) = review.impact_refusals
    assert (refusal.subject, refusal.impact) == ("site berlin-hq", Impact.BOTH_TUNNELS)
    assert refusal.allowance.startswith("aws_vpn_connection.site-berlin-hq_connection_6043E8D9@")
    assert f"vpnctl deploy prod --allow-impact {refusal.allowance}" in item["markdown"]
    allowed = review_plan(item["env"], item["stacks"]["planned"], recorded_plans.outcome_of(item["recording"], item["stacks"]),
                          allow_impact=frozenset({refusal.allowance}))
    assert allowed.exit_status == EXIT_OK and not allowed.impact_refusals
    other = refusal.allowance.split("@")[0] + "@000000000000"
    wrong = review_plan(item["env"], item["stacks"]["planned"], recorded_plans.outcome_of(item["recording"], item["stacks"]),
                        allow_impact=frozenset({other}))
    assert wrong.impact_refusals and "given for another change" in wrong.error


def test_deploy_refuses_the_same_impact_and_applies_nothing_without_the_allowance(scenarios):
    from vpnctl.plan_and_apply import AUTOMATIC, DeployRefused, show_and_check

    item = scenarios["prod-selectors"]
    plan = item["recording"]["plan"]
    with pytest.raises(DeployRefused) as refused:
        show_and_check(item["env"], item["outdir"], plan, frozenset(), frozenset(), AUTOMATIC)
    (allowance,) = {r.allowance for r in item["review"].impact_refusals}
    assert f"--allow-impact {allowance}" in str(refused.value)
    assert show_and_check(item["env"], item["outdir"], plan, frozenset(), frozenset({allowance}), AUTOMATIC)


def test_the_impact_guard_is_for_production_only(scenarios):
    assert scenarios["dev-cgw"]["review"].impact_refusals == []
    assert scenarios["dev-cidr"]["exit"] == EXIT_OK



def test_every_rule_condition_is_implemented_and_described():
    from vpnctl.review.impact import CONDITION_WORDS, CONDITIONS

    used = {rule.when for rule in RULES if rule.when}
    assert used <= set(CONDITIONS) and set(CONDITIONS) == set(CONDITION_WORDS)


def test_the_sample_comment_in_the_docs_is_the_golden_file_of_the_customer_gateway_change():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    docs = (root / "docs" / "reviews.md").read_text()
    sample = docs.split("````markdown\n", 1)[1].split("````\n", 1)[0]
    golden = (root / "tests" / "golden" / "review" / "prod-cgw.md").read_text()
    assert sample == golden.split("\n", 1)[1]
    assert sample.index("#### Impact") < sample.index("#### Cost") < sample.index("#### Replaced")
