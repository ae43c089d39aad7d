"""Terraform tests: the real binary and AWS provider 5.100.0 on the synthesized stacks.

Each environment is planned once against a fresh emulator, in a background pipeline
(tests/plan_pipelines.py), and the tests share the result: a plan costs seconds of
provider start-up.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import ENV_NAMES, ROOT
from tests.plan_pipelines import BAD_KEYS
from vpn_schema.client_vpn import ENDPOINT_OPTIONS_LEFT_OUT, ClientVpn
from vpn_schema.site import CONNECTION_OPTIONS_LEFT_OUT, Site
from vpn_schema.tunnel import OPTIONS_LEFT_OUT, Tunnel
from vpnctl.terraform import Terraform, TerraformError, count_changes
from vpnctl.terraform_config import find_provider_mirror, write_cli_config

pytestmark = pytest.mark.terraform

EXPECTED_CREATES = {
    "dev": {"aws_customer_gateway": 1, "aws_vpn_connection": 1, "aws_vpn_connection_route": 1,
            "aws_vpn_gateway": 1, "aws_vpn_gateway_route_propagation": 1, "aws_cloudwatch_metric_alarm": 2,
            "aws_cloudwatch_composite_alarm": 1, "aws_cloudwatch_log_group": 2, "aws_sns_topic": 1,
            "aws_acm_certificate": 1, "aws_ec2_client_vpn_endpoint": 1, "aws_ec2_client_vpn_network_association": 1, "aws_security_group": 1, "aws_ec2_client_vpn_route": 1,
            "aws_ec2_client_vpn_authorization_rule": 2, "aws_vpc_security_group_egress_rule": 2,
            "terraform_data": 1},
    "staging": {"aws_customer_gateway": 2, "aws_vpn_connection": 2, "aws_vpn_connection_route": 2,
                "aws_vpn_gateway": 1, "aws_vpn_gateway_route_propagation": 2, "aws_cloudwatch_metric_alarm": 4,
                "aws_cloudwatch_composite_alarm": 2, "aws_cloudwatch_log_group": 3, "aws_sns_topic": 1,
                "aws_sns_topic_subscription": 1, "aws_acm_certificate": 1, "aws_ec2_client_vpn_endpoint": 1, "aws_ec2_client_vpn_network_association": 2, "aws_security_group": 1,
                "aws_ec2_client_vpn_route": 3, "aws_ec2_client_vpn_authorization_rule": 4,
                "aws_vpc_security_group_egress_rule": 4, "aws_vpc_security_group_ingress_rule": 1,
                "terraform_data": 1},
    "prod": {"aws_customer_gateway": 3, "aws_vpn_connection": 3, "aws_vpn_connection_route": 2,
             "aws_vpn_gateway": 1, "aws_vpn_gateway_route_propagation": 3, "aws_cloudwatch_metric_alarm": 6,
             "aws_cloudwatch_composite_alarm": 3, "aws_cloudwatch_log_group": 4, "aws_sns_topic": 1,
             "aws_ec2_client_vpn_endpoint": 1, "aws_ec2_client_vpn_network_association": 2, "aws_security_group": 1,
             "aws_ec2_client_vpn_route": 4, "aws_ec2_client_vpn_authorization_rule": 5,
             "aws_vpc_security_group_egress_rule": 5,
             "aws_sns_topic_subscription": 1, "aws_kms_key": 1, "aws_kms_alias": 1,
             "aws_ec2_transit_gateway_route_table_association": 1,
             "aws_ec2_transit_gateway_route_table_propagation": 1},
}


@pytest.fixture(scope="module")
def fresh(lifecycle) -> dict:
    """The three shipped environments planned on fresh emulators (tests/plan_pipelines.py)."""
    return lifecycle.result("plans")


@pytest.fixture(scope="module")
def plans(fresh) -> dict[str, dict]:
    return fresh["plans"]


@pytest.fixture(scope="module")
def provider_schema(tmp_path_factory) -> dict:
    """`terraform providers schema -json` for hashicorp/aws 5.100.0, from the offline mirror."""
    workdir = tmp_path_factory.mktemp("schema")
    (workdir / "main.tf.json").write_text(
        json.dumps({"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": "5.100.0"}}}})
    )
    terraform = Terraform(workdir, write_cli_config(workdir, find_provider_mirror()))
    terraform.init(backend=False)
    schema = json.loads(terraform.run("providers", "schema", "-json").stdout)
    return schema["provider_schemas"]["registry.terraform.io/hashicorp/aws"]


def _arguments(schema: dict, resource: str) -> set[str]:
    block = schema["resource_schemas"][resource]["block"]
    attributes = {k for k, v in block["attributes"].items() if v.get("optional") or v.get("required")}
    return attributes | set(block.get("block_types", {}))


def test_the_mirror_holds_provider_5_100_0():
    mirror = find_provider_mirror()
    assert mirror is not None
    assert (mirror / "registry.terraform.io/hashicorp/aws/5.100.0").is_dir()


def test_tunnel_props_cover_every_tunnel_argument_of_the_provider(provider_schema):
    arguments = _arguments(provider_schema, "aws_vpn_connection")
    for n in (1, 2):
        provider_options = {a.removeprefix(f"tunnel{n}_") for a in arguments if a.startswith(f"tunnel{n}_")}
        ours = set(Tunnel.model_fields) - {"preshared_key_secret", "log_enabled", "log_output_format"}
        assert provider_options - ours == set(OPTIONS_LEFT_OUT), "a tunnel option is neither exposed nor explained"
        assert ours <= provider_options, "a tunnel field has no provider argument"
    log_options = provider_schema["resource_schemas"]["aws_vpn_connection"]["block"]["block_types"][
        "tunnel1_log_options"]["block"]["block_types"]["cloudwatch_log_options"]["block"]["attributes"]
    assert set(log_options) == {"log_enabled", "log_group_arn", "log_output_format"}


def test_site_props_cover_every_connection_argument_of_the_provider(provider_schema):
    arguments = _arguments(provider_schema, "aws_vpn_connection")
    connection_level = {a for a in arguments if not re.match(r"tunnel[12]_", a)}
    ours = set(Site.model_fields)
    missing = connection_level - ours - set(CONNECTION_OPTIONS_LEFT_OUT)
    assert missing == set(), f"connection arguments neither exposed nor explained: {missing}"
    assert set(CONNECTION_OPTIONS_LEFT_OUT) <= connection_level


def test_site_props_cover_every_customer_gateway_argument(provider_schema):
    arguments = _arguments(provider_schema, "aws_customer_gateway")
    explained = {"bgp_asn_extended": "chosen from bgp_asn", "type": "ipsec.1 only", "tags": "stack",
                 "tags_all": "computed", "id": "computed"}
    assert arguments - set(Site.model_fields) == set(explained)


def test_endpoint_props_cover_every_client_vpn_endpoint_argument(provider_schema):
    arguments = _arguments(provider_schema, "aws_ec2_client_vpn_endpoint")
    ours = set(ClientVpn.model_fields)
    missing = arguments - ours - set(ENDPOINT_OPTIONS_LEFT_OUT)
    assert missing == set(), f"endpoint arguments neither exposed nor explained: {missing}"
    assert set(ENDPOINT_OPTIONS_LEFT_OUT) <= arguments
    block_types = provider_schema["resource_schemas"]["aws_ec2_client_vpn_endpoint"]["block"]["block_types"]
    authentication = set(block_types["authentication_options"]["block"]["attributes"])
    assert authentication == {"type", "active_directory_id", "root_certificate_chain_arn", "saml_provider_arn",
                              "self_service_saml_provider_arn"}
    assert authentication - {"type", "active_directory_id", "root_certificate_chain_arn"} <= ours
    assert "directory_id" in ours and "client_root_certificate" in ours


@pytest.mark.pipeline("plans")
@pytest.mark.parametrize("env", ENV_NAMES)
def test_offline_plan_creates_every_resource_and_nothing_else(plans, env):
    counts = count_changes(plans[env])
    assert set(counts) == {"create"}, counts
    assert counts["create"] == EXPECTED_CREATES[env]


@pytest.mark.pipeline("plans")
@pytest.mark.parametrize("env", ENV_NAMES)
def test_plan_uses_the_shipped_provider_settings_unchanged(plans, env):
    provider = plans[env]["configuration"]["provider_config"]["aws"]["expressions"]
    assert "allowed_account_ids" in provider
    assert ("assume_role" in provider) == (env != "dev")


@pytest.mark.pipeline("plans")
def test_plan_reads_bring_your_own_keys_and_keeps_them_sensitive(plans):
    changes = {c["address"]: c for c in plans["prod"]["resource_changes"]}
    (paris,) = [c for a, c in changes.items() if a.startswith("aws_vpn_connection.site-paris-branch_connection")]
    assert paris["change"]["after_sensitive"]["tunnel1_preshared_key"] is True
    assert paris["change"]["after_sensitive"]["tunnel2_preshared_key"] is True


@pytest.mark.pipeline("bad-keys")
@pytest.mark.parametrize("site, bad_key", BAD_KEYS.items(), ids=list(BAD_KEYS))
def test_a_bring_your_own_key_that_breaks_the_rules_fails_the_plan_naming_site_and_tunnel(lifecycle, site, bad_key):
    """One plan, one site per broken rule: each site's secret fails the plan with its own line."""
    record = lifecycle.result("bad-keys")
    assert record["failed"]
    output = " ".join(record["output"].split())
    assert (
        f'site "{site}" tunnel[2]: the pre-shared key in Secrets Manager secret '
        f'"dev/vpn/{site}/tunnel2" breaks AWS\'s rules' in output
    ), output
    assert "tunnel[1]" not in output
    assert bad_key not in record["output"]


