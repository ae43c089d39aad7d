"""An environment whose sites all use a transit gateway and that has no Client VPN endpoint needs no VPC: it
validates, synthesizes (no virtual private gateway) and applies without a vpc block, one of its sites with
route domains (associated with one table, propagating into two others: the route-domains pipeline)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_vpnctl
from tests.scenarios import TGW_ONLY


@pytest.fixture
def base(tmp_path):
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "core.hcl").write_text(TGW_ONLY)
    return tmp_path


def test_a_transit_gateway_only_environment_validates_and_synthesizes_without_a_vpc(base):
    validated = run_vpnctl("--environments", "environments", "validate", cwd=base)
    assert validated.returncode == 0, validated.stderr
    assert validated.stdout == "environments/core.hcl: ok (2 sites, 0 Client VPN endpoints)\n"
    synthesized = run_vpnctl("--environments", "environments", "synth", "--out", "out", cwd=base)
    assert synthesized.returncode == 0, synthesized.stderr
    resources = json.loads((base / "out" / "stacks" / "core" / "cdk.tf.json").read_text())["resource"]
    assert "aws_vpn_gateway" not in resources
    assert {c["transit_gateway_id"] for c in resources["aws_vpn_connection"].values()} == {"tgw-0f1e2d3c4b5a69788"}
    assert not any("vpn_gateway_id" in c for c in resources["aws_vpn_connection"].values())
    tables = {a["transit_gateway_route_table_id"]
              for a in resources["aws_ec2_transit_gateway_route_table_association"].values()}
    assert tables == {"tgw-rtb-0f1e2d3c4b5a69788", "tgw-rtb-0a00000000000000a"}
    propagated = sorted(p["transit_gateway_route_table_id"]
                        for p in resources["aws_ec2_transit_gateway_route_table_propagation"].values())
    assert propagated == ["tgw-rtb-0b00000000000000b", "tgw-rtb-0c00000000000000c"], "not into the VPN table"


@pytest.mark.terraform
@pytest.mark.pipeline("route-domains")
def test_route_domains_apply_on_the_emulator_with_the_association_and_both_propagations_in_state(lifecycle):
    record = lifecycle.result("route-domains")
    branch = [address for address in record["state"] if ".site-branch_" in address]
    assert sum("route_table_association" in a for a in branch) == 1
    assert sum("route_table_propagation" in a for a in branch) == 2
    assert record["second_plan"] == {}, "applied as planned: nothing left to change"
    assert all(len(attachments) == 1 for attachments in record["propagations"].values()), record["propagations"]
