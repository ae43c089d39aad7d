"""A deployed VPN connection as the on-premises device must match it: its tunnels with AWS's defaults filled
in, and the pre-shared keys AWS runs (the tunnel options, else the secret AWS keeps the connection's keys
in), each checked against AWS's rules. `vpnctl device-config` renders them (vpnctl/device/strongswan.py).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from stacks.config import LoadedEnvironment
from vpn_schema import aws_rules as rules
from vpnctl.device.strongswan import DeviceSettings, TunnelSettings, render

DEFAULTS = {  # AWS's tunnel option defaults (Site-to-Site VPN guide, "Tunnel options")
    "IkeVersions": list(rules.IKE_VERSIONS),
    "Phase1EncryptionAlgorithms": list(rules.ENCRYPTION_ALGORITHMS),
    "Phase1IntegrityAlgorithms": list(rules.INTEGRITY_ALGORITHMS),
    "Phase1DHGroupNumbers": list(rules.PHASE1_DH_GROUPS),
    "Phase1LifetimeSeconds": 28800,
    "Phase2EncryptionAlgorithms": list(rules.ENCRYPTION_ALGORITHMS),
    "Phase2IntegrityAlgorithms": list(rules.INTEGRITY_ALGORITHMS),
    "Phase2DHGroupNumbers": list(rules.PHASE2_DH_GROUPS),
    "Phase2LifetimeSeconds": 3600,
    "RekeyMarginTimeSeconds": 270,
    "DpdTimeoutSeconds": 30,
}


class DeviceConfigError(RuntimeError):
    pass


def _option(tunnel: dict, key: str):
    value = tunnel.get(key)
    if value in (None, []):
        return DEFAULTS[key]
    if isinstance(value, list):
        return [item["Value"] for item in value]
    return value


def preshared_keys(connection: dict, site, secrets, warn=lambda message: None) -> list[str]:
    """Each tunnel's key as AWS runs it: from the tunnel options (Standard storage), else from the
    secret AWS keeps the connection's keys in. A site's own secret that holds another key than
    AWS runs (rotated, not yet deployed) gets a warning; the device must match AWS."""
    tunnels = connection["Options"]["TunnelOptions"]
    managed = None
    if connection.get("PreSharedKeyArn") and not all(t.get("PreSharedKey") for t in tunnels):
        managed = secrets.get_secret_value(SecretId=connection["PreSharedKeyArn"])["SecretString"]
    keys = []
    for number, tunnel in enumerate(tunnels, start=1):
        if tunnel.get("PreSharedKey"):
            key, source = tunnel["PreSharedKey"], "the tunnel options"
        elif managed is not None:
            key, source = _from_managed_secret(managed, number, tunnel["OutsideIpAddress"]), connection["PreSharedKeyArn"]
        else:
            raise DeviceConfigError(f"tunnel[{number}]: AWS returned no pre-shared key and no secret holding it")
        if not key:
            raise DeviceConfigError(f"tunnel[{number}]: no pre-shared key in {source}")
        problem = rules.psk_problem(key)
        if problem:
            raise DeviceConfigError(f"tunnel[{number}]: the pre-shared key in {source} breaks AWS's rules: {problem}")
        own = site.tunnels()[number - 1].preshared_key_secret
        if own and secrets.get_secret_value(SecretId=own)["SecretString"] != key:
            warn(f"tunnel[{number}]: secret {own} holds another key than AWS runs; the file has AWS's. "
                 "Deploy to put the secret's key on the tunnel, then render again")
        keys.append(key)
    return keys


def _from_managed_secret(text: str, number: int, outside_ip: str) -> str | None:
    """AWS's secret for the connection's keys. Its layout is not documented; read here as a JSON
    object keyed by tunnel (`tunnel1`, `tunnel2`) or by outside IP, as the local emulator stores it."""
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise DeviceConfigError("the connection's pre-shared key secret is not a JSON object; its layout is unknown here")
    key = value.get(f"tunnel{number}") or value.get(outside_ip)
    if key is None:
        raise DeviceConfigError(f"the connection's pre-shared key secret has no key for tunnel {number} "
                                f"(it holds: {', '.join(sorted(value)) or 'nothing'})")
    return key


def tunnel_settings(connection: dict, keys: list[str]) -> list[TunnelSettings]:
    out = []
    for number, (tunnel, key) in enumerate(zip(connection["Options"]["TunnelOptions"], keys), start=1):
        out.append(
            TunnelSettings(
                number=number,
                outside_ip=tunnel["OutsideIpAddress"],
                inside_cidr=tunnel["TunnelInsideCidr"],
                preshared_key=key,
                ike_versions=tuple(_option(tunnel, "IkeVersions")),
                phase1_encryption=tuple(_option(tunnel, "Phase1EncryptionAlgorithms")),
                phase1_integrity=tuple(_option(tunnel, "Phase1IntegrityAlgorithms")),
                phase1_dh_groups=tuple(int(g) for g in _option(tunnel, "Phase1DHGroupNumbers")),
                phase1_lifetime=int(_option(tunnel, "Phase1LifetimeSeconds")),
                phase2_encryption=tuple(_option(tunnel, "Phase2EncryptionAlgorithms")),
                phase2_integrity=tuple(_option(tunnel, "Phase2IntegrityAlgorithms")),
                phase2_dh_groups=tuple(int(g) for g in _option(tunnel, "Phase2DHGroupNumbers")),
                phase2_lifetime=int(_option(tunnel, "Phase2LifetimeSeconds")),
                rekey_margin=int(_option(tunnel, "RekeyMarginTimeSeconds")),
                dpd_timeout=int(_option(tunnel, "DpdTimeoutSeconds")),
            )
        )
    return out


def _amazon_side_asn(connection: dict) -> int:
    """The AWS side's ASN, as AWS's own customer gateway document states it."""
    document = ET.fromstring(connection["CustomerGatewayConfiguration"])
    asn = document.findtext("ipsec_tunnel/vpn_gateway/bgp/asn")
    if asn is None:
        raise DeviceConfigError("a BGP connection whose customer gateway document names no AWS-side ASN")
    return int(asn)


def strongswan_config(
    environment: LoadedEnvironment, site_name: str, connection: dict, gateway: dict, secrets, *,
    route_based: bool = False, warn=lambda message: None,
) -> str:
    site = environment.config.sites[site_name]
    options = connection["Options"]
    if options.get("TunnelInsideIpVersion", "ipv4") != "ipv4":
        raise DeviceConfigError("IPv6 tunnels are not rendered for strongSwan yet; use --format aws-xml")
    device = DeviceSettings(
        environment=environment.name,
        site=site_name,
        connection_id=connection["VpnConnectionId"],
        device_ip=gateway["IpAddress"],
        local_network=options.get("LocalIpv4NetworkCidr") or "0.0.0.0/0",
        remote_network=options.get("RemoteIpv4NetworkCidr") or "0.0.0.0/0",
        bgp=None if options.get("StaticRoutesOnly") else (int(gateway["BgpAsn"]), _amazon_side_asn(connection)),
    )
    keys = preshared_keys(connection, site, secrets, warn)
    return render(device, tunnel_settings(connection, keys), route_based=route_based)
