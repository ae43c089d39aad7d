"""Day-2 operations: `vpnctl status` and `vpnctl maintenance`, and the tunnel lifecycle control setting.

The rules (what needs action, by when), the rendering (never a key) and the config default by tier are
checked without AWS; the commands themselves run as an operator runs them, with `--local`, against the
`operations` pipeline's applied environment (tests/operations_pipeline.py).
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from rich.console import Console

from tests.conftest import by_path, synth_json
from tests.scenarios import variant
from vpnctl.endpoint_status import Association, ClientConnection, CrlExpiry, EndpointStatus
from vpnctl.status_problems import endpoint_problems, in_words, site_problems
from vpnctl.status_report import EnvironmentStatus, as_json, render
from vpnctl.tunnel_maintenance import MaintenanceRefused, check_other_up, wait_until_back_up
from vpnctl.tunnel_status import Maintenance, SiteStatus, TunnelStatus, tunnels_of

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
PSKS = ("Sup3rSecretKey.one", "An0therSecret_two")
PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----"


def connection(first="UP", second="UP", lifecycle=True) -> dict:
    """DescribeVpnConnections' answer for one connection, keys and all, as AWS gives it."""
    return {
        "VpnConnectionId": "vpn-0123", "State": "available",
        "CustomerGatewayConfiguration": f"<ipsec_tunnel><pre_shared_key>{PSKS[0]}</pre_shared_key></ipsec_tunnel>",
        "Options": {"TunnelOptions": [
            {"OutsideIpAddress": "3.120.0.1", "PreSharedKey": PSKS[0], "EnableTunnelLifecycleControl": lifecycle},
            {"OutsideIpAddress": "3.120.0.2", "PreSharedKey": PSKS[1], "EnableTunnelLifecycleControl": lifecycle}]},
        "VgwTelemetry": [
            {"OutsideIpAddress": "3.120.0.1", "Status": first, "StatusMessage": "", "AcceptedRouteCount": 2,
             "LastStatusChange": NOW - dt.timedelta(hours=3)},
            {"OutsideIpAddress": "3.120.0.2", "Status": second, "StatusMessage": "IPSEC IS DOWN" if second == "DOWN" else "",
             "AcceptedRouteCount": 0, "LastStatusChange": NOW - dt.timedelta(minutes=5)}],
    }


def site(first="UP", second="UP", maintenance: Maintenance | None = None) -> SiteStatus:
    tunnels = tuple(t if maintenance is None else TunnelStatus(**{**t.__dict__, "maintenance": maintenance})
                    for t in tunnels_of(connection(first, second)))
    return SiteStatus("lab-office", "vpn-0123", "available", tunnels)


def endpoint(crl_days: float = 100, certificate_days: float = 300, state="available") -> EndpointStatus:
    from vpnctl.endpoint_status import CertificateExpiry

    return EndpointStatus(
        "developers", "cvpn-endpoint-0123", state, [Association("subnet-0a", "cvpn-assoc-1", "associated")],
        [ClientConnection("cvpn-connection-1", "alice", "alice", "10.110.0.5", "2026-12-01 10:00:00", 1234, 5678)],
        [CertificateExpiry("server", "ACM", NOW + dt.timedelta(days=certificate_days))],
        CrlExpiry("/pki/dev/crl.pem", NOW + dt.timedelta(days=crl_days)))


def texts(problems) -> str:
    return " | ".join(p.text for p in problems)


# ---- the rules ----------------------------------------------------------------------------


def test_both_tunnels_up_is_no_problem():
    assert site_problems(site(), "dev", NOW) == []


def test_one_tunnel_down_is_named_with_its_message_and_the_lost_redundancy():
    (problem,) = site_problems(site(second="DOWN"), "dev", NOW)
    assert problem.where == "tunnel 2"
    assert "tunnel down (IPSEC IS DOWN)" in problem.text and "only one tunnel up" in problem.text


def test_both_tunnels_down_says_the_site_has_no_tunnel():
    problems = site_problems(site("DOWN", "DOWN"), "dev", NOW)
    assert [p.where for p in problems] == ["tunnel 1", "tunnel 2"]
    assert all("no tunnel up" in p.text for p in problems)


