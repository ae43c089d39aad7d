"""Shards: an environment's sites split into stacks of their own (docs/shards.md).

Synthesized: a sharded prod (a variant of the shipped file) writes its base and a stack per shard; each site's
addresses and resources are those of the unsharded prod; the base keeps what is shared; each shard keeps its
state under its own key; the guard covers shards. Bad shard blocks are refused with one `file: key: rule` line.
On the emulator (tests/shard_pipeline.py): `cdktf deploy` of one shard applies only that shard, and moving a
site between shards is a state move, planned with nothing to change afterwards.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ENV_NAMES, ROOT, resources, vpnctl_in_process
from tests.scenarios import ENVIRONMENTS, variant
from tests.shard_pipeline import shards
from tests.test_bad_configs import BASE, F, assert_rejected, run_on

PROD_SHARDS = shards(emea=["berlin-hq", "paris-branch"], dc=["frankfurt-dc"])
SHARDED = {"prod": ["berlin-hq", "paris-branch", "frankfurt-dc"]}
SITE = re.compile(r"site-([a-z0-9-]+?)_")
BRANCH = BASE.replace('site "office"', 'site "branch"').replace("198.51.100.20", "198.51.100.21").replace(
    "192.168.50.0/24", "192.168.51.0/24").replace("169.254.50.", "169.254.51.")
TWO_SITES = BASE + BRANCH[BRANCH.index('site "branch"'):]


@pytest.fixture(scope="module")
def sharded(tmp_path_factory, synthesized_dir) -> dict:
    """prod with two shards, synthesized as `vpnctl synth` writes it, beside the shipped prod."""
    from vpnctl.synthesized import read_stack, stack_dirs, synth_stacks

    folder = tmp_path_factory.mktemp("sharded")
    env = variant("prod", [("# Staff: SAML groups", PROD_SHARDS + "\n# Staff: SAML groups")], folder / "env")
    synth_stacks([env], folder / "out")
    return {"env": env, "dirs": stack_dirs(folder / "out", env), "out": folder / "out",
            "stacks": {name: read_stack(folder / "out", name) for name in stack_dirs(folder / "out", env)},
            "unsharded": read_stack(synthesized_dir, "prod")}


def site_resources(document: dict) -> dict[str, dict]:
    """Address -> body (without cdktf's metadata) of every resource and data source of a site scope."""
    out = {}
    for kind, prefix in (("resource", ""), ("data", "data.")):
        for resource_type, items in document.get(kind, {}).items():
            for name, body in items.items():
                if SITE.match(name):
                    out[f"{prefix}{resource_type}.{name}"] = {k: v for k, v in body.items() if k != "//"}
    return out


def test_a_sharded_prod_writes_its_base_and_a_stack_per_shard(sharded):
    assert list(sharded["dirs"]) == ["prod", "prod-emea", "prod-dc"]
    assert all((folder / "cdk.tf.json").is_file() for folder in sharded["dirs"].values())
    assert sorted(path.name for path in (sharded["out"] / "stacks").iterdir()) == ["prod", "prod-dc", "prod-emea"]


def test_each_site_keeps_its_addresses_and_resources_in_its_shard(sharded):
    """The same construct IDs below the stack give the same addresses: a move between stacks is a state move.
    The bodies differ only where a site reads what the base shares, now through the base's outputs."""
    unsharded = json.dumps(site_resources(sharded["unsharded"]))
    reads = {"${aws_vpn_gateway.vpn_gateway_B48F4B9E.id}": "${data.terraform_remote_state.base.outputs.vpn_gateway_id}",
             "${aws_sns_topic.alarm_topic_3AE246C5.arn}": "${data.terraform_remote_state.base.outputs.alarm_topic_arn}",
             "${aws_kms_key.log_key_04D8AC30.arn}": "${data.aws_kms_alias.log_key.target_key_arn}"}
    for reference, read in reads.items():
        assert reference in unsharded
        unsharded = unsharded.replace(reference, read)
    in_shards = {**site_resources(sharded["stacks"]["prod-emea"]), **site_resources(sharded["stacks"]["prod-dc"])}
    assert in_shards == json.loads(unsharded)
    assert site_names(sharded["stacks"]["prod-emea"]) == {"berlin-hq", "paris-branch"}
    assert site_names(sharded["stacks"]["prod-dc"]) == {"frankfurt-dc"}


def test_the_base_keeps_what_is_shared_and_no_sharded_site(sharded):
    base = sharded["stacks"]["prod"]
    assert site_resources(base) == {}
    for kept in ("aws_vpn_gateway", "aws_vpn_gateway_route_propagation", "aws_sns_topic", "aws_kms_key",
                 "aws_ec2_client_vpn_endpoint", "aws_ec2_client_vpn_network_association"):
        assert resources(base, kept) == resources(sharded["unsharded"], kept), kept
    assert base["output"]["shard_stacks"]["value"] == ["prod-emea", "prod-dc"]
    assert base["output"].keys() - sharded["unsharded"]["output"].keys() == {"shard_stacks"}
    assert not [name for name in base["output"] if name.startswith("site_")]
    for name in ("prod-emea", "prod-dc"):
        assert "client_vpn" not in json.dumps(sharded["stacks"][name]) and "aws_vpn_gateway" not in json.dumps(
            sharded["stacks"][name]["resource"])


def test_each_shard_keeps_its_state_under_its_own_key_with_the_base_s_settings(sharded):
    base = sharded["stacks"]["prod"]
    for name in ("prod-emea", "prod-dc"):
        stack = sharded["stacks"][name]
        assert stack["terraform"]["backend"]["s3"] == {**base["terraform"]["backend"]["s3"],
                                                       "key": f"vpn/{name}/terraform.tfstate"}
        assert stack["terraform"]["backend"]["s3"]["use_lockfile"] is True
        assert stack["provider"] == base["provider"] and stack["terraform"]["required_providers"] == base[
            "terraform"]["required_providers"]
        assert stack["data"]["terraform_remote_state"]["base"]["config"] == {
            "bucket": "acme-tfstate-prod", "key": "vpn/prod/terraform.tfstate", "region": "eu-central-1"}
        assert stack["output"].keys() == {f"site_{site}_{kind}" for site in site_names(stack)
                                          for kind in ("tunnels", "customer_gateway_configuration")}


def test_a_shard_finds_the_log_key_the_base_creates_by_its_alias(sharded):
    """A base deployed before shards existed outputs no key ARN: the shard that the change introduces finds
    the key by the alias the base created with it, and so plans against that base."""
    (alias,) = resources(sharded["stacks"]["prod"], "aws_kms_alias").values()
    for name in ("prod-emea", "prod-dc"):
        assert sharded["stacks"][name]["data"]["aws_kms_alias"]["log_key"]["name"] == alias["name"]


def site_names(stack: dict) -> set[str]:
    return {SITE.match(address.split(".")[-1]).group(1) for address in site_resources(stack)}


def test_a_shard_of_transit_gateway_sites_reads_no_vpn_gateway(sharded):
    text = json.dumps(sharded["stacks"]["prod-dc"])
    assert "outputs.vpn_gateway_id" not in text and "outputs.alarm_topic_arn" in text
    assert "outputs.vpn_gateway_id" in json.dumps(sharded["stacks"]["prod-emea"])


def test_the_prod_guard_covers_shard_stacks_and_an_allowance_lifts_it_in_the_site_s_stack(sharded, tmp_path):
    from stacks.config.allowances import digest
    from stacks.guard import GuardError
    from vpnctl.synthesized import read_stack, synth_stacks

    emea = sharded["stacks"]["prod-emea"]
    connection = "aws_vpn_connection.site-berlin-hq_connection_6043E8D9"
    assert resources(emea, "aws_vpn_connection")[connection.split(".")[1]]["lifecycle"]["prevent_destroy"] is True
    assert all(body["lifecycle"]["prevent_destroy"] for body in resources(emea, "aws_customer_gateway").values())
    allowance = f"{connection}@{digest(emea, connection)}"
    synth_stacks([sharded["env"]], tmp_path / "allowed", frozenset({allowance}))
    lifted = read_stack(tmp_path / "allowed", "prod-emea")
    assert resources(lifted, "aws_vpn_connection")[connection.split(".")[1]]["lifecycle"]["prevent_destroy"] is False
    assert read_stack(tmp_path / "allowed", "prod") == sharded["stacks"]["prod"]
    with pytest.raises(GuardError) as refused:
        synth_stacks([sharded["env"]], tmp_path / "typo", frozenset({connection + "X@0123456789ab"}))
    assert "prod, prod-emea, prod-dc" in str(refused.value) and connection in str(refused.value)


def test_environments_without_shards_synthesize_as_the_recorded_plans_were_made_from(synthesized_dir, shipped):
    """Byte for byte as before shards existed: the digests the recordings name (tests/plans/) for the shipped
    environments, one stack each."""
    from stacks.app import build_app
    from tests import recorded_plans

    applied = {json.loads(path.read_text())["environment"]: json.loads(path.read_text())["synthesized"]["applied"]
               for path in sorted(recorded_plans.RECORDINGS.glob("*.json")) if not path.name.endswith(".applied.json")}
    for name in ENV_NAMES:
        assert recorded_plans.digest(recorded_plans.stack(synthesized_dir, name)) == applied[name], name
    assert sorted(path.name for path in (synthesized_dir / "stacks").iterdir()) == sorted(ENV_NAMES)
    stacks = [child.node.id for child in build_app(list(shipped.values()), synthesized_dir / "unused").node.children
              if hasattr(child, "config")]
    assert stacks == list(shipped)


# ---- bad shard blocks: one `file: key: rule` line each --------------------------------------------------

BAD = [
    ("unknown-site", shards(emea=["office", "nope"]), f'{F}: shard "emea" sites[1]: no site "nope" in this file'),
    ("site-in-two-shards", shards(emea=["office"], amer=["branch", "office"]),
     f'{F}: shard "amer" sites[1]: site "office" is already in shard "emea"; a site is in at most one shard'),
    ("no-sites", shards(emea=[]),
     f'{F}: shard "emea" sites: a shard holds at least one site; remove the block to keep its sites in the base stack'),
    ("name", shards(EMEA=["office"]), f"""{F}: shard "EMEA": a shard name is lowercase letters, digits and '-', not at either end"""),
    ("name-dash", shards(**{"emea-": ["office"]}),
     f"""{F}: shard "emea-": a shard name is lowercase letters, digits and '-', not at either end"""),
    ("stack-name-too-long", shards(**{"a" * 28: ["office"]}),
     (f'{F}: shard "{"a" * 28}": its stack name dev-{"a" * 28} is 32 characters; a stack name is at most 31, as an '
     "environment's file name is")),
    ("site-twice", shards(emea=["office", "office"]), f'{F}: shard "emea" sites: lists office twice'),
    ("no-sites-key", 'shard "emea" {\n}\n', f'{F}: shard "emea" sites: required key is missing'),
    ("unknown-key", 'shard "emea" {\n  sites = ["office"]\n  site = ["branch"]\n}\n',
     f'{F}: shard "emea" site: unknown key (did you mean "sites"?)'),
    ("no-label", 'shard {\n  sites = ["office"]\n}\n', f'{F}: shard: a shard block needs a name: shard "NAME" {{ ... }}'),
]


@pytest.mark.parametrize("case, block, expected", BAD, ids=[case for case, _, _ in BAD])
def test_a_bad_shard_block_is_refused_with_one_line(tmp_path, case, block, expected):
    assert_rejected(tmp_path, TWO_SITES + block, expected)


def test_a_shard_stack_named_like_another_environment_is_refused(tmp_path):
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "dev-eu.hcl").write_text(BASE.replace("acme-tfstate-dev", "acme-tfstate-eu")
                                                          .replace("vpc-0d1e2f3a4b5c60718", "vpc-0d1e2f3a4b5c60719"))
    (tmp_path / F).write_text(TWO_SITES + shards(eu=["office"]))
    result = vpnctl_in_process("--environments", "environments", "validate", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        (f'{F}: shard "eu": its stack name dev-eu is the environment environments/dev-eu.hcl; both would be '
        "cdktf.out/stacks/dev-eu and vpn/dev-eu/terraform.tfstate: rename the shard")]


