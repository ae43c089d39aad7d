"""Unit tests on the synthesized Terraform JSON of every shipped environment."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ENV_NAMES, by_path, resources

ACCOUNTS = {"dev": "111111111111", "staging": "222222222222", "prod": "333333333333"}
SITES = {
    "dev": {"lab-office"},
    "staging": {"hamburg-office", "munich-lab"},
    "prod": {"berlin-hq", "paris-branch", "frankfurt-dc"},
}


@pytest.mark.parametrize("env", ENV_NAMES)
def test_backend_is_s3_encrypted_locked_and_keyed_by_environment(synthesized, env):
    backend = synthesized[env]["terraform"]["backend"]["s3"]
    assert backend == {
        "bucket": f"acme-tfstate-{env}",
        "key": f"vpn/{env}/terraform.tfstate",
        "region": "eu-central-1",
        "encrypt": True,
        "use_lockfile": True,
    }


@pytest.mark.parametrize("env", ENV_NAMES)
def test_provider_pins_account_region_and_tags(synthesized, env):
    doc = synthesized[env]
    assert doc["terraform"]["required_providers"]["aws"]["version"] == "5.100.0"
    (provider,) = doc["provider"]["aws"]
    assert provider["region"] == "eu-central-1"
    assert provider["allowed_account_ids"] == [ACCOUNTS[env]]
    tags = provider["default_tags"][0]["tags"]
    assert tags["environment"] == env
    assert tags["managed-by"] == "vpn-as-code"
    assert tags["owner"] == "netops"
    if env == "dev":
        assert "assume_role" not in provider
    else:
        assert provider["assume_role"] == [
            {"role_arn": f"arn:aws:iam::{ACCOUNTS[env]}:role/vpn-deployer", "session_name": f"vpn-as-code-{env}"}
        ]


@pytest.mark.parametrize("env", ENV_NAMES)
def test_every_site_has_a_customer_gateway_and_one_connection(synthesized, env):
    gateways = by_path(synthesized[env], "aws_customer_gateway")
    connections = by_path(synthesized[env], "aws_vpn_connection")
    assert {p.split("_", 1)[0] for p in gateways} == {f"site-{s}" for s in SITES[env]}
    assert {p.split("_", 1)[0] for p in connections} == {f"site-{s}" for s in SITES[env]}
    for body in gateways.values():
        assert body["type"] == "ipsec.1"
        assert body["lifecycle"]["create_before_destroy"] is True
    for path, body in connections.items():
        assert body["type"] == "ipsec.1"
        own_keys = "tunnel1_preshared_key" in body or "tunnel2_preshared_key" in body
        assert body["preshared_key_storage"] == ("Standard" if own_keys else "SecretsManager"), path


@pytest.mark.parametrize("env", ENV_NAMES)
def test_prevent_destroy_only_in_the_production_tier(synthesized, env):
    guarded = []
    for resource_type in synthesized[env]["resource"]:
        for key, body in by_path(synthesized[env], resource_type).items():
            if body.get("lifecycle", {}).get("prevent_destroy"):
                guarded.append((resource_type, key))
    if env == "prod":
        assert sorted(guarded) == sorted(
            [("aws_vpn_gateway", "vpn_gateway")]
            + [("aws_customer_gateway", f"site-{s}_customer_gateway") for s in SITES["prod"]]
            + [("aws_vpn_connection", f"site-{s}_connection") for s in SITES["prod"]]
            + [("aws_ec2_client_vpn_endpoint", "client_vpn-staff_endpoint")]
        )
    else:
        assert guarded == []


def test_prod_bgp_site_tunnels_carry_profile_and_their_own_options(synthesized):
    conn = by_path(synthesized["prod"], "aws_vpn_connection")["site-berlin-hq_connection"]
    assert conn["static_routes_only"] is False
    for n in (1, 2):
        assert conn[f"tunnel{n}_ike_versions"] == ["ikev2"]
        assert conn[f"tunnel{n}_phase1_encryption_algorithms"] == ["AES256-GCM-16"]
        assert conn[f"tunnel{n}_phase1_integrity_algorithms"] == ["SHA2-384", "SHA2-512"]
        assert conn[f"tunnel{n}_phase1_dh_group_numbers"] == [20, 21]
        assert conn[f"tunnel{n}_phase1_lifetime_seconds"] == 14400
        assert conn[f"tunnel{n}_phase2_encryption_algorithms"] == ["AES256-GCM-16"]
        assert conn[f"tunnel{n}_phase2_dh_group_numbers"] == [20, 21]
        assert conn[f"tunnel{n}_phase2_lifetime_seconds"] == 3600
        assert conn[f"tunnel{n}_dpd_timeout_seconds"] == 30
        assert conn[f"tunnel{n}_dpd_timeout_action"] == "restart"
        assert conn[f"tunnel{n}_startup_action"] == "start"
        assert conn[f"tunnel{n}_rekey_margin_time_seconds"] == 540
        assert conn[f"tunnel{n}_rekey_fuzz_percentage"] == 100
        assert conn[f"tunnel{n}_replay_window_size"] == 1024
        logs = conn[f"tunnel{n}_log_options"]["cloudwatch_log_options"]
        assert logs["log_enabled"] is True
        assert logs["log_output_format"] == "json"
        assert logs["log_group_arn"].startswith("${aws_cloudwatch_log_group.site-berlin-hq_tunnel_logs_")
    assert conn["tunnel1_inside_cidr"] == "169.254.10.0/30"
    assert conn["tunnel2_inside_cidr"] == "169.254.10.4/30"
    assert conn["vpn_gateway_id"].startswith("${aws_vpn_gateway.vpn_gateway_")
    assert "transit_gateway_id" not in conn


def test_unset_tunnel_options_are_left_to_aws(synthesized):
    conn = by_path(synthesized["dev"], "aws_vpn_connection")["site-lab-office_connection"]
    for option in ("dpd_timeout_seconds", "startup_action", "replay_window_size", "preshared_key", "inside_ipv6_cidr"):
        assert f"tunnel1_{option}" not in conn
    assert conn["tunnel1_phase1_encryption_algorithms"] == ["AES256"]  # the "compatible" profile


def test_static_routes_on_a_virtual_private_gateway_become_connection_routes(synthesized):
    routes = by_path(synthesized["prod"], "aws_vpn_connection_route")
    assert {r["destination_cidr_block"] for r in routes.values()} == {"192.168.20.0/24", "192.168.21.0/24"}
    assert set(routes) == {"site-paris-branch_route-192-168-20-0-24", "site-paris-branch_route-192-168-21-0-24"}
    conn = by_path(synthesized["prod"], "aws_vpn_connection")["site-paris-branch_connection"]
    assert conn["static_routes_only"] is True


def test_transit_gateway_site_routes_through_the_named_tgw_route_table(synthesized):
    doc = synthesized["prod"]
    conn = by_path(doc, "aws_vpn_connection")["site-frankfurt-dc_connection"]
    assert conn["transit_gateway_id"] == "tgw-0f1e2d3c4b5a69788"
    assert "vpn_gateway_id" not in conn
    assert conn["enable_acceleration"] is False
    assert conn["tunnel1_enable_tunnel_lifecycle_control"] is True
    assert conn["tunnel2_log_options"]["cloudwatch_log_options"]["log_output_format"] == "text"
    for kind in ("aws_ec2_transit_gateway_route_table_association", "aws_ec2_transit_gateway_route_table_propagation"):
        (item,) = resources(doc, kind).values()
        assert item["transit_gateway_route_table_id"] == "tgw-rtb-0f1e2d3c4b5a69788"
        if kind.endswith("association"):
            assert item["replace_existing_association"] is True
        assert "site-frankfurt-dc_connection_" in item["transit_gateway_attachment_id"]
        assert item["transit_gateway_attachment_id"].endswith(".transit_gateway_attachment_id}")
    assert "aws_ec2_transit_gateway_route" not in doc["resource"]  # BGP: propagated, not static


def test_four_byte_asn_goes_to_bgp_asn_extended(synthesized):
    gateways = by_path(synthesized["prod"], "aws_customer_gateway")
    assert gateways["site-frankfurt-dc_customer_gateway"]["bgp_asn_extended"] == "4200000101"
    assert "bgp_asn" not in gateways["site-frankfurt-dc_customer_gateway"]
    assert gateways["site-berlin-hq_customer_gateway"]["bgp_asn"] == "65010"
    assert "bgp_asn_extended" not in gateways["site-berlin-hq_customer_gateway"]


@pytest.mark.parametrize(
    "env, route_tables",
    [
        ("dev", {"rtb-0d10000000000000a"}),
        ("staging", {"rtb-0a50000000000000a", "rtb-0a50000000000000b"}),
        ("prod", {"rtb-0c10000000000000a", "rtb-0c10000000000000b", "rtb-0c10000000000000c"}),
    ],
)
def test_one_shared_gateway_propagates_to_each_route_table(synthesized, env, route_tables):
    doc = synthesized[env]
    (gateway,) = resources(doc, "aws_vpn_gateway").values()
    assert gateway["vpc_id"].startswith("vpc-")
    propagations = resources(doc, "aws_vpn_gateway_route_propagation").values()
    assert {p["route_table_id"] for p in propagations} == route_tables
    assert all(p["vpn_gateway_id"].startswith("${aws_vpn_gateway.") for p in propagations)


def test_amazon_side_asn_comes_from_config(synthesized):
    assert "amazon_side_asn" not in next(iter(resources(synthesized["dev"], "aws_vpn_gateway").values()))
    assert next(iter(resources(synthesized["staging"], "aws_vpn_gateway").values()))["amazon_side_asn"] == "64620"


@pytest.mark.parametrize("env", ENV_NAMES)
def test_an_alarm_per_tunnel_and_one_when_both_are_down(synthesized, env):
    doc = synthesized[env]
    (topic,) = resources(doc, "aws_sns_topic").values()
    assert topic["name"] == f"vpn-alarms-{env}"
    # alias/aws/sns would drop every alarm: CloudWatch may not use AWS's own SNS key.
    if env == "prod":
        assert topic["kms_master_key_id"].startswith("${aws_kms_key.log_key_")
    else:
        assert "kms_master_key_id" not in topic
    alarms = by_path(doc, "aws_cloudwatch_metric_alarm")
    composites = by_path(doc, "aws_cloudwatch_composite_alarm")
    for site in SITES[env]:
        for n in (1, 2):
            alarm = alarms[f"site-{site}_alarms_tunnel{n}_down"]
            assert alarm["namespace"] == "AWS/VPN"
            assert alarm["metric_name"] == "TunnelState"
            assert alarm["comparison_operator"] == "LessThanThreshold"
            assert alarm["threshold"] == 1
            assert alarm["dimensions"]["TunnelIpAddress"].endswith(f".tunnel{n}_address}}")
            (action,) = alarm["alarm_actions"]
            assert action.startswith("${aws_sns_topic.alarm_topic_") and action.endswith(".arn}")
        both = composites[f"site-{site}_alarms_connection_down"]
        assert both["alarm_rule"] == f'ALARM("vpn-{env}-{site}-tunnel1-down") AND ALARM("vpn-{env}-{site}-tunnel2-down")'
        # The rule names them as text, so the tunnel alarms must be created first.
        assert [d.split(".")[1].rsplit("_", 1)[0] for d in both["depends_on"]] == [
            f"site-{site}_alarms_tunnel1_down", f"site-{site}_alarms_tunnel2_down"]
        assert alarms[f"site-{site}_alarms_tunnel1_down"]["alarm_name"] == f"vpn-{env}-{site}-tunnel1-down"
    assert len(alarms) == 2 * len(SITES[env])


@pytest.mark.parametrize("env, days", [("dev", 30), ("staging", 90), ("prod", 365)])
def test_tunnel_log_groups_have_retention_and_prod_uses_its_kms_key(synthesized, env, days):
    doc = synthesized[env]
    groups = {k: g for k, g in by_path(doc, "aws_cloudwatch_log_group").items() if k.startswith("site-")}
    assert {g["name"] for g in groups.values()} == {f"/aws/vpn/{env}/{s}" for s in SITES[env]}
    for group in groups.values():
        assert group["retention_in_days"] == days
        if env == "prod":
            assert group["kms_key_id"].startswith("${aws_kms_key.log_key_")
        else:
            assert "kms_key_id" not in group
    if env == "prod":
        (key,) = resources(doc, "aws_kms_key").values()
        assert key["enable_key_rotation"] is True
        policy = json.loads(key["policy"])
        logs = [s for s in policy["Statement"] if s["Principal"].get("Service") == "logs.eu-central-1.amazonaws.com"]
        assert logs and "arn:aws:logs:eu-central-1:333333333333:*" in json.dumps(logs)
        alarms = [s for s in policy["Statement"] if s["Principal"].get("Service") == "cloudwatch.amazonaws.com"]
        assert alarms and set(alarms[0]["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}


def test_bring_your_own_keys_are_read_from_secrets_manager_and_checked_at_plan_time(synthesized):
    doc = synthesized["prod"]
    conn = by_path(doc, "aws_vpn_connection")["site-paris-branch_connection"]
    data = doc["data"]["aws_secretsmanager_secret_version"]
    for n in (1, 2):
        reference = conn[f"tunnel{n}_preshared_key"]
        assert reference.startswith("${data.aws_secretsmanager_secret_version.site-paris-branch_tunnel")
        (item,) = [v for k, v in data.items() if k in reference]
        assert item["secret_id"] == f"prod/vpn/paris-branch/tunnel{n}"
        (condition,) = item["lifecycle"]["postcondition"]
        assert "self.secret_string" in condition["condition"]
        assert condition["error_message"].startswith(f'site "paris-branch" tunnel[{n}]: ')
    berlin = by_path(doc, "aws_vpn_connection")["site-berlin-hq_connection"]
    assert "tunnel1_preshared_key" not in berlin  # generated by AWS


@pytest.mark.parametrize("env", ENV_NAMES)
def test_outputs_name_each_site_and_hide_the_device_configuration(synthesized, env):
    outputs = synthesized[env]["output"]
    for site in SITES[env]:
        tunnels = outputs[f"site_{site}_tunnels"]["value"]
        assert set(tunnels) >= {"tunnel1_address", "tunnel2_address", "tunnel1_cgw_inside_address",
                                "tunnel1_vgw_inside_address", "tunnel2_cgw_inside_address",
                                "tunnel2_vgw_inside_address"}
        config = outputs[f"site_{site}_customer_gateway_configuration"]
        assert config["sensitive"] is True
        assert config["value"].endswith(".customer_gateway_configuration}")


def _site_stack():
    """A bare stack with the construct used directly: two sites on one gateway, with the stack's outputs."""
    from cdktf import TerraformStack
    from cdktf import Testing as CdktfTesting

    from modules.site_to_site import SiteToSiteVpn
    from stacks.outputs import site_outputs
    from vpn_schema.site import Site

    stack = TerraformStack(CdktfTesting.app(), "construct")
    sites = []
    for name, address in (("north", "203.0.113.10"), ("south", "203.0.113.20")):
        site = Site(ip_address=address, routing="static", static_routes=[f"192.168.{len(sites)}.0/24"])
        sites.append(SiteToSiteVpn(stack, f"site-{name}", name=name, site=site, environment="test",
                                   alarm_topic_arn="arn:aws:sns:eu-central-1:111111111111:alarms",
                                   vpn_gateway_id="vgw-0123456789abcdef0"))
        site_outputs(sites[-1])
    return stack, sites, json.loads(CdktfTesting.synth(stack))


