"""Unit tests on the synthesized Client VPN resources of every shipped environment."""

from __future__ import annotations

import json
import re

import pytest
from cdktf import TerraformStack
from cdktf import Testing as CdktfTesting
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic

from modules.client_vpn import ClientVpnEndpoint
from tests.conftest import ENVIRONMENTS, by_path, resources
from tests.test_stable_ids import addresses, synth_text
from vpn_schema.client_vpn import AuthorizationRule, ClientVpn, Route

ENDPOINTS = {"dev": "developers", "staging": "testers", "prod": "staff"}


def endpoint_of(doc: dict, env: str) -> dict:
    return by_path(doc, "aws_ec2_client_vpn_endpoint")[f"client_vpn-{ENDPOINTS[env]}_endpoint"]


def dependency(body: dict) -> str | None:
    (after,) = body.get("depends_on", [None])
    return re.sub(r"_[0-9A-F]{8}$", "", after.split(".", 1)[1]) if after else None


@pytest.mark.parametrize(
    "env, expected",
    [
        ("dev", {"client_cidr_block": "10.110.0.0/22", "split_tunnel": True, "transport_protocol": "udp",
                 "vpn_port": 1194, "session_timeout_hours": 12, "dns_servers": ["10.10.0.2"],
                 "self_service_portal": "disabled", "client_route_enforcement_options": {"enforced": False},
                 "client_login_banner_options": {"enabled": False}, "client_connect_options": {"enabled": False}}),
        ("staging", {"client_cidr_block": "10.130.0.0/20", "transport_protocol": "tcp", "vpn_port": 443,
                     "session_timeout_hours": 10, "disconnect_on_session_timeout": True,
                     "client_login_banner_options": {"enabled": True,
                                                     "banner_text": "Staging network. Test data only; activity is logged."}}),
        ("prod", {"client_cidr_block": "10.100.0.0/20", "split_tunnel": False, "session_timeout_hours": 8,
                  "self_service_portal": "enabled", "client_route_enforcement_options": {"enforced": True},
                  "client_connect_options": {"enabled": True, "lambda_function_arn":
                      "arn:aws:lambda:eu-central-1:333333333333:function:AWSClientVPN-posture-check"}}),
    ],
)
def test_endpoint_options_come_from_config(synthesized, env, expected):
    endpoint = endpoint_of(synthesized[env], env)
    for key, value in expected.items():
        assert endpoint[key] == value, key
    assert endpoint["vpc_id"].startswith("vpc-")
    assert endpoint["connection_log_options"]["enabled"] is True
    assert endpoint["connection_log_options"]["cloudwatch_log_group"].startswith(
        f"${{aws_cloudwatch_log_group.client_vpn-{ENDPOINTS[env]}_connection_logs_")


def test_certificate_authentication_uses_the_imported_chain_in_dev(synthesized):
    endpoint = endpoint_of(synthesized["dev"], "dev")
    (option,) = endpoint["authentication_options"]
    assert option["type"] == "certificate-authentication"
    assert option["root_certificate_chain_arn"] == endpoint["server_certificate_arn"]
    assert endpoint["server_certificate_arn"].startswith("${aws_acm_certificate.certificates-developers_server_")


def test_directory_and_certificate_in_staging(synthesized):
    options = endpoint_of(synthesized["staging"], "staging")["authentication_options"]
    assert [o["type"] for o in options] == ["certificate-authentication", "directory-service-authentication"]
    assert options[1]["active_directory_id"] == "d-9a7b6c5d4e"