def test_a_valid_sharded_file_validates(tmp_path):
    result = run_on(tmp_path, TWO_SITES + shards(emea=["office"]), "validate")
    assert result.returncode == 0, result.stderr


def test_the_cdktf_app_refuses_a_guarded_site_moved_to_another_stack(tmp_path):
    """prevent_destroy can't stop `cdktf deploy prod` from dropping a site that left the stack, nor
    `cdktf deploy prod-emea` from creating it anew: production's guard manifest knows which stack each site was
    deployed in, and main.py refuses the move, which only `vpnctl deploy` makes (as a state move)."""
    folder = tmp_path / "environments"
    folder.mkdir()
    for name in ("prod.hcl", "prod.guard.json"):
        (folder / name).write_text((ENVIRONMENTS / name).read_text())
    (folder / "prod.hcl").write_text((ENVIRONMENTS / "prod.hcl").read_text() + shards(emea=["berlin-hq"]))
    result = subprocess.run([sys.executable, str(ROOT / "main.py")], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "CDKTF_OUTDIR": str(tmp_path / "out")},
                            timeout=120, check=False)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        ('environments/prod.hcl: site "berlin-hq": moves from stack prod to prod-emea: cdktf would destroy it in prod '
        "and create it anew in prod-emea (new tunnel outside IPs); run `vpnctl deploy prod`, which moves its state "
        "first")]
    assert not (tmp_path / "out").exists()