def test_a_site_that_is_not_deployed_needs_action():
    assert texts(site_problems(SiteStatus("lab-office", None, "not deployed"), "dev", NOW)) == "not deployed"


@pytest.mark.parametrize(("days", "due"), [(6.9, True), (7.1, False), (-0.1, True)])
def test_maintenance_is_a_problem_under_seven_days_before_its_deadline(days, due):
    pending = Maintenance("Tunnel endpoint replacement", NOW + dt.timedelta(days=days))
    problems = site_problems(site(maintenance=pending), "dev", NOW)
    assert bool(problems) is due
    if due:
        assert "vpnctl maintenance dev --apply lab-office" in texts(problems)
        assert ("overdue" in texts(problems)) is (days < 0)


def test_no_pending_maintenance_is_no_problem_whatever_the_last_one():
    done = Maintenance(None, None, NOW - dt.timedelta(days=1))
    assert site_problems(site(maintenance=done), "dev", NOW) == []
    assert not Maintenance("None Available").is_pending


@pytest.mark.parametrize(("days", "problem"), [(13.9, "expires on"), (14.1, None), (-1, "expired on")])
def test_a_crl_is_a_problem_under_fourteen_days_before_its_next_update(days, problem):
    found = texts(endpoint_problems(endpoint(crl_days=days), "dev", NOW))
    if problem is None:
        assert found == ""
    else:
        assert problem in found and "vpnctl pki refresh-crl" in found and "refuses every client" in found


@pytest.mark.parametrize(("days", "problem"), [(29, True), (31, False)])
def test_a_certificate_is_a_problem_under_thirty_days_before_it_expires(days, problem):
    assert bool(endpoint_problems(endpoint(certificate_days=days), "dev", NOW)) is problem


def test_an_endpoint_without_association_needs_action():
    assert "pending-associate, not available" in texts(endpoint_problems(endpoint(state="pending-associate"), "dev", NOW))


def test_durations_read_as_a_person_says_them():
    assert [in_words(dt.timedelta(seconds=s)) for s in (45, 720, 3600 * 3 + 300, 86400 * 6 + 3600 * 4)] == [
        "45 s", "12 min", "3 h 5 min", "6 d 4 h"]


# ---- rendering ----------------------------------------------------------------------------------


def rendered(status: EnvironmentStatus) -> tuple[str, str]:
    out = io.StringIO()
    render(status, Console(file=out, width=200))
    return out.getvalue(), json.dumps(as_json(status))


def status_of(*sites: SiteStatus, endpoints=()) -> EnvironmentStatus:
    status = EnvironmentStatus("dev", "eu-central-1", NOW, list(sites), list(endpoints))
    for s in status.sites:
        s.problems.extend(site_problems(s, "dev", NOW))
    for e in status.endpoints:
        e.problems.extend(endpoint_problems(e, "dev", NOW))
    return status


def test_neither_the_table_nor_the_json_holds_a_key():
    table, document = rendered(status_of(site(second="DOWN"), endpoints=[endpoint()]))
    for text in (table, document):
        assert not any(key in text for key in PSKS)
        assert PRIVATE_KEY not in text and "pre_shared_key" not in text.lower()
        assert "3.120.0.2" in text and "IPSEC IS DOWN" in text and "alice" in text


def test_the_json_holds_the_facts_of_the_table():
    document = json.loads(rendered(status_of(site(second="DOWN"), endpoints=[endpoint()]))[1])
    assert document["needs_action"] is True
    (tunnel1, tunnel2) = document["sites"][0]["tunnels"]
    assert (tunnel1["status"], tunnel2["status"], tunnel2["status_message"]) == ("UP", "DOWN", "IPSEC IS DOWN")
    assert tunnel1["accepted_route_count"] == 2 and tunnel1["last_status_change"] == "2026-12-01T09:00:00+00:00"
    assert document["sites"][0]["problems"][0]["where"] == "tunnel 2"
    (connected,) = document["client_vpn_endpoints"][0]["connections"]
    assert (connected["common_name"], connected["ingress_bytes"]) == ("alice", 1234)


