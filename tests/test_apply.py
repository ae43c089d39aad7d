"""Real `terraform apply` of every environment against the local emulator, and what a network
engineer needs to trust it: no drift, a customer gateway swap that keeps the tunnels, a reviewed
replacement in prod that changes only its own site, an interrupted apply that converges, a clean
destroy, and `cdktf deploy` doing what `vpnctl deploy` does. The pipelines are in tests/pipelines.py.
"""

from __future__ import annotations

import ipaddress
import json

import pytest

from tests.conftest import ENV_NAMES

pytestmark = pytest.mark.terraform

BENCHMARK_RANGE = ipaddress.ip_network("198.18.0.0/15")
EMPTY = {"vpn_connections": [], "customer_gateways": [], "vpn_gateways": [], "client_vpn_endpoints": []}


def shipped_env(env: str):
    return pytest.param(env, marks=pytest.mark.pipeline(env), id=env)


def tunnel_ips(outputs: dict) -> dict[str, tuple[str, str]]:
    return {
        name[len("site_") : -len("_tunnels")]: (value["tunnel1_address"], value["tunnel2_address"])
        for name, value in outputs.items()
        if name.startswith("site_") and name.endswith("_tunnels")
    }


@pytest.mark.parametrize("env", [shipped_env(e) for e in ENV_NAMES])
def test_every_environment_applies_with_tunnels_and_a_client_vpn_endpoint(lifecycle, shipped, env):
    record = lifecycle.result(env)
    ips = tunnel_ips(record["outputs"])
    assert set(ips) == set(shipped[env].config.sites)
    addresses = [ip for pair in ips.values() for ip in pair]
    assert len(set(addresses)) == len(addresses)
    assert all(ipaddress.ip_address(ip) in BENCHMARK_RANGE for ip in addresses)
    assert len(record["resources"]["vpn_connections"]) == len(shipped[env].config.sites)
    assert len(record["resources"]["client_vpn_endpoints"]) == 1
    (endpoint,) = [v for k, v in record["outputs"].items() if k.startswith("client_vpn_") and isinstance(v, dict)]
    assert endpoint["dns_name"] == f"*.{endpoint['id']}.prod.clientvpn.{shipped[env].config.region}.amazonaws.com"


@pytest.mark.parametrize("env", [shipped_env(e) for e in ENV_NAMES])
def test_a_second_plan_right_after_apply_has_no_changes(lifecycle, env):
    assert lifecycle.result(env)["second_plan"] == {}


@pytest.mark.pipeline("changes")
def test_a_new_customer_gateway_ip_applied_keeps_the_connection_and_its_tunnel_ips(lifecycle):
    record = lifecycle.result("changes")
    assert tunnel_ips(record["outputs_after_cgw"]) == tunnel_ips(record["outputs"])
    assert record["resources_after_cgw"]["vpn_connections"] == record["resources"]["vpn_connections"]
    assert len(record["resources_after_cgw"]["customer_gateways"]) == 1
    assert record["resources_after_cgw"]["customer_gateways"] != record["resources"]["customer_gateways"]


@pytest.mark.pipeline("changes")
def test_a_site_moved_onto_a_transit_gateway_is_reviewed_as_a_replacement_and_applies(lifecycle):
    from vpnctl.gateway_moves import REASON

    record = lifecycle.result("changes")
    review = record["tgw_review"]
    assert review["actions"]["aws_vpn_connection.site-lab-office_connection"] == "replace"
    assert review["actions"]["aws_ec2_transit_gateway_route_table_association.site-lab-office_tgw_association"] == "create"
    assert "new tunnel outside IPs" in review["markdown"] and REASON in review["markdown"]
    assert review["actions"]["aws_vpn_gateway.vpn_gateway"] == "delete", "no site is left on it"
    [(_connection, tgw, vgw)] = record["tgw_connections"]
    assert tgw == "tgw-0d1e2f3a4b5c60718" and not vgw
    assert tunnel_ips(record["tgw_outputs"]) != tunnel_ips(record["outputs_after_cgw"])
    assert sum(".site-lab-office_tgw_" in address for address in record["tgw_state"]) == 2  # association, route
    assert record["tgw_second_plan"] == {}


@pytest.mark.pipeline("prod-guard")
def test_an_allowed_replacement_in_prod_applies_with_new_outside_ips_for_that_site_only(lifecycle):
    record = lifecycle.result("prod-guard")
    before, after = tunnel_ips(record["outputs"]), tunnel_ips(record["outputs_after_replace"])
    assert after["berlin-hq"] != before["berlin-hq"]
    assert not set(after["berlin-hq"]) & set(before["berlin-hq"])
    assert {site: ips for site, ips in after.items() if site != "berlin-hq"} == {
        site: ips for site, ips in before.items() if site != "berlin-hq"
    }


@pytest.mark.pipeline("changes")
def test_an_interrupted_apply_converges_with_no_duplicates(lifecycle):
    record = lifecycle.result("changes")
    assert record["second_apply_status"] == 1
    assert "Error acquiring the state lock" in record["second_apply_output"]
    assert record["interrupted_status"] != 0
    assert "Interrupt received" in record["interrupted_output"]
    assert record["second_plan"] == {}
    assert [len(record["resources"][kind]) for kind in ("vpn_connections", "customer_gateways", "vpn_gateways")] == [1, 1, 1]
    assert sum(address.startswith("aws_vpn_connection.") for address in record["state"]) == 1


@pytest.mark.parametrize("pipeline", [
    # staging with one Client VPN association: endpoint, association, rules and routes all go
    pytest.param("destroy", marks=pytest.mark.pipeline("destroy"), id="staging-with-one-association"),
    # dev without its endpoint, after an interrupted apply and a customer gateway swap
    pytest.param("changes", marks=pytest.mark.pipeline("changes"), id="dev-without-client-vpn"),
])
def test_destroy_leaves_no_vpn_or_client_vpn_resource(lifecycle, pipeline):
    assert lifecycle.result(pipeline)["after_destroy"] == EMPTY


@pytest.mark.pipeline("users")
def test_cdktf_deploy_deploys_what_vpnctl_deploy_deploys(lifecycle):
    """`npx cdktf deploy dev` applies (dev with one association); vpnctl's own synth, planned on the state
    it left, changes nothing, and the state holds exactly the resources vpnctl synthesizes."""
    record = lifecycle.result("users")
    assert record["deploy"]["status"] == 0, record["deploy"]["output"]
    assert record["second_plan"] == {}
    ours = json.loads(record["ours"].read_text())
    expected = sorted(f"{kind}.{name}" for kind, named in ours["resource"].items() for name in named)
    assert [a for a in record["state"] if not a.startswith("data.")] == expected
