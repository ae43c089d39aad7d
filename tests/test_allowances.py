"""Allowances bound to the reviewed change (`ADDRESS@DIGEST`): a bare address, or one given for another
change of the same resource (a stale VPN_ALLOW_REPLACE left in a shell), lifts nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.scenarios import PROD_BERLIN_ALLOWANCE, PROD_BERLIN_CONNECTION, PROD_INSIDE, variant

# Another new inside CIDR for the same tunnel: a different change of the same connection.
OTHER_INSIDE = [('"169.254.10.0/30"', '"169.254.14.0/30"')]


def test_the_review_s_allowance_lifts_the_guard_of_exactly_the_reviewed_change(tmp_path):
    from vpnctl.synthesized import synth_stacks

    env = variant("prod", PROD_INSIDE, tmp_path / "env")
    synth_stacks([env], tmp_path / "out", frozenset({PROD_BERLIN_ALLOWANCE}))
    body = json.loads((tmp_path / "out" / "stacks" / "prod" / "cdk.tf.json").read_text())
    connection = body["resource"]["aws_vpn_connection"]["site-berlin-hq_connection_6043E8D9"]
    assert connection["lifecycle"]["prevent_destroy"] is False


def test_an_allowance_given_for_another_change_of_the_resource_is_refused(tmp_path):
    from stacks.guard import GuardError
    from vpnctl.synthesized import synth_stacks

    env = variant("prod", OTHER_INSIDE, tmp_path / "env")
    with pytest.raises(GuardError, match=r"@f235e0db58ca was given for another change of .*: it synthesizes as @"):
        synth_stacks([env], tmp_path / "out", frozenset({PROD_BERLIN_ALLOWANCE}))
    assert not list((tmp_path / "out").rglob("cdk.tf.json"))  # nothing synthesized


def test_an_address_alone_lifts_nothing(tmp_path):
    from stacks.guard import GuardError
    from vpnctl.synthesized import synth_stacks

    env = variant("prod", PROD_INSIDE, tmp_path / "environments")
    with pytest.raises(GuardError, match="name the reviewed change too, as the review prints it"):
        synth_stacks([env], tmp_path / "out", frozenset({PROD_BERLIN_CONNECTION}))


def test_a_stale_vpn_allow_replace_in_the_shell_stops_cdktf(tmp_path):
    variant("prod", OTHER_INSIDE, tmp_path / "environments")
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py")], cwd=tmp_path, capture_output=True, text=True, check=False,
        env={**os.environ, "CDKTF_OUTDIR": str(tmp_path / "out"), "VPN_ENVIRONMENTS_DIR": str(tmp_path / "environments"),
             "VPN_ALLOW_REPLACE": PROD_BERLIN_ALLOWANCE},
    )
    assert result.returncode == 2 and "was given for another change" in result.stderr
