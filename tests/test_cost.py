"""The monthly cost of an environment and of a change (vpnctl/cost): the price table's sources, the figures of
the shipped environments and of recorded real plans computed by hand from the table, the usage block, and
`vpnctl diff`'s cost section. No Terraform, no emulator: the plans are recordings (tests/recorded_plans.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from decimal import Decimal

import pytest

from stacks.config import ConfigError
from tests import recorded_plans
from tests.conftest import ROOT, load, synth_json
from tests.scenarios import NEW_SITE, variant
from vpnctl.cost import price_table, words
from vpnctl.cost.estimate import EndpointUsage, plan_change, stack_change, usage_of
from vpnctl.review.names import construct_paths

TABLE = price_table.load()
MONTH = TABLE.hours_per_month.value
PRICED = "us-east-1"  # a region whose every item the table prices: the arithmetic checked whole


def price(region: str, item: str) -> Decimal | None:
    return TABLE.price(region, item)


def usage_block(users: int, hours: int) -> tuple[str, str]:
    """An edit of dev.hcl: a usage block on the developers endpoint."""
    block = f"  usage {{\n    concurrent_users = {users}\n    hours_per_month  = {hours}\n  }}\n"
    return '  route "lab-office" {', block + '  route "lab-office" {'


# ---- the price table -------------------------------------------------------------------------------------

def test_every_price_in_the_table_has_a_source_and_a_read_date():
    assert TABLE.version.isoformat() == "2026-12-01" and TABLE.currency == "USD" and MONTH == 730
    entries = [(region, item, entry) for region, items in TABLE.regions.items() for item, entry in items.items()]
    assert len(entries) >= 5 and "eu-central-1" in TABLE.regions
    for source in [s for _, _, entry in entries for s in entry.sources] + TABLE.hours_per_month.sources:
        assert source.url.startswith("https://") and source.note
        assert source.read <= TABLE.version
        assert source.published is None or source.published <= source.read
    assert set(TABLE.items) == set(price_table.ITEMS)


@pytest.mark.parametrize("broken, problem", [
    (lambda entry: entry["sources"][0].pop("read"), "sources.0.read: Field required"),
    (lambda entry: entry["sources"][0].pop("url"), "sources.0.url: Field required"),
    (lambda entry: entry["sources"].clear(), "sources: List should have at least 1 item"),
    (lambda entry: entry.pop("sources"), "sources: Field required"),
])
def test_the_loader_refuses_a_price_without_a_source_or_a_read_date(broken, problem):
    table = json.loads(price_table.PRICES.read_text())
    broken(table["regions"]["us-east-1"]["site_to_site_connection"])
    with pytest.raises(price_table.PriceTableError) as refused:
        price_table.parse(json.dumps(table))
    assert f"prices.json: regions.us-east-1.site_to_site_connection.{problem}" in str(refused.value)


# ---- the shipped environments, by hand ----------------------------------------------------------------------

def prod_by_hand(region: str) -> tuple[Decimal, int]:
    """prod's monthly bill counted from environments/prod.hcl and priced from the table: (the priced total,
    how many of its lines the table can't price)."""
    config = load("prod").config
    usage = [endpoint.usage or EndpointUsage() for endpoint in config.client_vpn.values()]
    counts = {
        "site_to_site_connection": len(config.site),
        "transit_gateway_attachment": sum(site.transit_gateway is not None for site in config.site.values()),
        "accelerated_connection_extra": sum(bool(site.enable_acceleration) for site in config.site.values()),
        "client_vpn_association": sum(len(endpoint.subnet_ids) for endpoint in config.client_vpn.values()),
    }
    assert counts == {"site_to_site_connection": 3, "transit_gateway_attachment": 1,
                      "accelerated_connection_extra": 0, "client_vpn_association": 2}
    total, unknown = Decimal(0), 0
    for item, count in counts.items():
        if count and price(region, item) is None:
            unknown += 1 if item == "transit_gateway_attachment" else count  # one line per site or endpoint
        elif count:
            total += count * price(region, item) * MONTH
    hours = sum(u.concurrent_users * u.hours_per_month for u in usage)
    if price(region, "client_vpn_connection") is None:
        unknown += len(usage)
    else:
        total += hours * price(region, "client_vpn_connection")
    return total, unknown


