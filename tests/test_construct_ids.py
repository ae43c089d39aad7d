"""Construct IDs from names never collide (vpn_schema/naming.py): distinct names give distinct IDs, so a config
that validates never dies in synth with "There is already a Construct with name ...". Names are generated
(hypothesis) from the config's own name rule, and the IDs of names it accepts are the names themselves."""

from __future__ import annotations

import ipaddress

from hypothesis import assume, given
from hypothesis import strategies as st

from tests.conftest import synth_json
from tests.scenarios import variant
from vpn_schema.environment import SiteName
from vpn_schema.naming import authorization_rule_id, client_route_id, name_id

names = st.from_regex(SiteName, fullmatch=True)
networks = st.builds(lambda address, prefix: str(ipaddress.ip_network(f"{address}/{prefix}", strict=False)),
                     st.ip_addresses(v=4), st.integers(0, 32))
subnets = st.from_regex(r"subnet-([0-9a-f]{8}|[0-9a-f]{17})", fullmatch=True)


@given(names)
def test_a_name_the_rule_accepts_is_its_own_id_so_deployed_ids_never_change(name):
    assert name_id(name) == name


@given(st.text(), st.text())
def test_distinct_names_of_any_text_give_distinct_ids(a, b):
    assume(a != b)
    assert name_id(a) != name_id(b)


@given(names, networks, names, networks)
def test_distinct_authorization_rules_give_distinct_ids(name, network, other, other_network):
    assume((name, network) != (other, other_network))
    assert authorization_rule_id(name, network) != authorization_rule_id(other, other_network)


@given(names, subnets, names, subnets)
def test_distinct_client_routes_give_distinct_ids(name, subnet, other, other_subnet):
    assume((name, subnet) != (other, other_subnet))
    assert client_route_id(name, subnet) != client_route_id(other, other_subnet)


def test_names_that_differ_only_in_repeated_hyphens_synthesize_side_by_side(tmp_path):
    """The shape that crashed synth: `a--b` and `a-b` once folded to one ID."""
    blocks = ('  route "lab--office" {\n    destination = "192.168.51.0/24"\n  }\n'
              '  authorization "lab--office" {\n    networks = ["192.168.51.0/24"]\n  }\n'
              '  route "lab-office" {')
    env = variant("dev", [('static_routes  = ["192.168.50.0/24"]', 'static_routes  = ["192.168.50.0/24", "192.168.51.0/24"]'),
                          ('  route "lab-office" {', blocks)], tmp_path)
    doc = synth_json(env)
    routes = {r["destination_cidr_block"] for r in doc["resource"]["aws_ec2_client_vpn_route"].values()}
    rules = {r["description"] for r in doc["resource"]["aws_ec2_client_vpn_authorization_rule"].values()}
    assert {"192.168.50.0/24", "192.168.51.0/24"} <= routes
    assert {"lab-office", "lab--office"} <= rules