def test_all_well_needs_no_action():
    status = status_of(site(), endpoints=[endpoint()])
    assert not status.needs_action
    assert "All well" in rendered(status)[0]


# ---- maintenance, one tunnel at a time ---------------------------------------------------------


def test_maintenance_refuses_a_tunnel_while_the_other_is_down():
    tunnels = tunnels_of(connection(second="DOWN"))
    with pytest.raises(MaintenanceRefused, match=r"not replacing tunnel 1 .* tunnel 2 \(3\.120\.0\.2\) is DOWN"):
        check_other_up("lab-office", tunnels[0], tuple(tunnels))
    check_other_up("lab-office", tunnels[1], tuple(tunnels))  # the down one may be replaced


def test_a_tunnel_still_up_right_after_the_call_is_not_yet_back():
    requested = NOW
    answers = iter([{"Status": "UP", "LastStatusChange": NOW - dt.timedelta(hours=1)}, {"Status": "DOWN"},
                    {"Status": "UP", "LastStatusChange": NOW + dt.timedelta(seconds=5)}])
    seen = []
    wait_until_back_up(lambda: next(answers), requested, timeout=60, poll=0, say=seen.append)
    assert seen == ["tunnel  is UP", "tunnel  is DOWN", "tunnel  is UP"]


# ---- the setting ---------------------------------------------------------------------------


def lifecycle(env, site_name: str) -> list[bool | None]:
    return [t.enable_tunnel_lifecycle_control for t in env.config.sites[site_name].tunnel]


@pytest.mark.parametrize(("tier", "expected"), [("development", False), ("staging", False), ("production", True)])
def test_lifecycle_control_defaults_on_in_production_only(tmp_path, tier, expected):
    env = variant("dev", [('tier       = "development"', f'tier       = "{tier}"')], tmp_path,
                  without=('client_vpn "',))
    assert lifecycle(env, "lab-office") == [expected, expected]


def test_an_explicit_setting_wins_over_the_tier_and_a_tunnels_over_the_sites(tmp_path):
    edits = [('tier       = "development"', 'tier       = "production"'),
             ('  crypto_profile = "compatible"\n', '  crypto_profile = "compatible"\n  tunnel_lifecycle_control = false\n'),
             ('    inside_cidr = "169.254.50.4/30"\n',
              '    inside_cidr = "169.254.50.4/30"\n    enable_tunnel_lifecycle_control = true\n')]
    env = variant("dev", edits, tmp_path, without=('client_vpn "',))
    assert lifecycle(env, "lab-office") == [False, True]
    (body,) = by_path(synth_json(env), "aws_vpn_connection").values()
    assert "tunnel1_enable_tunnel_lifecycle_control" not in body  # off is the provider's default: left out
    assert body["tunnel2_enable_tunnel_lifecycle_control"] is True


def test_prod_keeps_lifecycle_control_off_where_it_was_off(shipped):
    sites = shipped["prod"].config.sites
    assert lifecycle(shipped["prod"], "berlin-hq") == lifecycle(shipped["prod"], "paris-branch") == [False, False]
    assert [t.enable_tunnel_lifecycle_control for t in sites["frankfurt-dc"].tunnel] == [True, True]


# ---- the commands, run as an operator runs them ------------------------------------------------


@pytest.fixture(scope="module")
def ran(lifecycle):
    return lifecycle.result("operations")


def outputs(ran) -> list[str]:
    return [text for key, value in ran.items() if isinstance(value, dict) and "output" in value
            for text in (value["output"], value["errors"])]


@pytest.mark.terraform
@pytest.mark.pipeline("operations")
def test_status_names_a_tunnel_set_down_and_exits_1(ran):
    assert ran["down"]["status"] == 1, ran["down"]["errors"]
    assert "IPSEC IS DOWN" in ran["down"]["output"] and "only one tunnel up" in ran["down"]["output"]
    document = json.loads(ran["down_json"]["output"])
    assert ran["down_json"]["status"] == 1 and document["needs_action"] is True
    (lab,) = document["sites"]
    assert [t["status"] for t in lab["tunnels"]] == ["UP", "DOWN"]
    assert [t["outside_ip"] for t in lab["tunnels"]] == [ran["tunnels"]["first"], ran["tunnels"]["second"]]
    assert [p["where"] for p in lab["problems"]] == ["tunnel 2"]


