"""strongSwan `swanctl.conf` for the on-premises device: one IKE connection per tunnel.

Everything comes from the deployed connection (`TunnelSettings`), so the file
matches what AWS runs, not what the config hoped for. The device initiates
(`start_action = start`), as AWS advises, and restarts a tunnel whose peer
stops answering. Rekeying happens `RekeyMarginTimeSeconds` before AWS's
lifetimes run out, so the device is never the side that lets an SA expire.

Traffic selectors are the connection's local (on-premises) and remote (AWS)
networks. Policy-based (the default with explicit selectors): both tunnels
carry the same selectors and the kernel sends through tunnel 1's SA while it
is up (lower policy priority wins). Route-based (BGP sites, AWS's default
0.0.0.0/0 selectors, which as policies would capture the tunnels' own packets,
or when asked): each tunnel is bound to an XFRM interface (`if_id`) with the
inside addresses, and routes or BGP decide what enters which tunnel; traffic
AWS returns over either tunnel is accepted.

Proposals list the strongest algorithms first: AWS's defaults start with the
weakest, and the initiator's order decides.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

# AWS's names to strongSwan's, each table strongest first: the proposals keep this order.
ENCRYPTION = {"AES256-GCM-16": "aes256gcm16", "AES128-GCM-16": "aes128gcm16", "AES256": "aes256", "AES128": "aes128"}
INTEGRITY = {"SHA2-512": "sha512", "SHA2-384": "sha384", "SHA2-256": "sha256", "SHA1": "sha1"}
DH_GROUPS = {
    21: "ecp521", 20: "ecp384", 19: "ecp256", 18: "modp8192", 17: "modp6144", 16: "modp4096", 15: "modp3072",
    14: "modp2048", 24: "modp2048s256", 23: "modp2048s224", 22: "modp1024s160", 5: "modp1536", 2: "modp1024",
}
ANY_NETWORK = "0.0.0.0/0"
AWS_TCP_MSS = 1379  # AWS's customer gateway requirements: TCP MSS adjustment


def _strongest_first(names, table: dict) -> list[str]:
    return [table[name] for name in sorted(names, key=list(table).index)]


@dataclass(frozen=True)
class TunnelSettings:
    """One tunnel as AWS runs it, with AWS's defaults filled in."""

    number: int
    outside_ip: str
    inside_cidr: str
    preshared_key: str
    ike_versions: tuple[str, ...]
    phase1_encryption: tuple[str, ...]
    phase1_integrity: tuple[str, ...]
    phase1_dh_groups: tuple[int, ...]
    phase1_lifetime: int
    phase2_encryption: tuple[str, ...]
    phase2_integrity: tuple[str, ...]
    phase2_dh_groups: tuple[int, ...]
    phase2_lifetime: int
    rekey_margin: int
    dpd_timeout: int

    @property
    def inside_addresses(self) -> tuple[str, str]:
        """(AWS side, device side): the first and second addresses of the /30."""
        aws, device = list(ipaddress.ip_network(self.inside_cidr).hosts())[:2]
        return str(aws), str(device)


@dataclass(frozen=True)
class DeviceSettings:
    """What the device needs besides the tunnels."""

    environment: str
    site: str
    connection_id: str
    device_ip: str
    local_network: str  # on-premises side of the traffic selectors
    remote_network: str  # AWS side
    bgp: tuple[int, int] | None  # (device ASN, AWS ASN) for BGP sites


def proposals(encryption, integrity, groups, prf: bool) -> str:
    """strongSwan proposals: AEAD ciphers and classic ones can't share a proposal, so they get one each.
    IKE proposals (`prf`) name a PRF for the AEAD ones; ESP proposals carry the PFS groups."""
    dh = _strongest_first(groups, DH_GROUPS)
    ciphers = _strongest_first(encryption, ENCRYPTION)
    aead = [c for c in ciphers if "gcm" in c]
    classic = [c for c in ciphers if "gcm" not in c]
    hashes = _strongest_first(integrity, INTEGRITY)
    out = []
    if aead:
        out.append("-".join(aead + ([f"prf{h}" for h in hashes] if prf else []) + dh))
    if classic:
        out.append("-".join(classic + hashes + dh))
    return ",".join(out)


def _ike_version(versions: tuple[str, ...]) -> int:
    if versions == ("ikev2",):
        return 2
    if versions == ("ikev1",):
        return 1
    return 0  # either; strongSwan initiates with IKEv2


def render(device: DeviceSettings, tunnels: list[TunnelSettings], route_based: bool = False) -> str:
    route_based = route_based or device.bgp is not None or ANY_NETWORK in (device.local_network, device.remote_network)
    prefix = f"aws-{device.site}"
    lines = _header(device, tunnels, route_based)
    lines += ["", "connections {"]
    for tunnel in tunnels:
        lines += _connection(device, tunnel, f"{prefix}-tunnel{tunnel.number}", route_based)
    # Each tunnel's key belongs to its AWS endpoint alone: with the device's own address as an owner too,
    # strongSwan could offer either key on either tunnel.
    lines += ["}", "", "secrets {"]
    for tunnel in tunnels:
        lines += [
            f"  ike-{prefix}-tunnel{tunnel.number} {{",
            f"    id = {tunnel.outside_ip}",
            f'    secret = "{tunnel.preshared_key}"',
            "  }",
        ]
    lines += ["}", ""]
    return "\n".join(lines)


