"""An environment whose sites all use a transit gateway and that has no Client VPN endpoint needs no VPC: it
validates, synthesizes (no virtual private gateway) and plans without a vpc block."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_vpnctl

TGW_ONLY = """\
region     = "eu-central-1"
account_id = "111111111111"

state {
  bucket = "acme-tfstate-core"
  region = "eu-central-1"
}

site "dc" {
  ip_address    = "198.51.100.70"
  routing       = "static"
  static_routes = ["172.20.0.0/16"]
  transit_gateway {
    id             = "tgw-0f1e2d3c4b5a69788"
    route_table_id = "tgw-rtb-0f1e2d3c4b5a69788"
  }
}
"""


@pytest.fixture
def base(tmp_path):
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "core.hcl").write_text(TGW_ONLY)
    return tmp_path


def test_a_transit_gateway_only_environment_validates_and_synthesizes_without_a_vpc(base):
    validated = run_vpnctl("--environments", "environments", "validate", cwd=base)
    assert validated.returncode == 0 and validated.stdout == "environments/core.hcl: ok (1 site, 0 Client VPN endpoints)\n"
    synthesized = run_vpnctl("--environments", "environments", "synth", "--out", "out", cwd=base)
    assert synthesized.returncode == 0, synthesized.stderr
    resources = json.loads((base / "out" / "stacks" / "core" / "cdk.tf.json").read_text())["resource"]
    assert "aws_vpn_gateway" not in resources
    [connection] = resources["aws_vpn_connection"].values()
    assert connection["transit_gateway_id"] == "tgw-0f1e2d3c4b5a69788" and "vpn_gateway_id" not in connection


@pytest.mark.terraform
def test_a_transit_gateway_only_environment_plans_without_a_vpc(base):
    result = run_vpnctl("--environments", "environments", "plan", "core", "--local", "--build", "build", cwd=base)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "core: " in result.stdout and " to add, 0 to change, 0 to replace, 0 to destroy" in result.stdout
