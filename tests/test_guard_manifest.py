"""Production's guard manifest (environments/<env>.guard.json): a guarded site or endpoint leaves only when
retired there too, and a changed identity (tier, account, region, state, file, VPC) is refused unless allowed
by its new value, on every path: `vpnctl review|deploy` (exit 3, before Terraform) and `main.py` (exit 2)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ENVIRONMENTS, ROOT, run_vpnctl
from tests.scenarios import PROD_IDENTITY, without_block

PROD = (ENVIRONMENTS / "prod.hcl").read_text()
MANIFEST = (ENVIRONMENTS / "prod.guard.json").read_text()
REMOVED_SITE = 'site "frankfurt-dc"'


def environments(tmp_path, text: str = PROD, name: str = "prod", manifest: str | None = MANIFEST,
                 manifest_name: str = "prod"):
    folder = tmp_path / "environments"
    folder.mkdir()
    (folder / f"{name}.hcl").write_text(text)
    if manifest is not None:
        (folder / f"{manifest_name}.guard.json").write_text(manifest)
    return tmp_path


def fake_terraform(tmp_path) -> tuple[dict, object]:
    """A `terraform` on PATH that records its calls and fails: whether vpnctl got as far as Terraform."""
    folder = tmp_path / "bin"
    folder.mkdir()
    calls = tmp_path / "terraform-calls"
    (folder / "terraform").write_text(f"#!/bin/sh\necho \"$@\" >> {calls}\nexit 1\n")
    (folder / "terraform").chmod(0o755)
    return {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}, calls


def cdktf_app(cwd, **extra: str) -> subprocess.CompletedProcess:
    """The cdktf app as `cdktf synth|diff|deploy` runs it."""
    return subprocess.run([sys.executable, str(ROOT / "main.py")], cwd=cwd, capture_output=True, text=True,
                          check=False, env={**os.environ, "CDKTF_OUTDIR": str(cwd / "out"), **extra})


def test_the_shipped_manifest_matches_prod():
    from stacks.config import guard_manifest, load_environment

    prod = load_environment(ENVIRONMENTS / "prod.hcl")
    assert guard_manifest.render("prod", prod.config) == MANIFEST


def test_a_guarded_site_removed_without_retirement_is_refused_on_every_path_naming_how_to_retire(tmp_path):
    base = environments(tmp_path, without_block(PROD, REMOVED_SITE))
    expected = ('environments/prod.hcl: site "frankfurt-dc": guarded by environments/prod.guard.json; removing its '
                "block destroys its VPN connection and customer gateway (new tunnel IPs if it comes back). To retire "
                "it, delete its name from environments/prod.guard.json in the same change")
    result = run_vpnctl("--environments", "environments", "validate", cwd=base)
    assert result.returncode == 2 and result.stderr.splitlines() == [expected], result.stderr
    app = cdktf_app(base)
    assert app.returncode == 2 and expected in app.stderr and not (base / "out").exists()


def test_a_retired_site_may_leave(tmp_path):
    retired = MANIFEST.replace('      "frankfurt-dc",\n', "")
    assert retired != MANIFEST
    base = environments(tmp_path, without_block(PROD, REMOVED_SITE), manifest=retired)
    assert run_vpnctl("--environments", "environments", "validate", cwd=base).returncode == 0


# Each change of identity (tests/scenarios.py), and the plain words that name it.
WORDS = {
    "tier": "lowers the tier from production to staging",
    "vpc.id": "moves the virtual private gateway from vpc-0c1d2e3f4a5b60789 to vpc-0c1d2e3f4a5b60aaa",
    "region": "this plan manages a new, empty core (account 333333333333, eu-west-1",
    "state.bucket": "the current core in eu-central-1",
}
LOWERINGS = {key: (*PROD_IDENTITY[key], words) for key, words in WORDS.items()}


# A production environment whose name doesn't say prod: there the name rule would refuse a lowered tier first.
CORE_MANIFEST = MANIFEST.replace('"file": "prod.hcl"', '"file": "core.hcl"')


def edited(edits: list[tuple[str, str]]) -> str:
    text = PROD
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize("key", sorted(LOWERINGS))
def test_each_changed_identity_is_named_in_plain_words_with_the_allowance_for_its_new_value(tmp_path, key):
    from stacks.config import guard_manifest, load_environment

    edits, allowance, words = LOWERINGS[key]
    base = environments(tmp_path, edited(edits), name="core", manifest=CORE_MANIFEST, manifest_name="core")
    core = load_environment(base / "environments" / "core.hcl")
    [line] = guard_manifest.refusals(str(base / "environments" / "core.hcl"), "core", core.config, frozenset(),
                                     "--allow-change {}")
    assert f": {key}: " in line and words in line and line.endswith(f"--allow-change {allowance}")
    assert guard_manifest.refusals(str(base / "environments" / "core.hcl"), "core", core.config,
                                   frozenset({allowance}), "{}") == []
    assert guard_manifest.refusals(str(base / "environments" / "core.hcl"), "core", core.config,
                                   frozenset({f"{key}=other"}), "{}") != [], "an allowance for another value"


def test_a_lowered_tier_is_refused_by_review_and_deploy_before_terraform_and_by_cdktf_unless_allowed(tmp_path):
    edits, allowance, words = LOWERINGS["tier"]
    base = environments(tmp_path, edited(edits), name="core", manifest=CORE_MANIFEST, manifest_name="core")
    env, calls = fake_terraform(tmp_path)
    deploy = run_vpnctl("--environments", "environments", "deploy", "core", "--auto-approve", cwd=base, env=env)
    assert deploy.returncode == 3, deploy.stderr
    assert "refused by the prod guard: environments/core.hcl: tier: production → staging: " in deploy.stderr
    assert words in deploy.stderr and f"--allow-change {allowance}" in deploy.stderr
    assert not calls.exists(), "refused before any Terraform command"
    allowed = run_vpnctl("--environments", "environments", "review", "core", "--allow-change", allowance, cwd=base,
                         env=env)
    assert "refused by the prod guard" not in allowed.stderr and calls.exists(), allowed.stderr
    app = cdktf_app(base)
    assert app.returncode == 2 and words in app.stderr and f"VPN_ALLOW_CHANGE='{allowance}'" in app.stderr


def test_a_renamed_production_file_is_refused_as_a_move_of_its_state(tmp_path):
    base = environments(tmp_path, name="production")
    env, calls = fake_terraform(tmp_path)
    refused = run_vpnctl("--environments", "environments", "deploy", "production", "--auto-approve", cwd=base, env=env)
    assert refused.returncode == 3, refused.stderr
    assert ("file: prod.hcl → production.hcl: moves prod's state from s3://acme-tfstate-prod/vpn/prod/terraform.tfstate "
            "to s3://acme-tfstate-prod/vpn/production/terraform.tfstate: Terraform finds no state there and would "
            "plan a new, empty production beside the current prod in eu-central-1 (account 333333333333), leaving "
            "that one unmanaged; allowed, `vpnctl deploy` copies the state there first") in refused.stderr
    assert "--allow-change file=production.hcl" in refused.stderr and not calls.exists()
    app = cdktf_app(base)  # the manifest left without its file stops cdktf too
    assert app.returncode == 2 and "environments/prod.guard.json: guards prod.hcl, which is gone" in app.stderr


def test_an_allowance_that_matches_no_change_is_a_usage_error(tmp_path):
    base = environments(tmp_path)
    result = run_vpnctl("--environments", "environments", "review", "prod", "--allow-change", "tier=staging",
                        cwd=base)
    assert result.returncode == 2 and "--allow-change tier=staging: no such change of identity" in result.stderr


def test_raising_the_tier_is_no_lowering(tmp_path):
    from stacks.config import guard_manifest, load_environment

    shutil.copy(ENVIRONMENTS / "staging.hcl", tmp_path / "staging.hcl")
    staging = load_environment(tmp_path / "staging.hcl")
    (tmp_path / "staging.guard.json").write_text(guard_manifest.render("staging", staging.config))
    raised = (tmp_path / "staging.hcl").read_text().replace('tier            = "staging"', 'tier            = "production"')
    (tmp_path / "staging.hcl").write_text(raised)
    changes = guard_manifest.identity_changes(tmp_path / "staging.hcl", "staging",
                                              load_environment(tmp_path / "staging.hcl").config)
    assert changes == []


def test_the_library_s_deploy_and_review_refuse_a_changed_identity_too(tmp_path, monkeypatch):
    """Callers of vpnctl as a library get the same refusal as the CLI, before Terraform."""
    from stacks.config import load_environment
    from vpnctl.plan_and_apply import AUTOMATIC, DeployRefused, deploy_environment
    from vpnctl.review import render
    from vpnctl.review.plan_review import review_environment
    from vpnctl.review.report import EXIT_REFUSED

    edits, _, words = LOWERINGS["vpc.id"]
    base = environments(tmp_path, edited(edits), name="core", manifest=CORE_MANIFEST, manifest_name="core")
    monkeypatch.chdir(base)  # sources are relative to the working directory, as the loader makes them
    core = load_environment(base / "environments" / "core.hcl")
    with pytest.raises(DeployRefused, match="moves the virtual private gateway") as refused:
        deploy_environment(core, tmp_path / "out", tmp_path / "build", approval=AUTOMATIC)
    assert refused.value.status == EXIT_REFUSED
    review = review_environment(core, tmp_path / "out", tmp_path / "build")
    assert review.exit_status == EXIT_REFUSED and words in review.identity_refusals[0]
    assert not (tmp_path / "build").exists(), "nothing ran"
    comment, shown = render.markdown([review]), render.terminal([review])
    assert "Refused by the prod guard, before any plan" in comment and words in comment
    assert "--allow-change vpc.id=vpc-0c1d2e3f4a5b60aaa" in comment
    assert "  refused: environments/core.hcl: vpc.id: vpc-0c1d2e3f4a5b60789 → vpc-0c1d2e3f4a5b60aaa" in shown


def test_after_an_allowed_rename_the_new_file_s_manifest_replaces_the_old_one(tmp_path):
    """Else every later run would be refused again, by main.py's orphan check, for a rename already made."""
    from stacks.config import guard_manifest, load_environment

    base = environments(tmp_path, name="production")
    folder = base / "environments"
    production = load_environment(folder / "production.hcl")
    assert [c.key for c in guard_manifest.identity_changes(folder / "production.hcl", "production",
                                                           production.config)] == ["file"]
    lines = guard_manifest.write(folder / "production.hcl", "production", production.config)
    assert lines == [f"{folder}/production.guard.json records what is guarded now",
                     f"{folder}/prod.guard.json removed: {folder}/production.guard.json replaces it"]
    assert guard_manifest.orphans(folder) == []
    assert guard_manifest.identity_changes(folder / "production.hcl", "production", production.config) == []


def test_after_an_allowed_lowering_the_manifest_goes_with_the_tier(tmp_path):
    from stacks.config import guard_manifest, load_environment

    edits, _, _ = LOWERINGS["tier"]
    base = environments(tmp_path, edited(edits), name="core", manifest=CORE_MANIFEST, manifest_name="core")
    folder = base / "environments"
    core = load_environment(folder / "core.hcl")
    assert guard_manifest.write(folder / "core.hcl", "core", core.config) == [
        f"{folder}/core.guard.json removed: the staging tier has no guard"]
    assert not (folder / "core.guard.json").exists()
    assert guard_manifest.identity_changes(folder / "core.hcl", "core", core.config) == []
    assert guard_manifest.write(folder / "core.hcl", "core", core.config) == [], "nothing to do twice"
