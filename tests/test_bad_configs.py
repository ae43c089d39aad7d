"""Bad environment files are rejected before anything is written: exact message, exit 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, run_vpnctl, vpnctl_in_process

BASE = """\
region     = "eu-central-1"
account_id = "111111111111"

state {
  bucket = "acme-tfstate-dev"
  region = "eu-central-1"
}

vpc {
  id              = "vpc-0d1e2f3a4b5c60718"
  cidr            = "10.10.0.0/16"
  route_table_ids = ["rtb-0d10000000000000a"]
}

site "office" {
  ip_address    = "198.51.100.20"
  routing       = "static"
  static_routes = ["192.168.50.0/24"]
  tunnel {
    inside_cidr = "169.254.50.0/30"
  }
  tunnel {
    inside_cidr = "169.254.50.4/30"
  }
}
"""

TGW_SITE = """
site "dc" {
  ip_address = "192.0.2.50"
  routing    = "bgp"
  tunnel_inside_ip_version = "ipv6"
  transit_gateway {
    id             = "tgw-0f1e2d3c4b5a69788"
    route_table_id = "tgw-rtb-0f1e2d3c4b5a69788"
  }
  tunnel {
    inside_ipv6_cidr = "INSIDE6"
  }
}
"""

VPC_BLOCK = BASE[BASE.index("vpc {"):BASE.index('site "office"')]
TUNNEL1 = 'inside_cidr = "169.254.50.0/30"'
F = "environments/dev.hcl"


def tunnel_option(line: str):
    return lambda text: text.replace(TUNNEL1, f"{TUNNEL1}\n    {line}")


def replace(old: str, new: str):
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new)

    return edit


def append(extra: str):
    return lambda text: text + extra


CASES = [
    # customer gateway
    ("cgw-ip-not-ipv4", replace("198.51.100.20", "198.51.100.300"),
     f"""{F}: site "office" ip_address: '198.51.100.300' is not an IPv4 address"""),
    ("cgw-ip-is-ipv6", replace('"198.51.100.20"', '"2001:db8::20"'),
     f"""{F}: site "office" ip_address: '2001:db8::20' is not an IPv4 address"""),
    ("cgw-asn-zero", replace('routing       = "static"', 'routing = "static"\n  bgp_asn = 0'),
     f"""{F}: site "office" bgp_asn: must be 1 to 4294967295, got 0"""),
    ("cgw-asn-too-big", replace('routing       = "static"', 'routing = "static"\n  bgp_asn = 4294967296'),
     f"""{F}: site "office" bgp_asn: must be 1 to 4294967295, got 4294967296"""),
    # pre-shared keys: never literal, and a secret name must be valid
    ("psk-literal", tunnel_option('preshared_key = "abcdefgh12"'),
     f"""{F}: site "office" tunnel[1].preshared_key: unknown key (did you mean "preshared_key_secret"?)"""),
    ("psk-secret-name", tunnel_option('preshared_key_secret = "bad name!"'),
     f"""{F}: site "office" tunnel[1].preshared_key_secret: 'bad name!' is not a Secrets Manager secret name"""),
    ("psk-own-keys-in-secrets-manager-storage",
     lambda base: tunnel_option('preshared_key_secret = "dev/vpn/office/tunnel1"')(base).replace(
         'routing       = "static"', 'routing = "static"\n  preshared_key_storage = "SecretsManager"'),
     (f"""{F}: site "office" preshared_key_storage: "SecretsManager" can't be combined with tunnel preshared_key_secret: """
     "AWS then answers REDACTED for the keys and every plan shows them changed; your keys already live in your secrets")),
    # tunnel inside CIDR
    ("inside-not-30", replace("169.254.50.0/30", "169.254.50.0/29"),
     f"""{F}: site "office" tunnel[1].inside_cidr: 169.254.50.0/29 must be a /30, got /29"""),
    ("inside-not-link-local", replace("169.254.50.4/30", "10.0.0.0/30"),
     f"""{F}: site "office" tunnel[2].inside_cidr: 10.0.0.0/30 is not inside 169.254.0.0/16"""),
    ("inside-reserved-5", replace("169.254.50.0/30", "169.254.5.0/30"),
     f"""{F}: site "office" tunnel[1].inside_cidr: 169.254.5.0/30 is reserved by AWS"""),
    ("inside-reserved-0", replace("169.254.50.4/30", "169.254.0.0/30"),
     f"""{F}: site "office" tunnel[2].inside_cidr: 169.254.0.0/30 is reserved by AWS"""),
    ("inside-reserved-169", replace("169.254.50.0/30", "169.254.169.252/30"),
     f"""{F}: site "office" tunnel[1].inside_cidr: 169.254.169.252/30 is reserved by AWS"""),
    ("inside-host-bits", replace("169.254.50.0/30", "169.254.50.1/30"),
     f"""{F}: site "office" tunnel[1].inside_cidr: 169.254.50.1/30 has host bits set"""),
    ("inside-same-in-site", replace("169.254.50.4/30", "169.254.50.0/30"),
     f"""{F}: site "office" tunnel[2].inside_cidr: 169.254.50.0/30 is already used by tunnel[1]"""),
    ("inside-same-on-gateway",
     append('\nsite "branch" {\n  ip_address = "198.51.100.21"\n  routing = "bgp"\n'
            '  tunnel {\n    inside_cidr = "169.254.50.4/30"\n  }\n}\n'),
     (f"""{F}: site "branch" tunnel[1].inside_cidr: 169.254.50.4/30 is already used by site "office" """
     """tunnel[2] on the virtual private gateway""")),
    ("inside-ipv6-not-126", append(TGW_SITE.replace("INSIDE6", "fd00::/64")),
     f"""{F}: site "dc" tunnel[1].inside_ipv6_cidr: fd00::/64 must be a /126, got /64"""),
    ("inside-ipv6-not-fd00", append(TGW_SITE.replace("INSIDE6", "2001:db8::/126")),
     f"""{F}: site "dc" tunnel[1].inside_ipv6_cidr: 2001:db8::/126 is not inside fd00::/8"""),
    ("ipv6-needs-tgw", append(TGW_SITE.replace("INSIDE6", "fd00::/126").replace(
        '  transit_gateway {\n    id             = "tgw-0f1e2d3c4b5a69788"\n'
        '    route_table_id = "tgw-rtb-0f1e2d3c4b5a69788"\n  }\n', "")),
     f"""{F}: site "dc" tunnel_inside_ip_version: "ipv6" needs a transit gateway"""),
    # tunnel count
    ("three-tunnels", replace("  tunnel {\n    inside_cidr = \"169.254.50.4/30\"\n  }\n",
                              "  tunnel {\n    inside_cidr = \"169.254.50.4/30\"\n  }\n  tunnel {\n  }\n"),
     f"""{F}: site "office" tunnel: a VPN connection has at most two tunnels, got 3 tunnel blocks"""),
    # tunnel option ranges
    ("phase1-lifetime-low", tunnel_option("phase1_lifetime_seconds = 899"),
     f"""{F}: site "office" tunnel[1].phase1_lifetime_seconds: must be 900 to 28800 seconds, got 899"""),
    ("phase1-lifetime-high", tunnel_option("phase1_lifetime_seconds = 28801"),
     f"""{F}: site "office" tunnel[1].phase1_lifetime_seconds: must be 900 to 28800 seconds, got 28801"""),
    ("phase2-lifetime-high", tunnel_option("phase2_lifetime_seconds = 3601"),
     f"""{F}: site "office" tunnel[1].phase2_lifetime_seconds: must be 900 to 3600 seconds, got 3601"""),
    ("rekey-margin-low", tunnel_option("rekey_margin_time_seconds = 59"),
     f"""{F}: site "office" tunnel[1].rekey_margin_time_seconds: must be at least 60 seconds, got 59"""),
    ("rekey-margin-over-half", tunnel_option("phase2_lifetime_seconds = 1800\n    rekey_margin_time_seconds = 901"),
     (f"""{F}: site "office" tunnel[1].rekey_margin_time_seconds: must be at most half the phase 2 lifetime """
     """(900 of 1800 seconds), got 901""")),
    ("rekey-margin-over-default-half", tunnel_option("rekey_margin_time_seconds = 1801"),
     (f"""{F}: site "office" tunnel[1].rekey_margin_time_seconds: must be at most half the phase 2 lifetime """
     """(1800 of 3600 seconds), got 1801""")),
    ("fuzz-high", tunnel_option("rekey_fuzz_percentage = 101"),
     f"""{F}: site "office" tunnel[1].rekey_fuzz_percentage: must be 0 to 100 percent, got 101"""),
    ("replay-low", tunnel_option("replay_window_size = 63"),
     f"""{F}: site "office" tunnel[1].replay_window_size: must be 64 to 2048 packets, got 63"""),
    ("replay-high", tunnel_option("replay_window_size = 2049"),
     f"""{F}: site "office" tunnel[1].replay_window_size: must be 64 to 2048 packets, got 2049"""),
    ("dpd-timeout-low", tunnel_option("dpd_timeout_seconds = 29"),
     f"""{F}: site "office" tunnel[1].dpd_timeout_seconds: must be at least 30 seconds, got 29"""),
    ("dpd-action", tunnel_option('dpd_timeout_action = "reset"'),
     f"""{F}: site "office" tunnel[1].dpd_timeout_action: 'reset' is not one of clear, none, restart"""),
    ("startup-action", tunnel_option('startup_action = "begin"'),
     f"""{F}: site "office" tunnel[1].startup_action: 'begin' is not one of add, start"""),
    ("ike-version", tunnel_option('ike_versions = ["ikev3"]'),
     f"""{F}: site "office" tunnel[1].ike_versions: 'ikev3' not allowed; choose from ikev1, ikev2"""),
    ("phase1-dh-5", tunnel_option("phase1_dh_group_numbers = [5, 14]"),
     (f"""{F}: site "office" tunnel[1].phase1_dh_group_numbers: 5 not allowed; choose from """
     """2, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24""")),
    ("log-format", tunnel_option('log_output_format = "xml"'),
     f"""{F}: site "office" tunnel[1].log_output_format: 'xml' is not one of json, text"""),
    # routing
    ("static-routes-with-bgp", replace('routing       = "static"', 'routing = "bgp"'),
     f"""{F}: site "office" static_routes: only allowed with routing = "static\""""),
    ("static-route-overlaps-vpc", replace('"192.168.50.0/24"', '"10.10.128.0/17"'),
     f"""{F}: site "office" static_routes[0]: 10.10.128.0/17 overlaps the VPC CIDR 10.10.0.0/16"""),
    ("acceleration-needs-tgw", replace('routing       = "static"', 'routing = "static"\n  enable_acceleration = true'),
     f"""{F}: site "office" enable_acceleration: only a transit gateway connection can be accelerated"""),
    # file-level problems
    ("malformed-hcl", replace('routing       = "static"', 'routing = = "static"'),
     f"""{F}: line 17, column 13: malformed HCL: unexpected '='"""),
    ("unclosed-block", lambda text: text.rstrip()[:-1],
     f"""{F}: line 25, column 1: malformed HCL: unexpected end of file"""),
    ("duplicate-route-table", replace('["rtb-0d10000000000000a"]', '["rtb-0d10000000000000a", "rtb-0d10000000000000a"]'),
     f"""{F}: vpc.route_table_ids: lists rtb-0d10000000000000a twice"""),
    ("stack-owned-tag", replace('account_id = "111111111111"', 'account_id = "111111111111"\ntags = { environment = "x" }'),
     f"""{F}: tags: "environment" is set by the stack; choose another key"""),
    ("unknown-key", replace('account_id = "111111111111"', 'account_id = "111111111111"\nregoin = "x"'),
     f"""{F}: regoin: unknown key (did you mean "region"?)"""),
    ("wrong-type", replace('routing       = "static"', 'routing = "static"\n  bgp_asn = "65010"'),
     f"""{F}: site "office" bgp_asn: must be a whole number, got "65010\""""),
    ("duplicate-site", append('\nsite "office" {\n  ip_address = "198.51.100.21"\n  routing = "bgp"\n}\n'),
     f"""{F}: site "office": duplicate site name "office\""""),
    ("missing-routing", replace('  routing       = "static"\n  static_routes = ["192.168.50.0/24"]\n', ""),
     f"""{F}: site "office" routing: required key is missing"""),
    ("missing-account", replace('account_id = "111111111111"\n', ""),
     f"""{F}: account_id: required key is missing"""),
    ("two-state-blocks", append('\nstate {\n  bucket = "other"\n  region = "eu-central-1"\n}\n'),
     f"""{F}: state: only one state block is allowed, got 2"""),
    ("unknown-crypto-profile", replace('routing       = "static"', 'routing = "static"\n  crypto_profile = "fast"'),
     f"""{F}: site "office" crypto_profile: "fast" is not defined; known: compatible, modern"""),
    ("amazon-asn", append("\nvpn_gateway {\n  amazon_side_asn = 65535\n}\n"),
     (f"""{F}: vpn_gateway.amazon_side_asn: must be a private ASN, 64512 to 65534 or 4200000000 to 4294967294, """
     """got 65535""")),
    ("interpolation", replace('"198.51.100.20"', '"${var.office_ip}"'),
     f"""{F}: site "office" ip_address: interpolation is not allowed in environment files"""),
    ("role-in-other-account", replace('account_id = "111111111111"',
                                      'account_id = "111111111111"\nassume_role_arn = "arn:aws:iam::999999999999:role/x"'),
     f"""{F}: assume_role_arn: the role is in account 999999999999, not in account_id 111111111111"""),
    ("attribute-twice", replace('account_id = "111111111111"', 'account_id = "111111111111"\naccount_id = "999999999999"'),
     f"""{F}: account_id: set twice in one block; HCL allows it once"""),
    ("identical-customer-gateways",
     append('\nsite "office-backup" {\n  ip_address = "198.51.100.20"\n  routing = "bgp"\n}\n'),
     (f"""{F}: site "office-backup": same ip_address, bgp_asn and device_name as site "office"; AWS would return """
     """the same customer gateway for both (set a distinct device_name)""")),
    ("tgw-route-twice",
     append(''.join(
         f'\nsite "dc{n}" {{\n  ip_address = "192.0.2.5{n}"\n  routing = "static"\n  static_routes = ["172.20.0.0/16"]\n'
         '  transit_gateway {\n    id = "tgw-0f1e2d3c4b5a69788"\n    route_table_id = "tgw-rtb-0f1e2d3c4b5a69788"\n  }\n}\n'
         for n in (1, 2))),
     f"""{F}: site "dc2" static_routes[0]: 172.20.0.0/16 is already routed to site "dc1" in tgw-rtb-0f1e2d3c4b5a69788"""),
    ("email-like-another", append('\nalarms {\n  emails = ["net.ops@example.com", "net-ops@example.com"]\n}\n'),
     f"""{F}: alarms.emails[1]: net-ops@example.com is too like net.ops@example.com; list each address once"""),
    # What HCL's grammar takes and an environment file must not hold (stacks/config/hcl_checks.py, loader.py).
    ("block-and-attribute", replace("  tunnel {\n    inside_cidr = \"169.254.50.4/30\"\n  }",
                                    '  tunnel = { inside_cidr = "169.254.50.4/30" }'),
     (f"""{F}: site "office" tunnel: written both as `tunnel = ...` and as a tunnel block; write each as a block: """
     """tunnel { ... }""")),
    ("bare-word", replace('routing       = "static"', "routing       = static"),
     (f"""{F}: site "office" routing: static is a bare word; write it in quotes ("static"): environment files hold """
     """values, not references""")),
    ("exponent", tunnel_option("dpd_timeout_seconds = 1e29"),
     f"""{F}: site "office" tunnel[1].dpd_timeout_seconds: 1e29: write the number in digits, without an exponent"""),
    ("beyond-int64", tunnel_option("dpd_timeout_seconds = 9223372036854775808"),
     (f"""{F}: site "office" tunnel[1].dpd_timeout_seconds: 9223372036854775808 is beyond the whole numbers """
     """Terraform's AWS provider takes (-9223372036854775808 to 9223372036854775807)""")),
    ("control-character", replace('"acme-tfstate-dev"', '"acme-tfstate-dev\x1b[2J"'),
     f"""{F}: state.bucket: holds a control character (U+001B); write printable text"""),
    ("tag-value-length", append(f'\ntags = {{\n  owner = "{"x" * 257}"\n}}\n'),
     f"""{F}: tags.owner: a tag value is at most 256 characters (AWS); got 257"""),
    ("tag-value-characters", append('\ntags = {\n  owner = "net<ops>"\n}\n'),
     (f"""{F}: tags.owner: a tag value takes letters, digits, spaces and _ . : / = + - @ (what every AWS service """
     """the stack tags accepts)""")),
    ("cgw-loopback", replace("198.51.100.20", "127.0.0.1"),
     (f"""{F}: site "office" ip_address: 127.0.0.1 is a loopback address; a customer gateway needs the unicast """
     """address of a device, public or private""")),
    ("cgw-broadcast", replace("198.51.100.20", "255.255.255.255"),
     (f"""{F}: site "office" ip_address: 255.255.255.255 is the broadcast address; a customer gateway needs the """
     """unicast address of a device, public or private""")),
    ("vpc-missing", replace(VPC_BLOCK, ""),
     (f"""{F}: site "office": needs a vpc block: without a transit_gateway it connects through the virtual """
     """private gateway, which attaches to the VPC""")),
    ("asn-conflict", lambda t: replace('routing       = "static"\n  static_routes = ["192.168.50.0/24"]',
                                       'routing       = "bgp"\n  bgp_asn       = 64512')(t),
     (f"""{F}: site "office" bgp_asn: 64512 is the virtual private gateway's Amazon side ASN; the customer """
      """gateway's must differ from it (AWS refuses it: AsnConflict)""")),
    ("too-many-tags", append("\ntags = {\n" + "".join(f'  t{n} = "x"\n' for n in range(48)) + "}\n"),
     (f"""{F}: tags: at most 47 (AWS takes 50 tags per resource, and the stack adds environment, managed-by and """
      """Name); got 48""")),
    ("log-retention", append("\nlogging {\n  retention_days = 100\n}\n"),
     (f"""{F}: logging.retention_days: 100 is not one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, """
     """731, 1096, 1827, 2192, 2557, 2922, 3288, 3653""")),
]