@pytest.mark.terraform
@pytest.mark.pipeline("operations")
def test_status_exits_0_once_both_tunnels_are_up_with_the_endpoint_and_its_users(ran):
    assert ran["up"]["status"] == 0, ran["up"]["output"] + ran["up"]["errors"]
    assert "All well" in ran["up"]["output"]
    document = json.loads(ran["up_json"]["output"])
    assert ran["up_json"]["status"] == 0 and document["needs_action"] is False
    assert all(t["lifecycle_control"] for t in document["sites"][0]["tunnels"])
    (developers,) = document["client_vpn_endpoints"]
    assert developers["state"] == "available"
    assert [a["state"] for a in developers["associations"]] == ["associated"]
    (alice,) = developers["connections"]
    assert (alice["common_name"], alice["client_ip"], alice["ingress_bytes"]) == ("alice", "10.110.0.5", 123456)
    assert [c["role"] for c in developers["certificates"]] == ["server", "client root"]
    assert all(c["not_after"] for c in developers["certificates"]) and developers["crl"]["next_update"]


@pytest.mark.terraform
@pytest.mark.pipeline("operations")
def test_no_command_output_holds_a_preshared_key_or_a_private_key(ran):
    assert ran["secrets"], "the test found no key to look for"
    for text in outputs(ran):
        assert not any(key in text for key in ran["secrets"])
        assert "PRIVATE KEY" not in text


@pytest.mark.terraform
@pytest.mark.pipeline("operations")
def test_maintenance_lists_what_aws_holds_and_status_names_it_due(ran):
    assert ran["listed"]["status"] == 0, ran["listed"]["errors"]
    listed = ran["listed"]["output"]
    assert ran["tunnels"]["first"] in listed and ran["tunnels"]["second"] in listed
    assert "Tunnel endpoint" in listed and f"{ran['deadline']:%Y-%m-%d}" in listed
    document = json.loads(ran["due_json"]["output"])
    assert ran["due_json"]["status"] == 1
    assert [t["maintenance"]["pending"] for t in document["sites"][0]["tunnels"]] == [
        "Tunnel endpoint replacement (security patching)"] * 2
    assert all("maintenance due by" in p["text"] for p in document["sites"][0]["problems"])


def replay(history: list[dict], tunnels: dict, start: dict) -> list[dict]:
    """The states both tunnels were in, one after each recorded change."""
    state, seen = dict(start), []
    for entry in history:
        if entry["vpn_connection_id"] == tunnels["connection"]:
            state[entry["outside_ip"]] = entry["status"]
            seen.append(dict(state))
    return seen


@pytest.mark.terraform
@pytest.mark.pipeline("operations")
def test_maintenance_refuses_while_the_other_tunnel_is_down(ran):
    assert ran["refused"]["status"] == 1
    assert "not replacing tunnel 1" in ran["refused"]["errors"] and "tunnel 2" in ran["refused"]["errors"]
    first = ran["tunnels"]["first"]
    before = [e["status"] for e in ran["history"][: ran["history_mark"]] if e["outside_ip"] == first]
    assert before[-1] == "UP" and "DOWN" not in before[before.index("UP"):]  # never touched


@pytest.mark.terraform
@pytest.mark.pipeline("operations")
def test_maintenance_replaces_one_tunnel_then_the_other_never_both_down(ran):
    assert ran["applied"]["status"] == 0, ran["applied"]["output"] + ran["applied"]["errors"]
    assert "tunnel 1 then 2" in ran["applied"]["output"]
    tunnels = ran["tunnels"]
    first, second = tunnels["first"], tunnels["second"]
    states = replay(ran["history"][ran["history_mark"]:], tunnels, {first: "UP", second: "UP"})
    assert all("UP" in (s[first], s[second]) for s in states), states
    down = [next(i for i, s in enumerate(states) if s[ip] == "DOWN") for ip in (first, second)]
    assert down[0] < down[1]  # tunnel 1 first
    assert states[-1] == {first: "UP", second: "UP"}
    assert "none pending" in ran["listed_after"]["output"]
