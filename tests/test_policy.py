"""The policy pack: every shipped environment passes, each check fails its fixture, and strictness
follows the environment's tier.

One checkov run covers the three environments' synthesized JSON, another all
fixtures (failing ones, and passing ones under passing/): checkov takes seconds to start.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.conftest import ENV_NAMES
from vpnctl.policy.checkov_process import TEMP_VARIABLES
from vpnctl.policy.scan import PRODUCTION_ONLY, checkov_binary, scan, skips_for

FIXTURES = Path(__file__).parent / "policy_fixtures"
PASSING_FIXTURES = FIXTURES / "passing"
OUR_CHECKS = {f"CKV_VPNAC_{n}" for n in range(1, 9)}


@pytest.fixture(scope="session")
def environment_reports(synthesized_dir, shipped) -> dict:
    """One checkov run per set of skipped checks (production, or any other tier), its environments' files at once."""
    files = {name: synthesized_dir / "stacks" / name / "cdk.tf.json" for name in ENV_NAMES}
    tiers = {name: shipped[name].config.tier for name in ENV_NAMES}
    reports = {}
    for skips in {frozenset(skips_for(tier)) for tier in tiers.values()}:
        names = [name for name in ENV_NAMES if frozenset(skips_for(tiers[name])) == skips]
        scanned = scan([files[name] for name in names], tiers[names[0]])
        reports |= {name: scanned[files[name]] for name in names}
    return reports


@pytest.fixture(scope="module")
def all_fixture_reports() -> dict:
    """Failing and passing fixtures in one checkov run, by path below policy_fixtures/."""
    files = sorted(FIXTURES.glob("*.tf.json")) + sorted(PASSING_FIXTURES.glob("*.tf.json"))
    return {file.relative_to(FIXTURES).as_posix(): report for file, report in scan(files, None).items()}


@pytest.fixture(scope="module")
def fixture_reports(all_fixture_reports) -> dict:
    return {name: report for name, report in all_fixture_reports.items() if "/" not in name}


@pytest.mark.parametrize("env", ENV_NAMES)
def test_every_shipped_environment_passes_the_policy_pack(environment_reports, env):
    report = environment_reports[env]
    assert report.ok, [(f.check_id, f.resource) for f in report.failed]
    assert report.passed >= 20


def test_prod_runs_every_check_and_the_others_skip_only_production_policy(environment_reports):
    assert environment_reports["prod"].skipped == ()
    for env in ("dev", "staging"):
        assert set(environment_reports[env].skipped) == set(PRODUCTION_ONLY)


def test_strictness_follows_the_tier_not_the_name():
    assert skips_for("production") == {}
    assert skips_for(None) == {}, "a fixture or a stack from outside our config gets every check"
    for tier in ("development", "staging"):
        assert skips_for(tier) == PRODUCTION_ONLY
    assert skips_for("prod") == PRODUCTION_ONLY, "an environment's name is not a tier"


def test_two_associations_are_skipped_outside_the_production_tier_with_a_reason():
    assert "two Client VPN associations" in skips_for("development")["CKV_VPNAC_8"]


def test_every_check_has_a_failing_fixture(fixture_reports):
    assert {name.split(".")[0] for name in fixture_reports} == OUR_CHECKS


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.tf.json")))
def test_each_fixture_fails_its_own_check_and_no_other_of_ours(fixture_reports, fixture):
    expected = fixture.split(".")[0]
    failed = {finding.check_id for finding in fixture_reports[fixture].failed}
    assert failed & OUR_CHECKS == {expected}
    (finding,) = [f for f in fixture_reports[fixture].failed if f.check_id == expected]
    assert finding.resource.endswith(".fixture")


def test_an_endpoint_with_one_association_fails_the_two_subnet_check(fixture_reports):
    (finding,) = fixture_reports["CKV_VPNAC_8.one-association.tf.json"].failed
    assert (finding.check_id, finding.resource) == ("CKV_VPNAC_8", "aws_ec2_client_vpn_endpoint.fixture")


def test_two_associations_of_one_subnet_fail_the_two_subnet_check(fixture_reports):
    assert [f.check_id for f in fixture_reports["CKV_VPNAC_8.same-subnet.tf.json"].failed] == ["CKV_VPNAC_8"]


