"""Bad Client VPN configs are rejected before anything is written: exact message, exit 2, no traceback."""

from __future__ import annotations

import pytest

from tests.test_bad_configs import BASE, F, assert_rejected, assert_valid, replace

SUBNETS = '''  route_table_ids = ["rtb-0d10000000000000a"]
  subnets = {
    "subnet-0d10000000000000a" = { availability_zone = "eu-central-1a", route_table_id = "rtb-0d10000000000000a" }
    "subnet-0d10000000000000b" = { availability_zone = "eu-central-1b", route_table_id = "rtb-0d10000000000000a" }
    "subnet-0d10000000000000c" = { availability_zone = "eu-central-1b", route_table_id = "rtb-0d10000000000000a" }
  }'''

ENDPOINT = '''
client_vpn "staff" {
  client_cidr    = "10.110.0.0/22"
  authentication = ["certificate"]
  server_certificate {
    pki = "dev"
  }
  subnet_ids = ["subnet-0d10000000000000a", "subnet-0d10000000000000b"]
  route "office" {
    destination = "192.168.50.0/24"
  }
  authorization "vpc" {
    networks = ["10.10.0.0/16"]
  }
}
'''

CVPN_BASE = BASE.replace('  route_table_ids = ["rtb-0d10000000000000a"]', SUBNETS) + ENDPOINT
C = f'{F}: client_vpn "staff"'


def option(line: str):
    return replace('  authentication = ["certificate"]', f'  authentication = ["certificate"]\n  {line}')


def block(text: str):
    return replace('  route "office" {', f"{text}\n  route \"office\" {{")


