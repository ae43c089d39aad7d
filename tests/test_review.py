"""The plan review's parts without Terraform: reading a plan with secrets masked,
the force-new table, the prod guard's refusal and its lifting, the offline diff,
and the pull-request workflow. Real plans: test_review_scenarios.py."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, load, run_vpnctl
from vpnctl.exit_status import worst
from vpnctl.review import render
from vpnctl.review.changes import SENSITIVE, UNKNOWN, resource_changes
from vpnctl.review.force_new import FORCE_NEW, forces_replacement
from vpnctl.review.plan_review import refused_addresses
from vpnctl.review.report import EXIT_REFUSED, EnvironmentReview
from vpnctl.review.synthesized_diff import diff_documents

CONNECTION = "aws_vpn_connection.site-lab-office_connection_99E4E402"
PATHS = {CONNECTION: "site-lab-office/connection"}
KEY = "kept.secret_Value42"


def plan(before: dict, after: dict, actions: list[str], **extra) -> dict:
    return {"resource_changes": [{
        "address": CONNECTION, "mode": "managed", "type": "aws_vpn_connection", "name": "x",
        "change": {"actions": actions, "before": before, "after": after, **extra},
    }]}


def test_an_update_lists_changed_attributes_and_masks_sensitive_ones_both_ways():
    before = {"tunnel1_dpd_timeout_seconds": 30, "tunnel1_preshared_key": KEY, "tags": {"Name": "a"}}
    after = {"tunnel1_dpd_timeout_seconds": 40, "tunnel1_preshared_key": KEY + "x", "tags": {"Name": "a"}}
    (change,) = resource_changes(plan(
        before, after, ["update"],
        before_sensitive={"tunnel1_preshared_key": True}, after_sensitive={"tunnel1_preshared_key": True},
        after_unknown={},
    ), PATHS)
    assert change.name == "site lab-office: VPN connection"
    assert [(a.path, a.before, a.after) for a in change.attributes] == [
        ("tunnel1_dpd_timeout_seconds", "30", "40"),
        ("tunnel1_preshared_key", SENSITIVE, SENSITIVE),
    ]
    text = render.markdown([EnvironmentReview("dev", [change])]) + render.terminal([EnvironmentReview("dev", [change])])
    assert KEY not in text
    assert "tunnel 1's options change (ModifyVpnTunnelOptions): tunnel 1 is re-established while tunnel 2" in text


def test_a_value_sensitive_on_one_side_only_is_still_masked():
    (change,) = resource_changes(plan(
        {"tunnel2_preshared_key": None}, {"tunnel2_preshared_key": KEY}, ["update"],
        after_sensitive={"tunnel2_preshared_key": True},
    ), PATHS)
    assert [(a.before, a.after) for a in change.attributes] == [(SENSITIVE, SENSITIVE)]


def test_a_replacement_marks_what_forces_it_and_hides_computed_noise():
    (change,) = resource_changes(plan(
        {"tunnel1_inside_cidr": "169.254.50.0/30", "tunnel1_address": "198.18.0.1", "id": "vpn-1"},
        {"tunnel1_inside_cidr": "169.254.52.0/30"},
        ["delete", "create"],
        after_unknown={"tunnel1_address": True, "id": True},
        replace_paths=[["tunnel1_inside_cidr"]],
    ), PATHS)
    assert change.action == "replace"
    assert change.forced_by == ["tunnel1_inside_cidr"]
    assert [a.path for a in change.attributes] == ["tunnel1_inside_cidr"]
    assert "the on-premises device must be reconfigured" in change.consequences[0]


def test_a_replacement_names_the_configured_cause_not_the_unknown_or_unset_attributes_beside_it():
    """Terraform lists unknown force-new attributes in replace_paths too, and plans unset ones as null."""
    (change,) = resource_changes(plan(
        {"tunnel1_inside_cidr": "169.254.50.0/30", "enable_acceleration": False, "transit_gateway_id": ""},
        {"tunnel1_inside_cidr": "169.254.52.0/30", "transit_gateway_id": None},
        ["delete", "create"],
        after_unknown={"enable_acceleration": True},
        replace_paths=[["enable_acceleration"], ["tunnel1_inside_cidr"]],
    ), PATHS)
    assert [(a.path, a.forces_replacement) for a in change.attributes] == [("tunnel1_inside_cidr", True)]


def test_a_dependent_replacement_names_the_unknown_reference_that_forces_it():
    (change,) = resource_changes(plan(
        {"vpn_connection_id": "vpn-1", "destination_cidr_block": "192.168.50.0/24"},
        {"destination_cidr_block": "192.168.50.0/24"},
        ["delete", "create"], after_unknown={"vpn_connection_id": True}, replace_paths=[["vpn_connection_id"]],
    ), PATHS)
    assert [(a.path, a.after, a.forces_replacement) for a in change.attributes] == [
        ("vpn_connection_id", UNKNOWN, True)
    ]


def test_a_destroyed_resource_is_named_from_its_logical_id_as_from_its_construct_path(synthesized_dir):
    from tests.conftest import ENV_NAMES
    from vpnctl.review.names import construct_paths, name_for

    for env in ENV_NAMES:
        paths = construct_paths(json.loads((synthesized_dir / "stacks" / env / "cdk.tf.json").read_text()))
        assert len(paths) > 20
        for address in paths:
            assert name_for(address, {}) == name_for(address, paths), address


def test_a_replacement_path_that_names_a_whole_block_marks_the_attributes_inside_it():
    (change,) = resource_changes({"resource_changes": [{
        "address": "aws_ec2_client_vpn_endpoint.e", "mode": "managed", "type": "aws_ec2_client_vpn_endpoint",
        "name": "e", "change": {
            "actions": ["delete", "create"],
            "before": {"authentication_options": [{"type": "certificate-authentication", "root_certificate_chain_arn": "a"}]},
            "after": {"authentication_options": [{"type": "certificate-authentication", "root_certificate_chain_arn": "b"}]},
            "replace_paths": [["authentication_options"]],
        },
    }]}, {})
    assert change.forced_by == ["authentication_options[0].root_certificate_chain_arn"]
    assert change.replace_paths == ("authentication_options",)


def test_a_guarded_environment_refuses_what_prevent_destroy_cannot_see_unless_allowed_by_address_and_object():
    from vpnctl.review.changes import ResourceChange
    from vpnctl.review.removals import unguarded_destroys, unused_allowances

    connection = ResourceChange("aws_vpn_connection.site-x_connection_1", "aws_vpn_connection", "site x", "delete",
                                fingerprint="aaaaaaaaaaaa")
    route = ResourceChange("aws_vpn_connection_route.site-y_route-10-0-0-0-16_3", "aws_vpn_connection_route",
                           "site y: route", "delete", fingerprint="bbbbbbbbbbbb")
    moved = ResourceChange("aws_ec2_client_vpn_network_association.staff_association-subnet-a_4",
                           "aws_ec2_client_vpn_network_association", "staff: association", "replace",
                           fingerprint="cccccccccccc")
    logs = ResourceChange("aws_cloudwatch_log_group.site-x_tunnel_logs_2", "aws_cloudwatch_log_group", "logs", "delete")
    changes = [connection, route, moved, logs]
    assert unguarded_destroys(changes, True, frozenset()) == sorted([connection.address, route.address, moved.address])
    assert unguarded_destroys(changes, False, frozenset()) == []
    allowed = frozenset({f"{connection.address}@aaaaaaaaaaaa", f"{route.address}@bbbbbbbbbbbb"})
    assert unguarded_destroys(changes, True, allowed) == [moved.address]
    assert unguarded_destroys(changes, True, frozenset({connection.address})) != [], "an address alone allows nothing"
    assert unused_allowances(changes, frozenset({"aws_vpn_connection.typo@x"})) == [
        "--allow-destroy aws_vpn_connection.typo@x: the plan removes no such resource"]
    assert unused_allowances(changes, frozenset({f"{route.address}@000000000000"})) == [
        (f"--allow-destroy {route.address}@000000000000: given for another object at {route.address}; the plan "
        f"removes {route.address}@bbbbbbbbbbbb: review it, then allow it by that name")]


def test_the_fingerprint_binds_the_object_removed_and_leaves_secrets_out():
    from vpnctl.review.changes import resource_changes

    def plan(before: dict) -> dict:
        return {"resource_changes": [{"address": "aws_vpn_connection_route.r_1", "type": "aws_vpn_connection_route",
                                      "mode": "managed", "change": {"actions": ["delete"], "before": before,
                                                                    "after": None,
                                                                    "before_sensitive": {"secret": True}}}]}

    [one] = resource_changes(plan({"destination_cidr_block": "10.0.0.0/16", "secret": "k1"}), {})
    [same] = resource_changes(plan({"destination_cidr_block": "10.0.0.0/16", "secret": "k2"}), {})
    [other] = resource_changes(plan({"destination_cidr_block": "10.1.0.0/16", "secret": "k1"}), {})
    assert one.fingerprint == same.fingerprint != other.fingerprint  # the secret plays no part


def test_the_guarded_types_are_the_ones_the_stacks_guard(synthesized_dir):
    from vpnctl.review.removals import GUARDED_TYPES

    prod = json.loads((synthesized_dir / "stacks" / "prod" / "cdk.tf.json").read_text())
    guarded = {kind for kind, resources in prod["resource"].items()
               for body in resources.values() if body.get("lifecycle", {}).get("prevent_destroy")}
    assert guarded == GUARDED_TYPES


def test_an_unknown_value_reads_known_after_apply():
    (change,) = resource_changes(plan(
        {"customer_gateway_id": "cgw-1"}, {}, ["update"], after_unknown={"customer_gateway_id": True},
    ), PATHS)
    assert [(a.before, a.after) for a in change.attributes] == [("cgw-1", UNKNOWN)]
    assert "the outside IPs stay" in change.consequences[0]


def test_no_op_and_reads_are_not_changes():
    assert resource_changes(plan({}, {}, ["no-op"]), PATHS) == []
    assert resource_changes(plan({}, {}, ["read"]), PATHS) == []


@pytest.mark.parametrize("resource_type, path, expected", [
    ("aws_vpn_connection", "tunnel2_inside_cidr", True),
    ("aws_vpn_connection", "customer_gateway_id", False),
    ("aws_vpn_connection", "tunnel1_preshared_key", False),
    ("aws_customer_gateway", "ip_address", True),
    ("aws_ec2_client_vpn_endpoint", "client_cidr_block", True),
    ("aws_ec2_client_vpn_endpoint", "authentication_options[0].saml_provider_arn", True),
    ("aws_ec2_client_vpn_endpoint", "server_certificate_arn", False),
    ("aws_acm_certificate", "certificate_body", False),
    ("aws_ec2_client_vpn_authorization_rule", "target_network_cidr", True),
])
def test_the_force_new_table(resource_type, path, expected):
    assert forces_replacement(resource_type, path) is expected


def test_the_force_new_table_only_names_types_the_stacks_create(synthesized):
    created = {kind for doc in synthesized.values() for kind in doc.get("resource", {})}
    assert set(FORCE_NEW) - created <= {"aws_vpn_gateway_attachment", "aws_ec2_transit_gateway_route"}


TERRAFORM_REFUSAL = """
Error: Instance cannot be destroyed

  on cdk.tf.json line 1003:
1003:       },

Resource aws_vpn_connection.site-berlin-hq_connection_6043E8D9 has
lifecycle.prevent_destroy set, but the plan calls for this resource to be
destroyed. To avoid this error and continue with the plan, either disable
lifecycle.prevent_destroy or reduce the scope of the plan using the -target
option.
"""


def test_the_refused_addresses_are_read_from_terraform_s_wrapped_message():
    assert refused_addresses(TERRAFORM_REFUSAL * 2) == ["aws_vpn_connection.site-berlin-hq_connection_6043E8D9"]
    assert refused_addresses("Error: something else") == []


def test_a_refused_review_exits_3_and_a_failed_plan_wins_over_it():
    refused = EnvironmentReview("prod", refused=["aws_vpn_connection.x"])
    failed = EnvironmentReview("staging", error="Error: boom")
    def exit_status(reviews):
        return worst(review.exit_status for review in reviews)

    assert exit_status([EnvironmentReview("dev"), refused]) == EXIT_REFUSED == 3
    assert exit_status([refused, failed]) == 1
    assert exit_status([EnvironmentReview("dev")]) == 0


# ---- the prod guard, lifted per address ------------------------------------------------

def guards(doc: dict) -> dict[str, bool]:
    return {
        f"{kind}.{name}": body["lifecycle"]["prevent_destroy"]
        for kind, resources in doc["resource"].items()
        for name, body in resources.items()
        if "prevent_destroy" in body.get("lifecycle", {})
    }


def test_allow_replace_lifts_the_guard_of_exactly_that_address(tmp_path, shipped, synthesized):
    from stacks.config.allowances import bound
    from vpnctl.synthesized import synth_stacks

    allowance = bound(synthesized["prod"], "aws_vpn_connection.site-berlin-hq_connection_6043E8D9")
    synth_stacks([shipped["prod"]], tmp_path, frozenset({allowance}))
    lifted = guards(json.loads((tmp_path / "stacks" / "prod" / "cdk.tf.json").read_text()))
    lifted_addresses = {address for address, on in lifted.items() if not on}
    assert lifted_addresses == {"aws_vpn_connection.site-berlin-hq_connection_6043E8D9"}
    assert sum(lifted.values()) == 7  # 3 connections, 3 customer gateways, the endpoint, the VPN gateway, minus one


def test_allow_replace_of_an_unguarded_address_is_refused_with_the_guarded_list(tmp_path):
    result = run_vpnctl("synth", "prod", "--out", str(tmp_path), "--allow-replace", "aws_vpn_connection.typo")
    assert result.returncode == 2
    assert "aws_vpn_connection.typo is not a resource guarded by prevent_destroy in prod" in result.stderr
    assert "aws_vpn_connection.site-berlin-hq_connection_6043E8D9" in result.stderr
    assert not list(tmp_path.rglob("cdk.tf.json"))  # nothing synthesized


def test_allow_replace_names_one_environment():
    result = run_vpnctl("review", "--all", "--allow-replace", "aws_vpn_connection.x")
    assert result.returncode == 2 and "name exactly one" in result.stderr


# ---- the offline diff ------------------------------------------------------------------------

def test_the_offline_diff_marks_a_new_inside_cidr_as_a_replacement(tmp_path, synthesized_dir):
    from vpnctl.synthesized import synth_stacks

    text = (ROOT / "environments" / "dev.hcl").read_text().replace('"169.254.50.0/30"', '"169.254.52.0/30"')
    (tmp_path / "dev.hcl").write_text(text)
    synth_stacks([load("dev", tmp_path)], tmp_path / "out")
    base, head = (json.loads((out / "stacks" / "dev" / "cdk.tf.json").read_text())
                  for out in (synthesized_dir, tmp_path / "out"))
    (diff,) = diff_documents(base, head)
    assert (diff.kind, diff.name, diff.replaces) == ("changed", "site lab-office: VPN connection", True)
    assert [(a.path, a.before, a.after, a.forces_replacement) for a in diff.attributes] == [
        ("tunnel1_inside_cidr", "169.254.50.0/30", "169.254.52.0/30", True)
    ]


def test_the_offline_diff_command_compares_two_refs_with_each_ref_s_own_code(tmp_path):
    """A clone of this checkout, then in its working tree a config change (a DPD timeout) and a code change
    (the tunnel log group's name): each side synthesized with its own code shows both."""
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(repo)], check=True)
    shutil.copytree(ROOT / "environments", repo / "environments", dirs_exist_ok=True)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "commit", "--quiet", "--allow-empty", "-am", "base"], cwd=repo, check=True)
    dev = repo / "environments" / "dev.hcl"
    dev.write_text(dev.read_text().replace('"169.254.50.4/30"\n', '"169.254.50.4/30"\n    dpd_timeout_seconds = 45\n'))
    construct = repo / "modules" / "site_to_site.py"
    construct.write_text(construct.read_text().replace('name=f"/aws/vpn/{environment}/{name}"',
                                                       'name=f"/aws/vpn-tunnels/{environment}/{name}"'))
    # This checkout's vpnctl (not the clone's), run inside the clone's repository.
    command = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from vpnctl.cli import main; sys.exit(main())"
    result = subprocess.run(
        [sys.executable, "-c", command, "diff", "dev", "--base", "HEAD", "--markdown", str(tmp_path / "diff.md")],
        cwd=repo, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "### dev: 0 added, 0 removed, 2 changed (1 replaced on apply)" in result.stdout
    assert "`tunnel2_dpd_timeout_seconds`: `null` → `45`" in result.stdout
    assert "`name`: `/aws/vpn/dev/lab-office` → `/aws/vpn-tunnels/dev/lab-office` **(forces replacement)**" in result.stdout
    assert "the log group's logs are deleted with it" in result.stdout
    assert (tmp_path / "diff.md").read_text() == result.stdout


# ---- the workflow --------------------------------------------------------------------------

def test_the_plan_workflow_is_a_valid_github_workflow():
    workflow = ROOT / ".github" / "workflows" / "plan.yml"
    checker = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", str(workflow)], capture_output=True, text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = workflow.read_text()
    # One job per stack (a matrix from `vpnctl stacks`), then one comment merged from their parts.
    assert "vpnctl stacks --json" in text and "stack: ${{ fromJSON(needs.stacks.outputs.stacks) }}" in text
    assert 'vpnctl review --stack "${{ matrix.stack }}" --parts' in text and "vpnctl comment" in text
    assert render.MARKER in text


def test_the_comment_merged_from_each_stack_s_parts_is_the_comment_of_all_of_them(tmp_path):
    """What the workflow's matrix does: each job writes its review's parts, and `vpnctl comment` merges them into
    the comment one review of every stack would have written."""
    reviews = [EnvironmentReview("prod", error="boom"), EnvironmentReview("prod-emea"), EnvironmentReview("dev")]
    files = []
    for review in reviews:
        files.append(tmp_path / f"{review.environment}.json")
        files[-1].write_text(json.dumps(render.parts([review])))
    result = run_vpnctl("comment", *map(str, files), "--markdown", str(tmp_path / "review.md"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "review.md").read_text() == render.markdown(reviews)


def test_vpnctl_stacks_lists_each_environment_s_stacks_base_first_as_a_ci_matrix(tmp_path):
    from tests.scenarios import variant

    variant("prod", [("# Staff:", 'shard "emea" {\n  sites = ["berlin-hq", "paris-branch"]\n}\n# Staff:')],
            tmp_path / "environments", saved_as="prod")
    result = run_vpnctl("--environments", str(tmp_path / "environments"), "stacks", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["prod", "prod-emea"]


def test_the_workflow_check_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: pull_request\njobs:\n  review:\n    runs-on: 3\n")
    checker = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run([str(checker), "--builtin-schema", "vendor.github-workflows", str(broken)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1


def test_a_shard_s_stack_on_the_command_line_selects_its_environment_and_that_stack_only(tmp_path):
    from tests.scenarios import variant
    from vpnctl.stack_targets import resolve

    variant("prod", [("# Staff:", 'shard "emea" {\n  sites = ["berlin-hq"]\n}\n# Staff:')],
            tmp_path / "environments", saved_as="prod")
    shutil.copy(ROOT / "environments" / "dev.hcl", tmp_path / "environments" / "dev.hcl")
    assert resolve(tmp_path / "environments", ["prod-emea"]) == (["prod"], {"prod": frozenset({"prod-emea"})})
    assert resolve(tmp_path / "environments", ["prod-emea", "dev"]) == (["prod", "dev"], {"prod": frozenset({"prod-emea"})})
    assert resolve(tmp_path / "environments", ["prod", "prod-emea"]) == (["prod"], {})  # the environment: all
    assert resolve(tmp_path / "environments", ["dev"]) == (["dev"], None)


def test_stack_names_a_matrix_job_s_stacks_exactly_the_base_alone_by_its_environment_s_name(tmp_path):
    from stacks.config import ConfigError
    from tests.scenarios import variant
    from vpnctl.stack_targets import exact

    variant("prod", [("# Staff:", 'shard "emea" {\n  sites = ["berlin-hq"]\n}\n# Staff:')],
            tmp_path / "environments", saved_as="prod")
    shutil.copy(ROOT / "environments" / "dev.hcl", tmp_path / "environments" / "dev.hcl")
    folder = tmp_path / "environments"

    def named(selection):
        return [env.name for env in selection[0]], selection[1]

    assert named(exact(folder, ["prod"])) == (["prod"], {"prod": frozenset({"prod"})})  # the base stack, not all
    assert named(exact(folder, ["prod-emea"])) == (["prod"], {"prod": frozenset({"prod-emea"})})
    assert named(exact(folder, ["dev", "prod-emea", "prod"])) == (
        ["dev", "prod"], {"dev": frozenset({"dev"}), "prod": frozenset({"prod", "prod-emea"})})
    with pytest.raises(ConfigError, match=r"--stack prod-amer: no environment in .* has this stack"):
        exact(folder, ["prod-amer"])


def test_stack_replaces_environment_names_on_the_command_line():
    result = run_vpnctl("review", "--stack", "prod", "dev")
    assert result.returncode == 2
    assert "--stack names the stacks to review itself: leave out environment names and --all" in result.stderr