def test_saml_groups_with_mutual_certificates_in_prod(synthesized):
    endpoint = endpoint_of(synthesized["prod"], "prod")
    certificate, saml = endpoint["authentication_options"]
    assert certificate == {
        "type": "certificate-authentication",
        "root_certificate_chain_arn":
            "arn:aws:acm:eu-central-1:333333333333:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    }
    assert saml == {
        "type": "federated-authentication",
        "saml_provider_arn": "arn:aws:iam::333333333333:saml-provider/corp-idp",
        "self_service_saml_provider_arn": "arn:aws:iam::333333333333:saml-provider/corp-idp-portal",
    }
    assert "aws_acm_certificate" not in synthesized["prod"]["resource"]  # by ARN
    assert "variable" not in synthesized["prod"]
    rules = resources(synthesized["prod"], "aws_ec2_client_vpn_authorization_rule").values()
    assert {r.get("access_group_id") for r in rules} == {"engineering", "finance", "staff", None}
    (dns,) = [r for r in rules if "access_group_id" not in r]
    assert dns["target_network_cidr"] == "10.20.0.2/32" and dns["authorize_all_groups"] is True


@pytest.mark.parametrize("env, folder", [("dev", "dev"), ("staging", "staging")])
def test_pem_certificates_are_file_references_through_the_pki_dir_variable(synthesized, env, folder):
    doc = synthesized[env]
    (certificate,) = resources(doc, "aws_acm_certificate").values()
    assert certificate["certificate_body"] == f'${{file("${{var.pki_dir}}/{folder}/server.crt")}}'
    assert certificate["private_key"] == f'${{file("${{var.pki_dir}}/{folder}/server.key")}}'
    assert certificate["certificate_chain"] == f'${{file("${{var.pki_dir}}/{folder}/ca.crt")}}'
    assert certificate["lifecycle"] == {"create_before_destroy": True}
    assert doc["variable"]["pki_dir"]["type"] == "string"
    assert "default" not in doc["variable"]["pki_dir"]
    expiry = doc["output"][f"client_vpn_{env}-{ENDPOINTS[env]}_server_certificate_not_after"]
    assert expiry["value"].endswith(".not_after}")


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_changes_to_the_endpoint_form_one_chain_with_timeouts(synthesized, env):
    doc = synthesized[env]
    prefix = f"client_vpn-{ENDPOINTS[env]}_"
    chain = {}
    for kind in ("aws_ec2_client_vpn_network_association", "aws_ec2_client_vpn_route",
                 "aws_ec2_client_vpn_authorization_rule"):
        for key, body in by_path(doc, kind).items():
            chain[key] = (kind, body)
            assert body["timeouts"]["create"] in ("15m", "30m"), key
    firsts = [k for k, (_, body) in chain.items() if dependency(body) is None]
    assert len(firsts) == 1 and "association-" in firsts[0]
    # Every other change waits for exactly one earlier change, and no two wait for the same one.
    waited_for = [dependency(body) for _, body in chain.values() if dependency(body)]
    assert len(waited_for) == len(chain) - 1 == len(set(waited_for))
    assert all(w in chain for w in waited_for)
    # Routes follow associations, and rules follow routes.
    order, current = [], firsts[0]
    successors = {dependency(body): k for k, (_, body) in chain.items() if dependency(body)}
    while current:
        order.append(chain[current][0])
        current = successors.get(current)
    assert len(order) == len(chain)
    assert order.index("aws_ec2_client_vpn_route") > max(
        i for i, k in enumerate(order) if k == "aws_ec2_client_vpn_network_association"
    )
    assert order.index("aws_ec2_client_vpn_authorization_rule") > max(
        i for i, k in enumerate(order) if k == "aws_ec2_client_vpn_route"
    )
    assert all(k.startswith(prefix) for k in chain)


def test_a_route_goes_through_every_associated_subnet_by_default(synthesized):
    routes = {k: r for k, r in by_path(synthesized["staging"], "aws_ec2_client_vpn_route").items()
              if r["target_vpc_subnet_id"] != "local"}
    assert set(routes) == {
        "client_vpn-testers_route-hamburg-office-subnet-0a50000000000000a",
        "client_vpn-testers_route-hamburg-office-subnet-0a50000000000000b",
    }
    assert {r["destination_cidr_block"] for r in routes.values()} == {"192.168.30.0/24"}


def test_full_tunnel_prod_routes_the_internet_and_the_paris_branch(synthesized):
    routes = by_path(synthesized["prod"], "aws_ec2_client_vpn_route").values()
    assert {r["destination_cidr_block"] for r in routes} == {"0.0.0.0/0", "192.168.20.0/23"}


def test_client_to_client_adds_the_client_cidr_rule_route_and_group_settings(synthesized):
    doc = synthesized["staging"]
    rules = by_path(doc, "aws_ec2_client_vpn_authorization_rule")
    rule = rules["client_vpn-testers_authorization_client-to-client-10-130-0-0-20"]
    assert rule["target_network_cidr"] == "10.130.0.0/20" and rule["authorize_all_groups"] is True
    routes = [r for r in resources(doc, "aws_ec2_client_vpn_route").values() if r["destination_cidr_block"] == "10.130.0.0/20"]
    (route,) = routes  # AWS's route to the client CIDR itself: target "local", not a subnet
    assert route["target_vpc_subnet_id"] == "local"
    (ingress,) = resources(doc, "aws_vpc_security_group_ingress_rule").values()
    assert ingress["referenced_security_group_id"] == ingress["security_group_id"]
    assert "aws_vpc_security_group_ingress_rule" not in synthesized["dev"]["resource"]


@pytest.mark.parametrize(
    "env, networks",
    [("dev", {"10.10.0.0/16", "192.168.50.0/24"}),
     ("prod", {"10.20.0.2/32", "10.20.0.0/16", "192.168.20.0/24", "192.168.21.0/24", "0.0.0.0/0"})],
)
def test_the_security_group_lets_clients_reach_only_authorized_networks(synthesized, env, networks):
    doc = synthesized[env]
    (group,) = resources(doc, "aws_security_group").values()
    assert "egress" not in group and "ingress" not in group
    egress = resources(doc, "aws_vpc_security_group_egress_rule").values()
    assert {r["cidr_ipv4"] for r in egress} == networks


def test_the_on_premises_path_runs_through_the_site_to_site_vpn(synthesized):
    """dev: a Client VPN route and rule for the lab office, whose subnets' table learns from the VGW."""
    doc = synthesized["dev"]
    assert {r["destination_cidr_block"] for r in resources(doc, "aws_ec2_client_vpn_route").values()} == {"192.168.50.0/24"}
    assert "192.168.50.0/24" in {r["target_network_cidr"] for r in resources(doc, "aws_ec2_client_vpn_authorization_rule").values()}
    (propagation,) = resources(doc, "aws_vpn_gateway_route_propagation").values()
    assert propagation["route_table_id"] == "rtb-0d10000000000000a"
    assert {r["destination_cidr_block"] for r in resources(doc, "aws_vpn_connection_route").values()} == {"192.168.50.0/24"}


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_endpoint_outputs(synthesized, env):
    value = synthesized[env]["output"][f"client_vpn_{ENDPOINTS[env]}"]["value"]
    assert set(value) == {"id", "dns_name", "self_service_portal_url"}


def test_adding_a_rule_and_a_route_keeps_every_address(tmp_path, synthesized):
    text = (ENVIRONMENTS / "prod.hcl").read_text()
    text = text.replace('  route "internet" {', '  route "berlin-lab" {\n    destination = "172.16.8.0/24"\n  }\n  route "internet" {')
    text = text.replace('  authorization "engineering-vpc" {',
                        '  authorization "lab" {\n    group    = "engineering"\n    networks = ["172.16.8.0/24"]\n  }\n'
                        '  authorization "engineering-vpc" {')
    before, after = addresses(synthesized["prod"]), addresses(synth_text(tmp_path, "prod", text))
    assert set(before) < set(after)
    added = set(after) - set(before)
    assert all("berlin-lab" in a or "lab-172" in a or "egress-172" in a for a in added), added
    for address, body in before.items():
        # Only the wait order may move; a depends_on change replaces nothing.
        strip = lambda b: {k: v for k, v in b.items() if k != "depends_on"}
        assert strip(after[address]) == strip(body), address


def _endpoint_stack(**overrides):
    props = ClientVpn.model_validate({
        "client_cidr": "10.200.0.0/22", "authentication": ["certificate"],
        "server_certificate": {"acm_arn": "arn:aws:acm:eu-central-1:111111111111:certificate/abc-1"},
        "subnet_ids": ["subnet-0d10000000000000a", "subnet-0d10000000000000b"], **overrides,
    })
    stack = TerraformStack(CdktfTesting.app(), "construct")
    endpoint = ClientVpnEndpoint(
        stack, "client_vpn-api", name="api", props=props, environment="test", vpc_id="vpc-0d1e2f3a4b5c60718",
        vpc_cidr="10.10.0.0/16", server_certificate_arn="arn:aws:acm:eu-central-1:111111111111:certificate/abc-1",
        client_root_certificate_chain_arn="arn:aws:acm:eu-central-1:111111111111:certificate/abc-1",
    )
    return stack, endpoint


def test_add_route_and_add_authorization_rule_extend_the_chain():
    stack, endpoint = _endpoint_stack()
    route = endpoint.add_route("partner", Route(destination="172.16.0.0/16"))
    rule = endpoint.add_authorization_rule("partner", AuthorizationRule(networks=["172.16.0.0/16"]))
    assert len(route.resources) == 2 and route.done is route.resources[-1]
    assert len(rule.resources) == 1 and rule.done is rule.resources[0]
    assert endpoint.routes["partner"] is route and endpoint.authorization.rules["partner"] is rule

    doc = json.loads(CdktfTesting.synth(stack))
    routes = by_path(doc, "aws_ec2_client_vpn_route")
    rule_body = by_path(doc, "aws_ec2_client_vpn_authorization_rule")["client_vpn-api_authorization_partner-172-16-0-0-16"]
    assert dependency(rule_body) == "client_vpn-api_route-partner-subnet-0d10000000000000b"
    assert dependency(routes["client_vpn-api_route-partner-subnet-0d10000000000000a"]) == (
        "client_vpn-api_association-subnet-0d10000000000000b")


def test_associations_done_is_what_a_caller_waits_for_and_the_first_route_follows():
    stack, endpoint = _endpoint_stack()
    (done,) = endpoint.associations_done
    assert done is endpoint.associations["subnet-0d10000000000000b"]
    # Something of the caller's that needs the endpoint in service waits for every association.
    SnsTopic(stack, "after_associations", name="x", depends_on=endpoint.associations_done)
    endpoint.add_route("partner", Route(destination="172.16.0.0/16"))
    doc = json.loads(CdktfTesting.synth(stack))
    (topic,) = resources(doc, "aws_sns_topic").values()
    assert topic["depends_on"] == [f"aws_ec2_client_vpn_network_association.{done.friendly_unique_id}"]
    first = by_path(doc, "aws_ec2_client_vpn_route")["client_vpn-api_route-partner-subnet-0d10000000000000a"]
    assert first["depends_on"] == topic["depends_on"]


def test_two_endpoints_and_their_outputs_live_side_by_side_in_one_stack():
    """Outputs belong to the caller, so a second endpoint in one stack collides with nothing."""
    from stacks.outputs import client_vpn_outputs

    stack, first = _endpoint_stack()
    second = ClientVpnEndpoint(
        stack, "client_vpn-ops", name="ops", props=first.props, environment="test", vpc_id="vpc-0d1e2f3a4b5c60718",
        vpc_cidr="10.10.0.0/16", server_certificate_arn="arn:aws:acm:eu-central-1:111111111111:certificate/abc-2",
        client_root_certificate_chain_arn="arn:aws:acm:eu-central-1:111111111111:certificate/abc-2",
    )
    for endpoint in (first, second):
        client_vpn_outputs(endpoint)
    doc = json.loads(CdktfTesting.synth(stack))
    assert len(resources(doc, "aws_ec2_client_vpn_endpoint")) == 2
    assert set(doc["output"]) == {"client_vpn_api", "client_vpn_ops"}


def test_client_vpn_metrics_name_the_endpoint():
    _, endpoint = _endpoint_stack()
    failures = endpoint.metric_authentication_failures()
    assert (failures.namespace, failures.metric_name, failures.statistic, failures.period) == (
        "AWS/ClientVPN", "AuthenticationFailures", "Sum", 300)
    assert list(failures.dimensions) == ["Endpoint"]
    assert endpoint.metric_active_connections().metric_name == "ActiveConnectionsCount"
    assert endpoint.metric_ingress_bytes().with_(period=3600).period == 3600


def test_the_construct_refuses_a_group_rule_on_a_certificate_only_endpoint():
    _, endpoint = _endpoint_stack()
    with pytest.raises(ValueError, match='authorization "eng" group: a group rule needs saml or directory'):
        endpoint.add_authorization_rule("eng", AuthorizationRule(networks=["10.10.0.0/16"], group="eng"))


def test_the_construct_refuses_a_rule_no_route_reaches():
    _, endpoint = _endpoint_stack()
    endpoint.add_authorization_rule("vpc-part", AuthorizationRule(networks=["10.10.4.0/24"]))
    with pytest.raises(ValueError, match='authorization "partner" networks: no route reaches 172.16.0.0/16'):
        endpoint.add_authorization_rule("partner", AuthorizationRule(networks=["172.16.0.0/16"]))
    endpoint.add_route("partner", Route(destination="172.16.0.0/12"))
    endpoint.add_authorization_rule("partner", AuthorizationRule(networks=["172.16.0.0/16"]))


def test_the_construct_refuses_a_route_through_an_unassociated_subnet():
    _, endpoint = _endpoint_stack()
    with pytest.raises(ValueError, match="subnet-0d10000000000000c is not an associated subnet"):
        endpoint.add_route("x", Route(destination="172.16.0.0/16", subnet_ids=["subnet-0d10000000000000c"]))