@pytest.mark.pipeline("plans")
def test_nothing_under_cdktf_out_holds_a_key_or_a_machine_path(fresh):
    """Planning read the throwaway PEM files from the build folder; none of it may show under cdktf.out."""
    synthesized_dir, build_dir, secret_values = fresh["outdir"], fresh["build"], fresh["secret_values"]
    pki = build_dir / "pki"
    assert (pki / "dev" / "server.key").read_bytes().startswith(b"-----BEGIN RSA PRIVATE KEY")
    machine_paths = [str(ROOT).encode(), str(build_dir).encode(), str(synthesized_dir).encode(), b"/tmp/", b"/root/",
                     b"/home/"]
    files = [p for p in synthesized_dir.rglob("*") if p.is_file() and not p.is_symlink()]
    assert any(p.name == "cdk.tf.json" for p in files)
    for path in files:
        data = path.read_bytes()
        for value in secret_values.values():
            assert value.encode() not in data, f"a pre-shared key is in {path}"
        assert b"PRIVATE KEY" not in data, f"a private key is in {path}"
        for machine_path in machine_paths:
            assert machine_path not in data, f"{machine_path!r} is in {path}"
        if path.name == "cdk.tf.json":
            for connection in json.loads(data).get("resource", {}).get("aws_vpn_connection", {}).values():
                for key in ("tunnel1_preshared_key", "tunnel2_preshared_key"):
                    if key in connection:  # only ever a reference to the secret, never a literal
                        assert connection[key].startswith("${data.aws_secretsmanager_secret_version.")


