"""Generated environments for the benchmarks and the concurrency pipeline: N copies of prod's BGP site.

Each copy of "berlin-hq" (customer gateway, connection, route propagation, alarms, logs) gets a name, a
customer gateway address and two tunnel inside CIDRs of its own, so that any number of sites is a valid
environment: the names are unique, and the inside CIDRs are /30s inside 169.254.0.0/16, past AWS's reserved
169.254.0.0/30 to 169.254.5.0/30 and distinct per virtual private gateway, as AWS demands.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_SITES = 4000  # the inside CIDRs stay below 169.254.169.252/30, AWS's last reserved block


def site_blocks(sites: int) -> str:
    """N copies of prod.hcl's site "berlin-hq", named site-0000, site-0001, ..."""
    if not 0 < sites <= MAX_SITES:
        raise ValueError(f"between 1 and {MAX_SITES} sites, not {sites}")
    prod = (ROOT / "environments" / "prod.hcl").read_text()
    template = prod[prod.index('site "berlin-hq"') : prod.index('site "paris-branch"')]
    blocks = []
    for i in range(sites):
        a, b = divmod(i, 256)
        inside = 8 * i + 24  # two /30s per site, past the reserved 169.254.0.0/30 - 169.254.5.0/30
        block = template.replace('site "berlin-hq"', f'site "site-{i:04d}"')
        block = block.replace('"203.0.113.10"', f'"198.18.{a}.{b}"')
        block = block.replace('"169.254.10.0/30"', f'"169.254.{inside // 256 + 8}.{inside % 256}/30"')
        block = block.replace('"169.254.10.4/30"', f'"169.254.{inside // 256 + 8}.{inside % 256 + 4}/30"')
        blocks.append(block)
    return "".join(blocks)


def generated_environment(sites: int, endpoint: bool = True) -> str:
    """prod.hcl's settings with N copies of its BGP site; with `endpoint`, a Client VPN endpoint with 50
    authorization rules (left out for applies: its two associations cost the provider's fixed 4-minute sleeps)."""
    prod = (ROOT / "environments" / "prod.hcl").read_text()
    header = prod[: prod.index('site "')]
    return header + site_blocks(sites) + (client_vpn_endpoint() if endpoint else "")


def client_vpn_endpoint() -> str:
    rules = "\n".join(
        f'  authorization "team-{r:02d}" {{\n    group    = "team-{r:02d}"\n    networks = ["10.20.{r}.0/24"]\n  }}'
        for r in range(50)
    )
    return f'''
client_vpn "bench" {{
  client_cidr       = "10.100.0.0/20"
  authentication    = ["certificate", "saml"]
  saml_provider_arn = "arn:aws:iam::333333333333:saml-provider/corp-idp"
  server_certificate {{
    acm_arn = "arn:aws:acm:eu-central-1:333333333333:certificate/6f1d2a9e-3b4c-4d5e-8f70-1a2b3c4d5e6f"
  }}
  subnet_ids = ["subnet-0c10000000000000a", "subnet-0c10000000000000b"]
{rules}
}}
'''


def write_environment(folder: Path, name: str, sites: int, endpoint: bool = False) -> Path:
    """`folder/name.hcl` holding a generated environment; its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.hcl"
    path.write_text(generated_environment(sites, endpoint))
    return path
