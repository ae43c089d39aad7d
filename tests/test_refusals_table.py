"""docs/aws-refusals.md, the table of what AWS refuses for each action our resources cause, stays true: every
action has its table, every row one of the three answers, every "emulated" code is one the emulator
raises, and every bad-config test a row cites exists."""

from __future__ import annotations

import re

from tests.conftest import ROOT
from tests.test_bad_client_vpn_configs import CASES as CLIENT_VPN_CASES
from tests.test_bad_configs import CASES as SITE_CASES

TABLE = ROOT / "docs" / "aws-refusals.md"
ACTIONS = (
    "CreateClientVpnEndpoint", "ModifyClientVpnEndpoint", "AssociateClientVpnTargetNetwork",
    "ApplySecurityGroupsToClientVpnTargetNetwork", "AuthorizeClientVpnIngress", "CreateClientVpnRoute",
    "ImportClientVpnClientCertificateRevocationList",
    "CreateCustomerGateway", "CreateVpnGateway", "AttachVpnGateway", "EnableVgwRoutePropagation", "CreateVpnConnection",
    "ModifyVpnTunnelOptions", "CreateVpnConnectionRoute",
    "AssociateTransitGatewayRouteTable", "EnableTransitGatewayRouteTablePropagation", "CreateTransitGatewayRoute",
)
ANSWER = re.compile(r"(validated( in part)?[: ]|emulated|can't be checked before apply, because )")


def rows() -> list[tuple[str, list[str]]]:
    """(the section's action, the row's four cells) for each table row."""
    section, out = None, []
    for line in TABLE.read_text().splitlines():
        if line.startswith("### "):
            section = line[4:].strip()
        elif line.startswith("| ") and not line.startswith(("| Action", "| ---")):
            out.append((section, [cell.strip() for cell in line.strip().strip("|").split("|")]))
    return out


def test_every_action_our_resources_cause_has_its_table():
    sections = {section for section, _ in rows()}
    assert set(ACTIONS) <= sections, sorted(set(ACTIONS) - sections)


def test_every_row_names_its_action_a_code_and_one_of_the_three_answers():
    for section, cells in rows():
        assert len(cells) == 4, cells
        action, code, _, answer = cells
        assert action == section and re.fullmatch(r"[A-Za-z][\w.]+", code), cells
        assert ANSWER.match(answer), f"{action} {code}: {answer}"


# Raised by moto itself for every EC2 resource (its tag store), with a boto3 test in tests/test_emulator.py.
MOTO_RAISES = {"TagLimitExceeded"}


def test_every_emulated_code_is_one_the_emulator_raises():
    source = "".join(path.read_text() for path in (ROOT / "aws_emulator").glob("*.py"))
    claimed = {cells[1] for _, cells in rows() if "emulated" in cells[3]} - MOTO_RAISES
    assert claimed and all(f'"{code}"' in source for code in claimed), sorted(c for c in claimed if f'"{c}"' not in source)


def test_every_cited_bad_config_test_exists():
    cases = {case[0] for case in (*SITE_CASES, *CLIENT_VPN_CASES)}
    cited = {name.strip().split(" ")[0] for _, cells in rows()
             for group in re.findall(r"\(test: ([^)]+)\)", cells[3]) for name in group.split(",")}
    assert cited and cited <= cases, sorted(cited - cases)