def test_a_manifest_written_after_the_move_lets_cdktf_through(tmp_path):
    from stacks.config import guard_manifest, load_environment

    (tmp_path / "prod.hcl").write_text((ENVIRONMENTS / "prod.hcl").read_text() + shards(emea=["berlin-hq"]))
    (tmp_path / "prod.guard.json").write_text((ENVIRONMENTS / "prod.guard.json").read_text())
    env = load_environment(tmp_path / "prod.hcl")
    assert guard_manifest.stack_moves(tmp_path / "prod.hcl", "prod", env.config) == [("berlin-hq", "prod", "prod-emea")]
    guard_manifest.write(tmp_path / "prod.hcl", "prod", env.config)
    assert json.loads((tmp_path / "prod.guard.json").read_text())["stacks"] == {"prod-emea": ["berlin-hq"]}
    assert guard_manifest.stack_moves(tmp_path / "prod.hcl", "prod", env.config) == []


def test_the_shipped_manifest_renders_as_committed_without_shards(shipped):
    from stacks.config import guard_manifest

    assert guard_manifest.render("prod", shipped["prod"].config) == (ENVIRONMENTS / "prod.guard.json").read_text()


def test_the_stack_names_of_an_environment_begin_with_its_base(shipped, sharded):
    from vpn_schema.naming import site_stack, stack_names, stack_sites

    assert stack_names("dev", shipped["dev"].config) == ["dev"]
    config = sharded["env"].config
    assert stack_names("prod", config) == ["prod", "prod-emea", "prod-dc"]
    assert site_stack("prod", config, "frankfurt-dc") == "prod-dc"
    assert stack_sites("prod", config) == {"prod": [], "prod-emea": ["berlin-hq", "paris-branch"],
                                           "prod-dc": ["frankfurt-dc"]}