SAML = 'authentication = ["certificate", "saml"]\n  saml_provider_arn = "arn:aws:iam::111111111111:saml-provider/idp"'
CASES = [
    ("client-cidr-11", replace('"10.110.0.0/22"', '"10.96.0.0/11"'),
     f"{C} client_cidr: 10.96.0.0/11 must be between /12 and /22, got /11"),
    ("client-cidr-23", replace('"10.110.0.0/22"', '"10.110.0.0/23"'),
     f"{C} client_cidr: 10.110.0.0/23 must be between /12 and /22, got /23"),
    ("client-cidr-contains-vpc", replace('"10.110.0.0/22"', '"10.8.0.0/14"'),
     f"{C} client_cidr: 10.8.0.0/14 overlaps the VPC CIDR 10.10.0.0/16"),
    ("client-cidr-inside-vpc", replace('"10.110.0.0/22"', '"10.10.200.0/22"'),
     f"{C} client_cidr: 10.10.200.0/22 overlaps the VPC CIDR 10.10.0.0/16"),
    ("client-cidr-overlaps-route",
     lambda t: block('  route "partner" {\n    destination = "172.16.0.0/16"\n  }')(t).replace('"10.110.0.0/22"', '"172.16.4.0/22"'),
     f'{C} route "partner" destination: 172.16.0.0/16 overlaps the client CIDR 172.16.4.0/22'),
    ("client-cidr-overlaps-site-route",
     lambda t: t.replace('"10.110.0.0/22"', '"192.168.48.0/22"').replace(
         '  route "office" {\n    destination = "192.168.50.0/24"\n  }\n', ""),
     f'{C} client_cidr: 192.168.48.0/22 overlaps 192.168.50.0/24, routed to site "office"'),
    ("three-dns", option('dns_servers = ["10.10.0.2", "10.10.0.3", "10.10.0.4"]'),
     f"{C} dns_servers: at most 2 DNS servers, got 3"),
    ("session-9h", option("session_timeout_hours = 9"),
     f"{C} session_timeout_hours: must be 8, 10, 12 or 24, got 9"),
    ("port-80", option("vpn_port = 80"), f"{C} vpn_port: must be 443 or 1194, got 80"),
    ("banner-1401", option(f'login_banner = "{"x" * 1401}"'),
     f"{C} login_banner: at most 1400 characters, got 1401"),
    ("group-on-certificate-only", replace('networks = ["10.10.0.0/16"]', 'networks = ["10.10.0.0/16"]\n    group = "eng"'),
     (f'{C} authorization "vpc" group: a group rule needs saml or directory authentication; '
     "certificate-only endpoints authorize all users")),
    ("route-to-unassociated-subnet",
     replace('destination = "192.168.50.0/24"', 'destination = "192.168.50.0/24"\n    subnet_ids = ["subnet-0d10000000000000c"]'),
     f'{C} route "office" subnet_ids: subnet-0d10000000000000c is not an associated subnet (subnet_ids)'),
    ("unreachable-authorization", replace('networks = ["10.10.0.0/16"]', 'networks = ["10.10.0.0/16", "172.20.0.0/16"]'),
     (f'{C} authorization "vpc" networks[1]: no route reaches 172.20.0.0/16; the rule would be dead '
     "(routed: the VPC CIDR and each route destination)")),
    ("half-reachable-authorization", replace('networks = ["10.10.0.0/16"]', 'networks = ["192.168.50.0/23"]'),
     (f'{C} authorization "vpc" networks[0]: no route reaches 192.168.50.0/23; the rule would be dead '
     "(routed: the VPC CIDR and each route destination)")),
    ("default-route-split-tunnel", block('  route "internet" {\n    destination = "0.0.0.0/0"\n  }'),
     f'{C} route "internet" destination: 0.0.0.0/0 only on a full-tunnel endpoint (split_tunnel = false)'),
    ("three-authentications", replace('authentication = ["certificate"]', 'authentication = ["certificate", "saml", "directory"]'),
     f"{C} authentication: at most 2 authentication options, got 3"),
    ("saml-with-directory", replace('authentication = ["certificate"]', 'authentication = ["saml", "directory"]'),
     f"{C} authentication: saml and directory cannot be combined; pair either with certificate"),
    ("no-authentication", replace('authentication = ["certificate"]', "authentication = []"),
     f"{C} authentication: name at least one of certificate, saml, directory"),
    ("unknown-authentication", replace('authentication = ["certificate"]', 'authentication = ["password"]'),
     f"""{C} authentication[0]: must be "certificate", "saml" or "directory", got "password\""""),
    ("saml-without-provider", replace('authentication = ["certificate"]', 'authentication = ["certificate", "saml"]'),
     f'{C} saml_provider_arn: required with authentication "saml"'),
    ("portal-without-saml", option("self_service_portal = true"),
     f'{C} self_service_portal: needs authentication "saml"'),
    ("directory-without-id", replace('authentication = ["certificate"]', 'authentication = ["certificate", "directory"]'),
     f'{C} directory_id: required with authentication "directory"'),
    ("lambda-name", option('client_connect_lambda_arn = "arn:aws:lambda:eu-central-1:111111111111:function:posture"'),
     f"{C} client_connect_lambda_arn: the function name must start with AWSClientVPN-, got posture"),
    ("six-security-groups", option("security_group_ids = [" + ", ".join(f'"sg-0{i}000000000000000"' for i in range(6)) + "]"),
     f"{C} security_group_ids: 1 to 5 security groups, got 6"),
    ("one-zone-in-production",
     lambda t: replace('subnet_ids = ["subnet-0d10000000000000a", "subnet-0d10000000000000b"]',
                       'subnet_ids = ["subnet-0d10000000000000b"]')(t.replace("\nstate {", '\ntier = "production"\n\nstate {', 1)),
     (f'{C} subnet_ids: a production-tier endpoint (tier = "production") associates subnets in at least two '
     "availability zones, for redundancy; got eu-central-1b")),
    ("no-association", replace('subnet_ids = ["subnet-0d10000000000000a", "subnet-0d10000000000000b"]', "subnet_ids = []"),
     f"{C} subnet_ids: associate at least one subnet"),
    ("two-subnets-one-zone", replace('"subnet-0d10000000000000b"]', '"subnet-0d10000000000000b", "subnet-0d10000000000000c"]'),
     (f"{C} subnet_ids[2]: subnet-0d10000000000000c is in eu-central-1b, like subnet_ids[1]; "
     "AWS associates one subnet per availability zone")),
    ("dns-not-authorized",
     lambda t: option('dns_servers = ["10.10.0.2"]')(t).replace('networks = ["10.10.0.0/16"]', 'networks = ["10.10.8.0/24"]'),
     f"{C} dns_servers[0]: no authorization rule covers 10.10.0.2; clients could not resolve names"),
    ("dns-behind-group-rule",
     lambda t: replace('authentication = ["certificate"]', SAML)(t).replace(
         '  authorization "vpc" {\n    networks = ["10.10.0.0/16"]\n  }',
         '  dns_servers = ["10.10.0.2"]\n  authorization "vpc" {\n    networks = ["10.10.0.0/16"]\n    group = "eng"\n  }\n'
         '  authorization "all" {\n    networks = ["10.10.0.0/16"]\n    group = "ops"\n  }'),
     (f'{C} dns_servers[0]: 10.10.0.2 falls under authorization "vpc" (group "eng", "ops") by longest prefix, so other '
     "users cannot resolve names; add a rule for all users, such as 10.10.0.2/32")),
    ("route-name", replace('route "office"', 'route "Office_1"'),
     f"""{C} route "Office_1": a name is 1 to 48 lowercase letters, digits and '-', not at either end"""),
    ("subnet-not-in-vpc", replace('"subnet-0d10000000000000b"]', '"subnet-0d1000000000000ff"]'),
     f"{C} subnet_ids[1]: subnet-0d1000000000000ff is not one of vpc.subnets"),
    ("route-to-vpc-cidr", block('  route "vpc" {\n    destination = "10.10.0.0/16"\n  }'),
     f'{C} route "vpc" destination: AWS adds the route to the VPC CIDR with each association'),
    ("on-prem-route-not-propagated",
     lambda t: t.replace('"subnet-0d10000000000000b" = { availability_zone = "eu-central-1b", route_table_id = "rtb-0d10000000000000a" }',
                         '"subnet-0d10000000000000b" = { availability_zone = "eu-central-1b", route_table_id = "rtb-0d10000000000000b" }'),
     (f'{C} route "office" destination: 192.168.50.0/24 is on premises, but subnet-0d10000000000000b\'s route table '
     "rtb-0d10000000000000b does not learn routes from the virtual private gateway (add it to vpc.route_table_ids)")),
    ("certificate-both-sources", replace('    pki = "dev"', '    pki = "dev"\n    acm_arn = "arn:aws:acm:eu-central-1:111111111111:certificate/1234abcd-12ab-34cd-56ef-1234567890ab"'),
     f"{C} server_certificate: give exactly one of acm_arn or pki"),
    ("client-root-without-certificate-auth",
     lambda t: replace('authentication = ["certificate"]', SAML.replace('"certificate", ', ""))(t).replace(
         "  subnet_ids", '  client_root_certificate {\n    pki = "dev"\n  }\n  subnet_ids', 1),
     f'{C} client_root_certificate: only with authentication "certificate"'),
    ("transport", option('transport_protocol = "sctp"'),
     f"""{C} transport_protocol: must be "udp" or "tcp", got "sctp\""""),
    ("zone-outside-region", replace('availability_zone = "eu-central-1a"', 'availability_zone = "eu-west-1a"'),
     f"{F}: vpc.subnets.subnet-0d10000000000000a.availability_zone: eu-west-1a is not in eu-central-1"),
    ("reserved-client-to-client-name",
     lambda t: option("client_to_client = true")(t).replace('authorization "vpc"', 'authorization "client-to-client"'),
     f'{C} authorization "client-to-client": the name is taken by client_to_client = true'),
    ("overlapping-endpoints",
     lambda t: t + ENDPOINT.replace('client_vpn "staff"', 'client_vpn "contractors"').replace(
         '"10.110.0.0/22"', '"10.108.0.0/14"').replace('route "office" {\n    destination = "192.168.50.0/24"\n  }\n', ""),
     f'{F}: client_vpn "contractors" client_cidr: 10.108.0.0/14 overlaps client_vpn "staff" client_cidr 10.110.0.0/22'),
    ("endpoint-name", replace('client_vpn "staff"', 'client_vpn "Staff_VPN"'),
     f"""{F}: client_vpn "Staff_VPN": an endpoint name is 1 to 48 lowercase letters, digits and '-', not at either end"""),
    ("unknown-endpoint-key", option('split_tunel = false'),
     f"""{C} split_tunel: unknown key (did you mean "split_tunnel"?)"""),
    ("vpc-missing-for-endpoint",
     lambda t: t[:t.index("vpc {")] + t[t.index('site "office"'):].replace(
         'site "office" {', 'site "office" {\n  transit_gateway {\n    id = "tgw-0f1e2d3c4b5a69788"\n'
         '    route_table_id = "tgw-rtb-0f1e2d3c4b5a69788"\n  }', 1),
     f'{C}: needs a vpc block: the endpoint associates subnets of the VPC'),
    # AWS keeps one rule per network and group: a second fails the apply halfway through.
    ("duplicate-authorization", block('  authorization "vpc-again" {\n    networks = ["10.10.0.0/16"]\n  }'),
     (f'{C} authorization "vpc" networks[0]: 10.10.0.0/16 for all users is already authorized by authorization '
     '"vpc-again"; AWS refuses a duplicate rule (InvalidClientVpnDuplicateAuthorizationRule)')),
    ("duplicate-group-authorization",
     lambda t: replace('authentication = ["certificate"]', SAML)(block(
         '  authorization "eng" {\n    networks = ["10.10.0.0/16", "10.10.4.0/24"]\n    group = "eng"\n  }\n'
         '  authorization "eng-too" {\n    networks = ["10.10.4.0/24"]\n    group = "eng"\n  }')(t)),
     (f'{C} authorization "eng-too" networks[0]: 10.10.4.0/24 for group "eng" is already authorized by authorization '
     '"eng"; AWS refuses a duplicate rule (InvalidClientVpnDuplicateAuthorizationRule)')),
    ("duplicate-client-to-client-authorization",
     lambda t: option("client_to_client = true")(t).replace('networks = ["10.10.0.0/16"]',
                                                           'networks = ["10.10.0.0/16", "10.110.0.0/22"]'),
     (f'{C} authorization "vpc" networks[1]: 10.110.0.0/22 for all users is already authorized by client_to_client = '
     'true; AWS refuses a duplicate rule (InvalidClientVpnDuplicateAuthorizationRule)')),
]


