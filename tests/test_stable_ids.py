"""Construct IDs come from names in the config, so growing a config never renames what exists.

A renamed address is a destroy and a create in Terraform: for a VPN connection,
new tunnel outside IPs and an outage until the device is reconfigured.
"""

from __future__ import annotations

from pathlib import Path

from stacks.config import load_environment
from tests.conftest import ENVIRONMENTS, synth_json

NEW_SITE = """
site "aaa-first-by-name" {
  ip_address    = "198.51.100.99"
  routing       = "static"
  static_routes = ["192.168.99.0/24"]
  tunnel {
    inside_cidr = "169.254.99.0/30"
  }
}
"""


def addresses(doc: dict) -> dict[str, dict]:
    out = {}
    for kind in ("resource", "data"):
        for resource_type, items in doc.get(kind, {}).items():
            for name, body in items.items():
                out[f"{kind}.{resource_type}.{name}"] = body
    return out


def synth_text(tmp_path: Path, name: str, text: str) -> dict:
    path = tmp_path / f"{name}.hcl"
    path.write_text(text)
    return synth_json(load_environment(path))


def test_adding_a_site_keeps_existing_addresses(tmp_path, synthesized):
    for env in ("dev", "prod"):
        text = (ENVIRONMENTS / f"{env}.hcl").read_text()
        # Put the new site first in the file and first by name: list positions must not matter.
        head, first_site, rest = text.partition('site "')
        grown = synth_text(tmp_path, env, head + NEW_SITE.lstrip() + "\n" + first_site + rest)
        before, after = addresses(synthesized[env]), addresses(grown)
        assert set(before) < set(after)
        for address, body in before.items():
            assert after[address] == body, f"{env}: {address} changed"
        added = set(after) - set(before)
        assert all("aaa-first-by-name" in a for a in added), added


def test_adding_a_static_route_and_reordering_route_tables_keeps_addresses(tmp_path, synthesized):
    text = (ENVIRONMENTS / "staging.hcl").read_text()
    text = text.replace('["192.168.30.0/24", "192.168.31.0/24"]', '["192.168.29.0/24", "192.168.31.0/24", "192.168.30.0/24"]')
    text = text.replace('["rtb-0a50000000000000a", "rtb-0a50000000000000b"]', '["rtb-0a50000000000000b", "rtb-0a50000000000000a"]')
    before, after = addresses(synthesized["staging"]), addresses(synth_text(tmp_path, "staging", text))
    for address, body in before.items():
        assert after[address] == body, address
    (added,) = set(after) - set(before)
    assert added.startswith("resource.aws_vpn_connection_route.site-hamburg-office_route-192-168-29-0-24_")


def test_removing_a_site_touches_nothing_else(tmp_path, synthesized):
    text = (ENVIRONMENTS / "staging.hcl").read_text()
    start = text.index('site "hamburg-office"')
    end = text.index('site "munich-lab"')
    after = addresses(synth_text(tmp_path, "staging", text[:start] + text[end:]))
    before = addresses(synthesized["staging"])
    for address, body in after.items():
        assert before[address] == body, address
    assert all("hamburg-office" in a for a in set(before) - set(after))