def test_every_force_new_attribute_is_an_argument_of_the_provider(provider_schema):
    """The review's force-new table names real arguments of provider 5.100.0, nested ones in their block."""
    from vpnctl.review.force_new import FORCE_NEW

    for resource_type, paths in FORCE_NEW.items():
        if resource_type == "terraform_data":  # Terraform's built-in resource, not the provider's
            continue
        block = provider_schema["resource_schemas"][resource_type]["block"]
        for path in paths:
            head, _, nested = path.partition(".")
            if nested:
                assert nested in block["block_types"][head]["block"]["attributes"], f"{resource_type}: {path}"
            else:
                assert head in _arguments(provider_schema, resource_type), f"{resource_type}: {path}"


def test_a_plan_expected_to_find_nothing_skips_show_only_when_terraform_says_nothing_changes(tmp_path):
    """plan_if_changing: a plan with changes is shown and counted as `plan` does; once applied, Terraform's
    exit code says nothing changes and {} comes back; a broken configuration still raises."""
    (tmp_path / "main.tf.json").write_text(json.dumps({"resource": {"terraform_data": {"x": {"input": "a"}}}}))
    terraform = Terraform(tmp_path, write_cli_config(tmp_path / "build", find_provider_mirror()), {})
    terraform.init()
    assert count_changes(terraform.plan_if_changing(tmp_path / "first.tfplan")) == {"create": {"terraform_data": 1}}
    terraform.apply()
    assert terraform.plan_if_changing(tmp_path / "again.tfplan") == {}
    (tmp_path / "main.tf.json").write_text(json.dumps({"resource": {"terraform_data": {"x": {"input": "b"}}}}))
    assert count_changes(terraform.plan_if_changing(tmp_path / "changed.tfplan")) == {"update": {"terraform_data": 1}}
    (tmp_path / "main.tf.json").write_text(json.dumps({"resource": {"terraform_data": {"x": {"nonsense": 1}}}}))
    with pytest.raises(TerraformError):
        terraform.plan_if_changing(tmp_path / "broken.tfplan")
    assert not list(tmp_path.glob("*.tfplan")), "each plan file is removed once read"