def test_two_sites_and_their_outputs_live_side_by_side_in_one_stack():
    """The caller chooses construct IDs and outputs, so nothing a construct names for itself can collide."""
    _, _, doc = _site_stack()
    assert len(resources(doc, "aws_vpn_connection")) == 2
    assert set(doc["output"]) == {"site_north_tunnels", "site_north_customer_gateway_configuration",
                                  "site_south_tunnels", "site_south_customer_gateway_configuration"}


def test_the_tunnel_alarms_read_their_metric_from_the_sites_metric_helper():
    """One home for AWS/VPN's names and dimensions: the alarm is the helper's metric, unchanged."""
    _, (north, _), doc = _site_stack()
    alarm = by_path(doc, "aws_cloudwatch_metric_alarm")["site-north_alarms_tunnel2_down"]
    connection = f"aws_vpn_connection.{north.connection.friendly_unique_id}"
    metric = north.metric_tunnel_state(f"${{{connection}.tunnel2_address}}")
    assert {key: alarm[key] for key in ("namespace", "metric_name", "statistic", "period")} == {
        "namespace": metric.namespace, "metric_name": metric.metric_name, "statistic": "Maximum", "period": 300}
    assert alarm["dimensions"] == {"VpnId": f"${{{connection}.id}}", "TunnelIpAddress": metric.dimensions["TunnelIpAddress"]}


def test_site_metrics_cover_a_connection_or_one_tunnel():
    _, (north, _), _ = _site_stack()
    state = north.metric_tunnel_state()
    assert (state.namespace, state.metric_name, list(state.dimensions)) == ("AWS/VPN", "TunnelState", ["VpnId"])
    data_in = north.metric_tunnel_data_in("203.0.113.99")
    assert (data_in.metric_name, data_in.statistic) == ("TunnelDataIn", "Sum")
    assert data_in.dimensions["TunnelIpAddress"] == "203.0.113.99"
    assert north.metric_tunnel_data_out().metric_name == "TunnelDataOut"
    assert north.metric_tunnel_data_out().alarm_arguments()["namespace"] == "AWS/VPN"