@pytest.mark.parametrize("case, edit, expected", CASES, ids=[c[0] for c in CASES])
def test_bad_client_vpn_config_is_rejected_with_one_exact_line(tmp_path, case, edit, expected):
    assert_rejected(tmp_path, edit(CVPN_BASE), expected)


def test_the_client_vpn_table_covers_at_least_20_distinct_rules():
    assert len({expected.split(": ", 2)[-1] for _, _, expected in CASES}) >= 20


def test_one_network_for_two_groups_is_two_rules_aws_accepts(tmp_path):
    assert_valid(tmp_path, replace('authentication = ["certificate"]', SAML)(block(
        '  authorization "eng" {\n    networks = ["10.10.4.0/24"]\n    group = "eng"\n  }\n'
        '  authorization "ops" {\n    networks = ["10.10.4.0/24"]\n    group = "ops"\n  }')(CVPN_BASE)), "1 site, 1 Client VPN endpoint")


def test_client_vpn_base_config_is_valid(tmp_path):
    assert_valid(tmp_path, CVPN_BASE, "1 site, 1 Client VPN endpoint")


def test_one_association_is_enough_outside_production(tmp_path):
    """AWS takes a single association; two zones (about $73 a month each) is a rule for production only."""
    one = replace('subnet_ids = ["subnet-0d10000000000000a", "subnet-0d10000000000000b"]',
                  'subnet_ids = ["subnet-0d10000000000000b"]')(CVPN_BASE)
    assert_valid(tmp_path, one, "1 site, 1 Client VPN endpoint")