def test_a_resource_address_names_its_site():
    from vpnctl.shard_moves import SiteMove, site_of

    assert site_of("aws_vpn_connection.site-berlin-hq_connection_6043E8D9") == "berlin-hq"
    assert site_of("data.aws_secretsmanager_secret_version.site-paris-branch_tunnel1_preshared_key_D7EF54AA") == \
        "paris-branch"
    assert site_of("aws_cloudwatch_metric_alarm.site-a-b_alarms_tunnel1_down_42623840") == "a-b"
    for shared in ("aws_vpn_gateway.vpn_gateway_B48F4B9E", "data.terraform_remote_state.base",
                   "aws_ec2_client_vpn_endpoint.client_vpn-staff_endpoint_5702D247", "aws_sns_topic.alarm_topic_3AE246C5"):
        assert site_of(shared) is None
    move = SiteMove("berlin-hq", "prod-emea", "prod-amer", ("aws_a.site-berlin-hq_x", "data.aws_b.site-berlin-hq_y"))
    assert move.words() == "site berlin-hq moves from prod-emea to prod-amer: 1 resources, nothing destroyed"


def test_a_stack_s_state_is_pushed_after_the_states_that_receive_its_sites():
    from vpnctl.shard_moves import SiteMove, _push_order

    chain = [SiteMove("a", "prod", "prod-emea", ()), SiteMove("b", "prod-emea", "prod-amer", ())]
    assert _push_order(chain) == ["prod-amer", "prod-emea", "prod"]
    swap = [SiteMove("a", "prod-amer", "prod-emea", ()), SiteMove("b", "prod-emea", "prod-amer", ())]
    assert sorted(_push_order(swap)) == ["prod-amer", "prod-emea"]


# ---- on the emulator: tests/shard_pipeline.py -----------------------------------------------------------------


@pytest.fixture(scope="module")
def ran(lifecycle):
    return lifecycle.result("shards")


def sites_in(state: dict) -> set[str]:
    return {SITE.match(address.split(".")[-1]).group(1) for address in state["resources"]
            if SITE.match(address.split(".")[-1])}


