"""The customer gateway configuration document of a Site-to-Site VPN connection, as AWS returns it."""

from __future__ import annotations

from xml.sax.saxutils import escape

AMAZON_SIDE_ASN = "64512"  # the Amazon side's ASN when its gateway names none


def customer_gateway_configuration(connection) -> str:
    """The XML document AWS returns, filled with the connection's real tunnel values."""
    gateway = connection.ec2_backend.get_customer_gateway(connection.customer_gateway_id)
    bgp = not connection.connection_options.get("StaticRoutesOnly", False)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<vpn_connection id="{connection.id}">',
        f"  <customer_gateway_id>{connection.customer_gateway_id}</customer_gateway_id>",
        f"  <vpn_gateway_id>{connection.vpn_gateway_id or connection.transit_gateway_id or ''}</vpn_gateway_id>",
        f"  <vpn_connection_type>{connection.type}</vpn_connection_type>",
    ]
    def psk(key: str) -> str:
        # Stored in Secrets Manager, the key is not in the document: AWS writes REDACTED.
        return "REDACTED" if connection.pre_shared_key_arn else escape(key)

    for tunnel in connection.tunnel_list:
        aws_inside, cgw_inside = tunnel.inside_addresses()
        options = tunnel.options

        def first(key: str, default: str, options: dict = options) -> str:
            values = options.get(key) or []
            return str(values[0]["Value"]).lower() if values else default

        cgw_bgp = f"<bgp><asn>{gateway.bgp_asn}</asn><hold_time>30</hold_time></bgp>" if bgp else ""
        aws_bgp = f"<bgp><asn>{AMAZON_SIDE_ASN}</asn><hold_time>30</hold_time></bgp>" if bgp else ""
        parts.append(
            "  <ipsec_tunnel>"
            f"<customer_gateway><tunnel_outside_address><ip_address>{gateway.ip_address}</ip_address></tunnel_outside_address>"
            f"<tunnel_inside_address><ip_address>{cgw_inside}</ip_address><network_mask>255.255.255.252</network_mask>"
            f"<network_cidr>30</network_cidr></tunnel_inside_address>{cgw_bgp}</customer_gateway>"
            f"<vpn_gateway><tunnel_outside_address><ip_address>{tunnel.outside_ip}</ip_address></tunnel_outside_address>"
            f"<tunnel_inside_address><ip_address>{aws_inside}</ip_address><network_mask>255.255.255.252</network_mask>"
            f"<network_cidr>30</network_cidr></tunnel_inside_address>{aws_bgp}</vpn_gateway>"
            f"<ike><authentication_protocol>{first('Phase1IntegrityAlgorithms', 'sha1')}</authentication_protocol>"
            f"<encryption_protocol>{first('Phase1EncryptionAlgorithms', 'aes-128-cbc')}</encryption_protocol>"
            f"<lifetime>{options.get('Phase1LifetimeSeconds', 28800)}</lifetime>"
            f"<perfect_forward_secrecy>group{first('Phase1DHGroupNumbers', '2')}</perfect_forward_secrecy>"
            f"<mode>main</mode><pre_shared_key>{psk(options['PreSharedKey'])}</pre_shared_key></ike>"
            f"<ipsec><protocol>esp</protocol>"
            f"<authentication_protocol>{first('Phase2IntegrityAlgorithms', 'hmac-sha1-96')}</authentication_protocol>"
            f"<encryption_protocol>{first('Phase2EncryptionAlgorithms', 'aes-128-cbc')}</encryption_protocol>"
            f"<lifetime>{options.get('Phase2LifetimeSeconds', 3600)}</lifetime>"
            f"<perfect_forward_secrecy>group{first('Phase2DHGroupNumbers', '2')}</perfect_forward_secrecy>"
            f"<mode>tunnel</mode><clear_df_bit>true</clear_df_bit><fragmentation_before_encryption>true</fragmentation_before_encryption>"
            f"<tcp_mss_adjustment>1379</tcp_mss_adjustment><dead_peer_detection><interval>10</interval>"
            f"<retries>{max(1, int(options.get('DPDTimeoutSeconds', 30)) // 10)}</retries></dead_peer_detection></ipsec>"
            "</ipsec_tunnel>"
        )
    parts.append("</vpn_connection>")
    return "\n".join(parts)