def test_an_endpoint_with_two_associated_subnets_passes_the_two_subnet_check(all_fixture_reports):
    report = all_fixture_reports["passing/CKV_VPNAC_8.two-subnets.tf.json"]
    assert report.ok, [(f.check_id, f.resource) for f in report.failed]
    assert report.passed >= 2  # CKV_VPNAC_4 and CKV_VPNAC_8 on the endpoint


def test_the_policy_command_passes_every_environment(tmp_path):
    from tests.conftest import run_vpnctl

    result = run_vpnctl("policy", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line.split(":")[0] for line in result.stdout.splitlines() if not line.startswith(" ")] == sorted(ENV_NAMES)


class _CreatesFile:
    """Unpickled, creates `path`: stands for code planted in a shared temp folder."""

    def __init__(self, path: Path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def _checkov_in(folder: Path) -> list[str]:
    """Runs checkov on a fixture with `folder` as its temp folder; returns the files it holds afterwards."""
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", **dict.fromkeys(TEMP_VARIABLES, str(folder))}
    subprocess.run([checkov_binary(), "--framework", "terraform_json", "--output", "json", "--skip-download",
                    "--file", str(PLANT_TARGET)], env=env, capture_output=True, check=False)
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())


def _plant(folder: Path, names: list[str], marker: Path) -> None:
    # lark's grammar cache (the .lark_cache_* file): a digest line, then pickles it loads before comparing it
    payload = b"0" * 64 + b"\n" + pickle.dumps(_CreatesFile(marker))
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(payload if name.startswith(".lark_") else payload.split(b"\n", 1)[1])


PLANT_TARGET = PASSING_FIXTURES / "CKV_VPNAC_8.two-subnets.tf.json"


def test_a_pickle_planted_in_the_shared_temp_folder_does_not_run_during_a_scan(tmp_path, monkeypatch):
    names = _checkov_in(_folder(tmp_path / "probe"))  # every file checkov keeps in its temp folder
    assert any(name.startswith(".lark_cache_") for name in names), names
    shared, marker = _folder(tmp_path / "shared-tmp"), tmp_path / "planted-code-ran"
    _plant(shared, names, marker)
    _checkov_in(shared)  # checkov given the shared folder, as vpnctl once gave it /tmp: the plant runs
    assert marker.exists(), "the planted pickle did not run even in the shared folder: the test proves nothing"
    marker.unlink()
    _plant(shared, names, marker)  # checkov rewrote its cache
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    for name in TEMP_VARIABLES:
        monkeypatch.setenv(name, str(shared))
    made: list[tuple[Path, int]] = []
    real_mkdtemp = tempfile.mkdtemp

    def recording_mkdtemp(*args, **kwargs):
        path = real_mkdtemp(*args, **kwargs)
        made.append((Path(path), Path(path).stat().st_mode & 0o777))
        return path

    monkeypatch.setattr(tempfile, "mkdtemp", recording_mkdtemp)

    scan([PLANT_TARGET], None)

    assert not marker.exists(), "checkov ran a pickle planted in the shared temp folder"
    assert [(path.parent, mode) for path, mode in made] == [(shared, 0o700)]
    assert not made[0][0].exists(), "the scan's private temp folder was left behind"
    assert sorted(path.relative_to(shared).as_posix() for path in shared.rglob("*") if path.is_file()) == names


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def test_one_run_over_every_tier_reports_each_stack_as_a_run_for_its_tier_alone(environment_reports, synthesized_dir,
                                                                                 shipped):
    """What `vpnctl review` does beside its plans: one checkov run over the stacks of every tier, each report
    without the checks its tier skips, as the separate runs of the fixture give them."""
    from vpnctl.policy.scan import scan_tiers

    files = {name: synthesized_dir / "stacks" / name / "cdk.tf.json" for name in ENV_NAMES}
    together = scan_tiers({files[name]: shipped[name].config.tier for name in ENV_NAMES})
    assert {name: together[files[name]] for name in ENV_NAMES} == environment_reports
    assert {shipped[name].config.tier for name in ENV_NAMES} > {"production"}  # more than one tier in that run