@pytest.mark.terraform
@pytest.mark.pipeline("shards")
def test_cdktf_deploy_of_one_shard_applies_only_that_shard(ran):
    assert ran["cdktf"]["status"] == 0, ran["cdktf"]["output"]
    assert ran["cdktf"]["stacks"] == ["dev", "dev-east", "dev-west"]
    assert ran["base_after_cdktf"] == ran["base_after_apply"]  # same serial, lineage, resources
    assert ran["west_after_cdktf"]["exists"] is False
    east = ran["east_after_cdktf"]
    assert sites_in(east) == {"branch-a", "dc"}
    assert [a for a in east["resources"] if not SITE.match(a.split(".")[-1])] == [
        "data.aws_kms_alias.log_key", "data.terraform_remote_state.base"]
    assert sites_in(ran["base_after_apply"]) == {"lab-office"}


@pytest.mark.terraform
@pytest.mark.pipeline("shards")
def test_moving_a_site_between_shards_is_a_state_move_with_nothing_to_change_after_it(ran):
    moved = ran["moved"]
    assert moved["found"] == ["site branch-a moves from dev-east to dev-west: 7 resources, nothing destroyed"]
    ((words, addresses),) = moved["moves"]
    assert words == moved["found"][0]
    before, after = moved["before"], moved["after"]
    branch_a = [a for a in before["dev-east"]["resources"] if a.split(".")[-1].startswith("site-branch-a_")]
    assert sorted(addresses) == branch_a and len(branch_a) == 7
    assert sites_in(after["dev-east"]) == {"dc"} and sites_in(after["dev-west"]) == {"branch-a", "branch-b"}
    assert set(branch_a) <= set(after["dev-west"]["resources"]) and after["dev"] == before["dev"]
    assert {"site_branch-a_tunnels", "site_branch-a_customer_gateway_configuration"} <= set(after["dev-west"]["outputs"])
    assert not [o for o in after["dev-east"]["outputs"] if "branch-a" in o]
    assert moved["plans"] == {stack: {"changes": {}, "outputs": []} for stack in ("dev", "dev-east", "dev-west")}
    assert moved["again"] == []


@pytest.mark.terraform
@pytest.mark.pipeline("shards")
def test_a_matrix_job_reviews_its_shards_alone_and_a_moving_site_as_a_move_not_a_destroy(ran):
    review = ran["matrix_review"]
    assert review["synthesized"] == ["dev-east", "dev-west"]  # not the base: the job synthesized its stacks only
    assert review["initialized"] == ["dev-east", "dev-west"]
    words = "site branch-a moves from dev-east to dev-west: 7 resources, nothing destroyed"
    for stack in ("dev-east", "dev-west"):
        assert review["reviews"][stack]["error"] is None and review["reviews"][stack]["planned"] is True
        assert review["reviews"][stack]["moves"] == [words]
        changed = [address for address in review["reviews"][stack]["changes"] if "branch-a" in address]
        assert changed == [], (stack, changed)  # without the move: 7 destroyed in dev-east, created in dev-west
    assert list(review["reviews"]) == ["dev-east", "dev-west"]


@pytest.mark.terraform
@pytest.mark.pipeline("shards")
def test_a_move_is_refused_while_a_state_lock_is_held(ran):
    assert ran["moved"]["refused"].startswith("dev-west: s3://acme-tfstate-dev/vpn/dev-west/terraform.tfstate.tflock is "
                                              "held (ID held-by-a-test, OperationTypeApply by ci@runner)")
    assert ran["moved"]["unchanged_while_refused"] is True


@pytest.mark.terraform
@pytest.mark.pipeline("shards")
def test_the_sites_of_a_removed_shard_move_back_to_the_base(ran):
    retired = ran["retired"]
    assert retired["found"] == [
        "site branch-a moves from dev-west to dev: 7 resources, nothing destroyed",
        "site branch-b moves from dev-west to dev: 7 resources, nothing destroyed"]
    assert sites_in(retired["after"]["dev"]) == {"lab-office", "branch-a", "branch-b"}
    assert retired["plans"] == {"dev": {"changes": {}, "outputs": ["shard_stacks"]},
                                "dev-east": {"changes": {}, "outputs": []}}
    assert retired["again"] == []


@pytest.mark.terraform
@pytest.mark.pipeline("shards")
def test_each_move_keeps_a_private_copy_of_the_states_before_it(ran):
    for step, stacks in (("moved", ("dev-east", "dev-west")), ("retired", ("dev", "dev-west"))):
        copies = ran[step]["copies"]
        assert ran[step]["copies_folder"] == 0o700
        for stack in stacks:
            assert copies[f"{stack}.before.tfstate"] == 0o600, (step, copies)
            assert copies[f"{stack}.tfstate"] == 0o600, (step, copies)