@pytest.mark.parametrize("region", ["eu-central-1", PRICED])
def test_the_shipped_prod_s_monthly_figure_by_hand_equals_the_estimate_of_its_recorded_plan_and_its_stack(
        region, synthesized):
    """prod-removed is a plain plan (not refused, not replanned) against the applied shipped prod: its before
    side is the shipped prod, every resource in it (no-op changes included)."""
    plan = recorded_plans.load("prod-removed")["plan"]
    prod = load("prod")
    paths = construct_paths(synthesized["prod"])
    from_plan = plan_change("prod", plan, paths, region, usage_of(prod.config), "per prod.hcl").before
    from_stack = stack_change("prod", {}, synthesized["prod"], usage_of(prod.config), "per prod.hcl").after
    total, unknown = prod_by_hand(region)
    assert (from_plan.total, len(from_plan.unknown)) == (total, unknown)
    if region == PRICED:
        assert total == Decimal("644.00")  # 3 × 36.50 + 36.50 + 2 × 73.00 + 40 users × 176 h × 0.05
    assert from_stack.region == "eu-central-1" and from_stack.lines == plan_change(
        "prod", plan, paths, "eu-central-1", usage_of(prod.config), "").before.lines


def test_the_review_s_plan_cost_prices_prod_in_its_own_region_and_says_what_is_unpriced(synthesized):
    cost = words.plan_cost(recorded_plans.load("prod-removed")["plan"], synthesized["prod"], load("prod"))
    assert cost.after.region == "eu-central-1"
    assert cost.before.total == prod_by_hand("eu-central-1")[0] == Decimal("498.00")  # 2 × 73.00 + 352.00
    text = "\n".join(words.markdown_lines(cost))
    assert "Price unknown for 2 VPN connections in eu-central-1" in text
    assert "**site frankfurt-dc**: 1 transit gateway attachment, price unknown" in text
    assert "staff 40 users × 176 h (configured)" in text and "data transfer and data processing excluded" in text


# ---- changes -------------------------------------------------------------------------------------------------

def test_adding_a_site_shows_a_positive_delta_of_exactly_one_connection_s_month():
    dev = load("dev")
    plan = recorded_plans.load("dev-add")["plan"]
    cost = plan_change("dev", plan, {}, PRICED, usage_of(dev.config), "per dev.hcl")
    (change,) = cost.changes
    one_month = price(PRICED, "site_to_site_connection") * MONTH
    assert cost.delta == change.delta == one_month == Decimal("36.50")
    assert (change.before, change.line.subject, change.line.quantity) == (None, ("site", "test-branch"), 1)
    assert "+$36.50 a month" in "\n".join(words.terminal_lines(cost))
    # in dev's own region the table has no connection price: the new connection is named, with no figure
    shipped = words.plan_cost(plan, {}, dev)
    assert shipped.delta == 0 and [c.delta for c in shipped.changes] == [None]
    assert words.summary(shipped)[1] == "price unknown"


def test_removing_an_association_shows_a_negative_delta_of_one_association_s_month():
    staging = load("staging")
    cost = words.plan_cost(recorded_plans.load("staging-association")["plan"], {}, staging)
    (change,) = cost.changes
    assert (change.line.item, change.line.subject) == ("client_vpn_association", ("client_vpn", "testers"))
    assert (change.before.quantity, change.after.quantity) == (2, 1)
    assert cost.delta == change.delta == -price("eu-central-1", "client_vpn_association") * MONTH == Decimal("-73.00")
    assert words.summary(cost)[1] == "-$73.00 a month"


def test_an_environment_in_a_region_missing_from_the_table_says_price_unknown(tmp_path):
    paris = variant("dev", [("eu-central-1", "eu-west-3")], tmp_path, every=True)
    assert paris.config.region == "eu-west-3" and "eu-west-3" not in TABLE.regions
    cost = words.plan_cost(recorded_plans.load("dev-add")["plan"], {}, paris)
    assert words.summary(cost) == ("price unknown", "price unknown")
    text = "\n".join(words.markdown_lines(cost) + words.terminal_lines(cost))
    assert "Price unknown: eu-west-3 is not in the price table (version 2026-12-01)" in text
    assert "$" not in text  # no figure at all, not even a partial one
    assert cost.after.lines and all(line.unit_price is None for line in cost.after.lines)
    # The review says so and passes: an unknown price is no reason to stop a change.
    from vpnctl.review import render
    from vpnctl.review.plan_review import PlanOutcome, review_plan

    review = review_plan(paris, {}, PlanOutcome(recorded_plans.load("dev-add")["plan"]))
    assert review.exit_status == 0
    assert "| dev | none | price unknown | price unknown |" in render.markdown([review])


# ---- the usage block -----------------------------------------------------------------------------------------

