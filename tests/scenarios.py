"""Variants of the shipped environments that the tests plan and apply: one home for each edit.

A variant is a shipped file with text edits, written to a folder of its own and
loaded the way a user's file is, so every variant passes the same validation.
The scenario names are the tests' words.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ENVIRONMENTS = Path(__file__).resolve().parent.parent / "environments"

NEW_SITE = '''
site "test-branch" {
  ip_address    = "198.51.100.60"
  routing       = "static"
  static_routes = ["192.168.60.0/24"]
  tunnel {
    inside_cidr = "169.254.51.0/30"
  }
  tunnel {
    inside_cidr = "169.254.51.4/30"
  }
}
'''
# An environment of transit gateway sites only, without a VPC: one site on one table, one with route domains.
TGW_ONLY = """\
region     = "eu-central-1"
account_id = "111111111111"

state {
  bucket = "acme-tfstate-core"
  region = "eu-central-1"
}

site "dc" {
  ip_address    = "198.51.100.70"
  routing       = "static"
  static_routes = ["172.20.0.0/16"]
  transit_gateway {
    id             = "tgw-0f1e2d3c4b5a69788"
    route_table_id = "tgw-rtb-0f1e2d3c4b5a69788"
  }
}

# Route domains: the branch's attachment is associated with the VPN table and its routes propagate
# into the shared-services and production tables, not into the VPN table itself.
site "branch" {
  ip_address = "198.51.100.71"
  routing    = "bgp"
  bgp_asn    = 65071
  transit_gateway {
    id                          = "tgw-0f1e2d3c4b5a69788"
    route_table_id              = "tgw-rtb-0a00000000000000a"
    propagation_route_table_ids = ["tgw-rtb-0b00000000000000b", "tgw-rtb-0c00000000000000c"]
  }
}
"""

# Each a list of (old, new) text replacements of the shipped file.
DEV_EDITS = {
    "add": [("# Developers:", NEW_SITE + "\n# Developers:"),
            ('  authorization "lab-office" {', ('  authorization "vpc-dns" {\n    networks = ["10.10.0.2/32"]\n  }\n'
                                               '  authorization "lab-office" {'))],
    "dpd": [('    inside_cidr = "169.254.50.0/30"\n', '    inside_cidr = "169.254.50.0/30"\n    dpd_timeout_seconds = 40\n')],
    "cgw": [('"198.51.100.20"', '"198.51.100.21"')],
    # lab-office leaves the virtual private gateway for a transit gateway
    "tgw": [('  crypto_profile = "compatible"\n', ('  crypto_profile = "compatible"\n  transit_gateway {\n'
             '    id             = "tgw-0d1e2f3a4b5c60718"\n    route_table_id = "tgw-rtb-0d1e2f3a4b5c60718"\n  }\n'))],
    "inside": [('"169.254.50.0/30"', '"169.254.52.0/30"')],
    "rule": [('  authorization "lab-office" {\n    networks = ["192.168.50.0/24"]\n  }\n', "")],
    "cidr": [('"10.110.0.0/22"', '"10.111.0.0/22"')],
    "cert": [],  # the same config, planned with a renewed PKI (fresh certificates)
    # A route added to the split-tunnel endpoint: connected clients only learn it when they reconnect.
    "route": [('  route "lab-office" {', ('  route "lab-printers" {\n    destination = "192.168.51.0/24"\n  }\n'
                                         '  route "lab-office" {'))],
    "tags": [('cost-center = "it-dev"', 'cost-center = "it-dev-lab"')],  # a tag on every resource, nothing else
    # A DPD timeout on both tunnels in one change: each renegotiates, and they may be down at once.
    "both": [('    inside_cidr = "169.254.50.0/30"\n', '    inside_cidr = "169.254.50.0/30"\n    dpd_timeout_seconds = 40\n'),
             ('    inside_cidr = "169.254.50.4/30"\n', '    inside_cidr = "169.254.50.4/30"\n    dpd_timeout_seconds = 40\n')],
}
PROD_INSIDE = [('"169.254.10.0/30"', '"169.254.12.0/30"')]
PROD_REMOVED_SITE = 'site "frankfurt-dc"'
# berlin-hq's router gets a new public IP: a new customer gateway, the connection moved onto it in place.
PROD_CGW = [('"203.0.113.10"', '"203.0.113.11"')]
# berlin-hq's IPsec policies narrow to one on-premises network: new traffic selectors, in place (both tunnels down).
PROD_SELECTORS = [('  crypto_profile = "prod-strict"\n  # Off until reviewed',
                   '  crypto_profile = "prod-strict"\n  local_ipv4_network_cidr = "10.1.0.0/16"\n  # Off until reviewed')]
# The staff endpoint's second association moves from zone b to zone c: no access through b meanwhile.
PROD_MOVED_ASSOCIATION = [('subnet_ids                     = ["subnet-0c10000000000000a", "subnet-0c10000000000000b"]',
                           'subnet_ids                     = ["subnet-0c10000000000000a", "subnet-0c10000000000000c"]')]
# paris-branch loses one of its two static routes: traffic to 192.168.21.0/24 stops, nothing guarded changes.
PROD_REMOVED_ROUTE = [('static_routes  = ["192.168.20.0/24", "192.168.21.0/24"]', 'static_routes  = ["192.168.20.0/24"]')]
# Changes of prod's identity (stacks/config/guard_manifest.py), each edit applied to every occurrence, with
# the allowance that names its new value. The tier can't be lowered in a file named prod (the name rule).
PROD_IDENTITY = {
    "tier": ([('tier            = "production"', 'tier            = "staging"')], "tier=staging"),
    "vpc.id": ([('id              = "vpc-0c1d2e3f4a5b60789"', 'id              = "vpc-0c1d2e3f4a5b60aaa"')],
               "vpc.id=vpc-0c1d2e3f4a5b60aaa"),
    "region": ([('region          = "eu-central-1"', 'region          = "eu-west-1"'),
                ('availability_zone = "eu-central-1', 'availability_zone = "eu-west-1'), (":eu-central-1:", ":eu-west-1:")],
               "region=eu-west-1"),
    "state.bucket": ([('bucket = "acme-tfstate-prod"', 'bucket = "acme-tfstate-prod-2"')],
                     "state.bucket=acme-tfstate-prod-2"),
}
PROD_BERLIN_CONNECTION = "aws_vpn_connection.site-berlin-hq_connection_6043E8D9"
# The allowance a review of PROD_INSIDE prints: the connection's address and the digest of its synthesized body.
# A code change to the connection's construct changes it; the synth's GuardError then names the new digest.
PROD_BERLIN_ALLOWANCE = f"{PROD_BERLIN_CONNECTION}@f235e0db58ca"
PROD_BERLIN_CUSTOMER_GATEWAY = "aws_customer_gateway.site-berlin-hq_customer_gateway_AC3CF905"
PROD_BERLIN_CGW_ALLOWANCE = f"{PROD_BERLIN_CUSTOMER_GATEWAY}@24edc24c42a7"
STAGING_ROTATED_SECRET = "staging/vpn/munich-lab/tunnel1"
# A single Client VPN association: AWS allows it outside the production tier, and each costs the
# provider's fixed 4 minutes to create and again to delete. dev ships with one already.
ONE_ASSOCIATION = {
    "staging": [('subnet_ids                    = ["subnet-0a50000000000000a", "subnet-0a50000000000000b"]',
                 'subnet_ids                    = ["subnet-0a50000000000000a"]')],
}


def variant(name: str, edits: list[tuple[str, str]], folder: Path, *, without: tuple[str, ...] = (),
            every: bool = False, saved_as: str | None = None):
    """The shipped environment `name` with `edits` (the first occurrence of each; with `every`, all) and
    without the blocks whose headers `without` names, written to `folder/<saved_as or name>.hcl` and
    loaded from there."""
    from stacks.config import load_environment

    text = (ENVIRONMENTS / f"{name}.hcl").read_text()
    for old, new in edits:
        assert old in text, f"{name}.hcl no longer holds {old!r}"
        text = text.replace(old, new, -1 if every else 1)
    for header in without:
        text = without_block(text, header)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{saved_as or name}.hcl").write_text(text)
    return load_environment(folder / f"{saved_as or name}.hcl")


def without_block(text: str, header: str) -> str:
    """`text` without the block that starts with `header` (`client_vpn "`, `site "frankfurt-dc"`)."""
    start = text.index(header)
    depth = 0
    for end in range(text.index("{", start), len(text)):
        depth += {"{": 1, "}": -1}.get(text[end], 0)
        if depth == 0:
            return text[:start] + text[end + 1 :]
    raise ValueError(f"the block {header} never closes")


@dataclass(frozen=True)
class Scenario:
    """A change a reviewer meets, planned against the applied shipped environment (tests/recorded_plans.py)."""

    environment: str
    edits: tuple[tuple[str, str], ...] = ()
    without: tuple[str, ...] = ()
    allow_replace: frozenset[str] = frozenset()
    renewed_pki: bool = False  # planned with fresh certificates in the same folders
    rotated_secret: str | None = None  # a key rotated in Secrets Manager behind the stack's back

    def load(self, folder: Path):
        return variant(self.environment, list(self.edits), folder, without=self.without)


SCENARIOS = {
    **{f"dev-{name}": Scenario("dev", tuple(edits), renewed_pki=name == "cert") for name, edits in DEV_EDITS.items()},
    "prod-refused": Scenario("prod", tuple(PROD_INSIDE)),
    "prod-allowed": Scenario("prod", tuple(PROD_INSIDE), allow_replace=frozenset({PROD_BERLIN_ALLOWANCE})),
    "prod-removed": Scenario("prod", without=(PROD_REMOVED_SITE,)),
    "prod-moved-association": Scenario("prod", tuple(PROD_MOVED_ASSOCIATION)),
    "prod-cgw": Scenario("prod", tuple(PROD_CGW)),
    "prod-cgw-allowed": Scenario("prod", tuple(PROD_CGW), allow_replace=frozenset({PROD_BERLIN_CGW_ALLOWANCE})),
    "prod-selectors": Scenario("prod", tuple(PROD_SELECTORS)),
    "staging-psk": Scenario("staging", rotated_secret=STAGING_ROTATED_SECRET),
    "staging-association": Scenario("staging", tuple(ONE_ASSOCIATION["staging"])),
}