def run_on(tmp_path, text: str, *command: str):
    """vpnctl on one environment file, environments/dev.hcl, in a fresh folder: in-process, as refusals stop
    before cdktf (test_a_bad_config_is_refused_the_same_by_the_command_itself runs the real command)."""
    (tmp_path / "environments").mkdir()
    (tmp_path / F).write_text(text)
    return vpnctl_in_process("--environments", "environments", *command, cwd=tmp_path)


def assert_rejected(tmp_path, text: str, expected: str) -> None:
    result = run_on(tmp_path, text, "synth", "--out", "out")
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [expected]
    assert "Traceback" not in result.stderr + result.stdout
    assert not list(tmp_path.rglob("cdk.tf.json"))
    assert not (tmp_path / "out").exists()


def assert_valid(tmp_path, text: str, summary: str) -> None:
    result = run_on(tmp_path, text, "validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{F}: ok ({summary})\n"


@pytest.mark.parametrize("case, edit, expected", CASES, ids=[c[0] for c in CASES])
def test_bad_config_is_rejected_with_one_exact_line(tmp_path, case, edit, expected):
    assert_rejected(tmp_path, edit(BASE), expected)


def test_the_table_covers_at_least_25_distinct_rules():
    assert len({expected.split(": ", 2)[-1] for _, _, expected in CASES}) >= 25


def test_base_config_of_the_table_is_valid(tmp_path):
    assert_valid(tmp_path, BASE, "1 site, 0 Client VPN endpoints")


def test_every_problem_is_reported_in_one_run(tmp_path):
    text = tunnel_option("replay_window_size = 9")(BASE).replace("169.254.50.4/30", "169.254.5.0/30")
    text = text.replace('account_id = "111111111111"', 'account_id = "111111111111"\nregoin = "x"')
    (tmp_path / "environments").mkdir()
    (tmp_path / F).write_text(text)
    (tmp_path / "environments" / "prod.hcl").write_text(BASE.replace('"198.51.100.20"', '"nope"'))
    result = run_vpnctl("--environments", "environments", "validate", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"""{F}: site "office" tunnel[1].replay_window_size: must be 64 to 2048 packets, got 9""",
        f"""{F}: site "office" tunnel[2].inside_cidr: 169.254.5.0/30 is reserved by AWS""",
        f"""{F}: regoin: unknown key (did you mean "region"?)""",
        """environments/prod.hcl: site "office" ip_address: 'nope' is not an IPv4 address""",
        ("""environments/prod.hcl: tier: an environment whose name says prod must set tier = "production" (prevent_destroy, """
         """the strict policy, two availability zones per endpoint); got "development" by default"""),
    ]


def test_the_cdktf_app_rejects_a_bad_config_before_writing(tmp_path):
    """`cdktf synth` runs main.py; it must stop the same way, before cdktf is even loaded."""
    (tmp_path / "environments").mkdir()
    (tmp_path / F).write_text(BASE.replace("169.254.50.0/30", "169.254.5.0/30"))
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py")],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT), "CDKTF_OUTDIR": str(tmp_path / "out")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"""{F}: site "office" tunnel[1].inside_cidr: 169.254.5.0/30 is reserved by AWS"""
    ]
    assert not (tmp_path / "out").exists()


def test_validate_never_loads_cdktf():
    code = (
        "import sys; from vpnctl.cli import main; rc = main(['validate']);"
        "loaded = [m for m in ('cdktf', 'jsii', 'constructs') if m in sys.modules];"
        "print(loaded); sys.exit(rc)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_two_environments_that_attach_a_gateway_to_one_vpc_are_refused(tmp_path):
    """A VPC takes one virtual private gateway: the second apply would fail (InvalidVpcState)."""
    (tmp_path / "environments").mkdir()
    (tmp_path / F).write_text(BASE)
    (tmp_path / "environments" / "lab.hcl").write_text(BASE.replace("acme-tfstate-dev", "acme-tfstate-lab"))
    result = run_vpnctl("--environments", "environments", "validate", cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert result.stderr.splitlines() == [
        (f"environments/lab.hcl: vpc.id: vpc-0d1e2f3a4b5c60718 gets the virtual private gateway of {F} too; a VPC "
        "takes one (AWS refuses the second: InvalidVpcState)")]


def test_a_bad_config_is_refused_the_same_by_the_command_itself(tmp_path):
    """The tables above run vpnctl in-process; here one refusal goes through the real command."""
    _, edit, expected = next(case for case in CASES if case[0] == "cgw-ip-not-ipv4")
    (tmp_path / "environments").mkdir()
    (tmp_path / F).write_text(edit(BASE))
    result = run_vpnctl("--environments", "environments", "synth", "--out", "out", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.splitlines() == [expected]
    assert "Traceback" not in result.stderr + result.stdout and not (tmp_path / "out").exists()
