"""The policy pack: every shipped environment passes, and each check fails its fixture.

One checkov run covers the three environments' synthesized JSON, another all
fixtures: checkov takes seconds to start.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ENV_NAMES
from vpnctl.policy.scan import PROD_ONLY, scan

FIXTURES = Path(__file__).parent / "policy_fixtures"
OUR_CHECKS = {f"CKV_VPNAC_{n}" for n in range(1, 8)}


@pytest.fixture(scope="module")
def environment_reports(synthesized_dir) -> dict:
    reports = {}
    for name in ENV_NAMES:
        file = synthesized_dir / "stacks" / name / "cdk.tf.json"
        reports[name] = scan([file], name)[file]
    return reports


@pytest.fixture(scope="module")
def fixture_reports() -> dict:
    files = sorted(FIXTURES.glob("*.tf.json"))
    return {file.name: report for file, report in scan(files, None).items()}


@pytest.mark.parametrize("env", ENV_NAMES)
def test_every_shipped_environment_passes_the_policy_pack(environment_reports, env):
    report = environment_reports[env]
    assert report.ok, [(f.check_id, f.resource) for f in report.failed]
    assert report.passed >= 20


def test_prod_runs_every_check_and_the_others_skip_only_prod_policy(environment_reports):
    assert environment_reports["prod"].skipped == ()
    for env in ("dev", "staging"):
        assert set(environment_reports[env].skipped) == set(PROD_ONLY)


def test_every_check_has_a_failing_fixture(fixture_reports):
    assert {name.split(".")[0] for name in fixture_reports} == OUR_CHECKS


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.tf.json")))
def test_each_fixture_fails_its_own_check_and_no_other_of_ours(fixture_reports, fixture):
    expected = fixture.split(".")[0]
    failed = {finding.check_id for finding in fixture_reports[fixture].failed}
    assert failed & OUR_CHECKS == {expected}
    (finding,) = [f for f in fixture_reports[fixture].failed if f.check_id == expected]
    assert finding.resource.endswith(".fixture")


def test_the_policy_command_passes_every_environment(tmp_path):
    from tests.conftest import run_vpnctl

    result = run_vpnctl("policy", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line.split(":")[0] for line in result.stdout.splitlines() if not line.startswith(" ")] == sorted(ENV_NAMES)