def test_the_usage_block_sets_an_endpoint_s_connection_hours_and_defaults_to_ten_users_for_176_hours(tmp_path):
    assert usage_of(load("dev").config) == {"developers": EndpointUsage(10, 176, configured=False)}
    dev = variant("dev", [usage_block(40, 100)], tmp_path)
    assert usage_of(dev.config) == {"developers": EndpointUsage(40, 100, configured=True)}
    partial = variant("dev", [('  route "lab-office" {', '  usage {\n    concurrent_users = 3\n  }\n  route "lab-office" {')],
                      tmp_path / "partial")
    assert usage_of(partial.config)["developers"] == EndpointUsage(3, 176, configured=True)
    cost = words.plan_cost(recorded_plans.load("dev-add")["plan"], {}, dev)
    (line,) = [line for line in cost.after.lines if line.item == "client_vpn_connection"]
    assert line.monthly == 40 * 100 * price("eu-central-1", "client_vpn_connection") == Decimal("200.00")
    assert "developers 40 users × 100 h (configured)" in words.assumptions(cost)


@pytest.mark.parametrize("block, line", [
    ("concurrent_users = -1", 'client_vpn "developers" usage.concurrent_users: must be at least 0 users, got -1'),
    ("hours_per_month = 731", 'client_vpn "developers" usage.hours_per_month: must be 0 to 730 hours, got 731'),
    ("concurrent_users = 2.5", 'client_vpn "developers" usage.concurrent_users: must be a whole number, got 2.5'),
    ('hours_per_month = "176"', 'client_vpn "developers" usage.hours_per_month: must be a whole number, got "176"'),
    ("concurrent = 3", 'client_vpn "developers" usage.concurrent: unknown key (did you mean "concurrent_users"?)'),
])
def test_a_bad_usage_value_is_one_file_key_rule_line(tmp_path, block, line):
    with pytest.raises(ConfigError) as refused:
        variant("dev", [('  route "lab-office" {', f"  usage {{\n    {block}\n  }}\n  route \"lab-office\" {{")], tmp_path)
    assert refused.value.lines == [f"{tmp_path / 'dev.hcl'}: {line}"]


def test_the_usage_block_changes_no_synthesized_resource(tmp_path, synthesized):
    assert synth_json(variant("dev", [usage_block(40, 100)], tmp_path)) == synthesized["dev"]


# ---- words ---------------------------------------------------------------------------------------------------

def test_values_from_the_config_are_escaped_in_the_cost_words(synthesized):
    cost = words.plan_cost(recorded_plans.load("prod-removed")["plan"], synthesized["prod"], load("prod"))
    hostile = type(cost)(cost.environment, cost.before, cost.after, "per <b>[x](y)</b>\x1b[31m")
    markdown = "\n".join(words.markdown_lines(hostile))
    assert "&lt;b&gt;\\[x\\](y)&lt;/b&gt;" in markdown and "\x1b" not in markdown
    assert "\x1b" not in "\n".join(words.terminal_lines(hostile))
    assert "\\$498.00 a month" in markdown  # GitHub would read $...$ as math


# ---- vpnctl diff ---------------------------------------------------------------------------------------------

def test_vpnctl_diff_shows_each_environment_s_cost_before_and_after_with_the_working_tree_s_usage(tmp_path):
    """A clone whose base moves dev to us-east-1 (the table prices every item there); the working tree adds a
    site and a usage block: the site adds one connection's month, the usage prices both sides alike."""
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(repo)], check=True)
    for folder in ("environments", "vpn_schema"):  # this checkout's schema: the usage block is new
        shutil.copytree(ROOT / folder, repo / folder, dirs_exist_ok=True)
    dev = repo / "environments" / "dev.hcl"
    dev.write_text(dev.read_text().replace("eu-central-1", "us-east-1"))
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "--quiet", "-m", "base"], cwd=repo, check=True)
    old, new = usage_block(25, 100)
    dev.write_text(dev.read_text().replace("# Developers:", NEW_SITE + "\n# Developers:").replace(old, new))
    command = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from vpnctl.cli import main; sys.exit(main())"
    result = subprocess.run([sys.executable, "-c", command, "diff", "dev", "--base", "HEAD"],
                            cwd=repo, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    shown = result.stdout.replace("\\", "")
    # before: 1 connection 36.50 + 1 association 73.00 + 25 users × 100 h × 0.05 = 234.50; after: + 36.50
    assert "**$271.00 a month after this change, +$36.50 a month (before: $234.50).**" in shown
    assert "- `+` **site test-branch**: 1 VPN connection, +$36.50 a month" in shown
    assert "developers 25 users × 100 h (configured)" in shown and "per the working tree's dev.hcl" in shown
    assert "price table 2026-12-01, us-east-1, USD" in shown
