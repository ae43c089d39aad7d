"""Small pure helpers that render one nested block of `aws_ec2_client_vpn_endpoint` each.

Each takes typed props and returns what the provider wants, so the endpoint
construct reads as a list of its arguments. A switched-off option is rendered
explicitly (`enabled = false`) rather than left out: the provider then shows a
later change as an update of that block, not as a new block appearing.
"""

from __future__ import annotations

from typing import Any

from cdktf_cdktf_provider_aws.ec2_client_vpn_endpoint import Ec2ClientVpnEndpointAuthenticationOptions

from vpn_schema.client_vpn import ClientVpn

AUTHENTICATION_TYPES = {
    "certificate": "certificate-authentication",
    "saml": "federated-authentication",
    "directory": "directory-service-authentication",
}


def render_authentication_options(
    props: ClientVpn, client_root_chain_arn: str | None
) -> list[Ec2ClientVpnEndpointAuthenticationOptions]:
    """The provider's authentication_options blocks, one per configured method, in the props' order."""
    options = []
    for method in props.authentication:
        kind = AUTHENTICATION_TYPES[method]
        if method == "certificate":
            options.append(
                Ec2ClientVpnEndpointAuthenticationOptions(type=kind, root_certificate_chain_arn=client_root_chain_arn)
            )
        elif method == "saml":
            options.append(
                Ec2ClientVpnEndpointAuthenticationOptions(
                    type=kind,
                    saml_provider_arn=props.saml_provider_arn,
                    self_service_saml_provider_arn=props.self_service_saml_provider_arn,
                )
            )
        else:
            options.append(Ec2ClientVpnEndpointAuthenticationOptions(type=kind, active_directory_id=props.directory_id))
    if not options:
        raise ValueError("an endpoint needs at least one authentication option")
    return options


def connection_log_options(enabled: bool, log_group_name: str | None) -> dict[str, Any]:
    """Connection logging, into `log_group_name` when on."""
    return {"enabled": enabled, "cloudwatch_log_group": log_group_name}


def login_banner_options(banner: str | None) -> dict[str, Any]:
    """The text shown when a client connects; off without one."""
    return {"enabled": True, "banner_text": banner} if banner else {"enabled": False}


def client_connect_options(lambda_arn: str | None) -> dict[str, Any]:
    """The connect handler (an `AWSClientVPN-*` Lambda) that may refuse a connection; off without one."""
    return {"enabled": True, "lambda_function_arn": lambda_arn} if lambda_arn else {"enabled": False}


def route_enforcement_options(enforced: bool) -> dict[str, Any]:
    """Whether clients are kept from overriding the endpoint's routes."""
    return {"enforced": enforced}


def self_service_portal(enabled: bool) -> str:
    """The provider's spelling of the self-service portal switch."""
    return "enabled" if enabled else "disabled"