def _header(device: DeviceSettings, tunnels: list[TunnelSettings], route_based: bool) -> list[str]:
    """The comment block: what the file is, how to set up the device's interfaces, routes and MSS."""
    lines = [
        f"# strongSwan swanctl.conf for site {device.site} ({device.environment}), VPN connection {device.connection_id}.",
        "# Generated by `vpnctl device-config` from the deployed connection. It holds the pre-shared keys:",
        "# keep it mode 0600 (e.g. /etc/swanctl/conf.d/aws.conf) and load it with `swanctl --load-all`.",
        "# local_addrs is the customer gateway's address; behind NAT, put the device's own address there",
        "# and keep the local id.",
    ]
    lines += _route_based_setup(device, tunnels) if route_based else [
        "# Policy-based: both tunnels carry the same selectors; tunnel 1 has the lower policy priority and",
        "# carries the traffic while it is up. If AWS answers over tunnel 2 meanwhile, a kernel-IPsec device",
        "# drops it (the inbound policy belongs to tunnel 1's SA): use --route-based where that matters.",
    ]
    if device.bgp:
        lines.append(f"# BGP: this device is AS {device.bgp[0]}; AWS is AS {device.bgp[1]}, neighbor at each tunnel's AWS inside address.")
    lines += [
        f"# MTU, as AWS asks of a customer gateway: TCP MSS adjusted to {AWS_TCP_MSS} bytes, the DF bit cleared",
        "# (copy_df = no below) and packets fragmented before encryption (the kernel does). strongSwan has no",
        "# MSS setting; clamp it in the firewall, e.g.:",
        (f"#   iptables -t mangle -A FORWARD {'-o xfrm-aws+' if route_based else '-m policy --pol ipsec --dir out'} "
        f"-p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss {AWS_TCP_MSS}"),
    ]
    return lines


def _route_based_setup(device: DeviceSettings, tunnels: list[TunnelSettings]) -> list[str]:
    lines = [
        "# Route-based: each tunnel is bound to an XFRM interface (if_id = tunnel number; choose others",
        "# if this device serves several sites). Create them, then route (or run BGP) over them:",
    ]
    for tunnel in tunnels:
        device_inside = tunnel.inside_addresses[1]
        interface = f"xfrm-aws{tunnel.number}"
        lines += [
            f"#   ip link add {interface} type xfrm dev <outside interface> if_id {tunnel.number}",
            f"#   ip address add {device_inside}/30 dev {interface} && ip link set {interface} up",
        ]
    if device.bgp is None:
        lines.append(f"#   ip route add {device.remote_network} dev xfrm-aws1 metric 100; "
                     f"ip route add {device.remote_network} dev xfrm-aws2 metric 200")
    return lines


def _connection(device: DeviceSettings, tunnel: TunnelSettings, name: str, route_based: bool) -> list[str]:
    """One tunnel's IKE connection and its child SA."""
    aws_inside, device_inside = tunnel.inside_addresses
    lines = [
        (f"  # Tunnel {tunnel.number}: AWS endpoint {tunnel.outside_ip}; inside {tunnel.inside_cidr} "
        f"(AWS {aws_inside}, this device {device_inside})"),
        f"  {name} {{",
        f"    version = {_ike_version(tunnel.ike_versions)}",
        f"    local_addrs = {device.device_ip}",
        f"    remote_addrs = {tunnel.outside_ip}",
        f"    proposals = {proposals(tunnel.phase1_encryption, tunnel.phase1_integrity, tunnel.phase1_dh_groups, prf=True)}",
        f"    rekey_time = {tunnel.phase1_lifetime - tunnel.rekey_margin}s",
        f"    over_time = {tunnel.rekey_margin}s",
        f"    dpd_delay = {max(10, tunnel.dpd_timeout // 3)}s",
        "    keyingtries = 0",  # keep trying: a tunnel AWS doesn't answer now must come up later by itself
        "    mobike = no",
        "    local {",
        "      auth = psk",
        f"      id = {device.device_ip}",
        "    }",
        "    remote {",
        "      auth = psk",
        f"      id = {tunnel.outside_ip}",
        "    }",
        "    children {",
        f"      {name} {{",
        f"        local_ts = {device.local_network}",
        f"        remote_ts = {device.remote_network}",
        f"        esp_proposals = {proposals(tunnel.phase2_encryption, tunnel.phase2_integrity, tunnel.phase2_dh_groups, prf=False)}",
        f"        rekey_time = {tunnel.phase2_lifetime - tunnel.rekey_margin}s",
        f"        life_time = {tunnel.phase2_lifetime}s",
        "        mode = tunnel",
        "        copy_df = no",  # AWS: clear the DF bit, so a packet too big for the tunnel is fragmented
        "        start_action = start",
        "        dpd_action = restart",
        "        close_action = start",
    ]
    if route_based:
        lines += [f"        if_id_in = {tunnel.number}", f"        if_id_out = {tunnel.number}"]
    else:
        # The lower value wins: tunnel 1 while it is up, tunnel 2 when it goes.
        lines.append(f"        priority = {1000 * tunnel.number}")
    return lines + ["      }", "    }", "  }"]
