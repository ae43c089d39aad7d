"""`ClientVpnEndpoint`: remote access for people, with associations, routes and authorization rules.

Secure by default: connection logging on, a security group of its own that
lets clients reach only the networks they are authorized for. Every change to
the endpoint (association, route, rule) waits for the one before, with explicit
timeouts, because AWS refuses concurrent changes and the API is slow.
"""

from __future__ import annotations

from cdktf import ITerraformDependable, TerraformOutput, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.ec2_client_vpn_endpoint import (
    Ec2ClientVpnEndpoint,
    Ec2ClientVpnEndpointAuthenticationOptions,
)
from cdktf_cdktf_provider_aws.ec2_client_vpn_network_association import Ec2ClientVpnNetworkAssociation
from cdktf_cdktf_provider_aws.ec2_client_vpn_route import Ec2ClientVpnRoute
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from modules.authorization import AuthorizationRules
from vpn_schema.client_vpn import CLIENT_TO_CLIENT, USER_BASED, AuthorizationRule, ClientVpn, Route
from vpn_schema.naming import client_route_id, id_part

ASSOCIATION_TIMEOUTS = {"create": "30m", "delete": "30m"}
ROUTE_TIMEOUTS = {"create": "15m", "delete": "15m"}


class ClientVpnEndpoint(Construct):
    """A Client VPN endpoint in `vpc_id`, with the props' associations, routes and rules.

    Extend it after creation with `add_route` and `add_authorization_rule`; IDs come
    from names, so additions never rename what exists.
    """

    def __init__(
        self,
        scope: Construct,
        name: str,
        *,
        endpoint: ClientVpn,
        environment: str,
        vpc_id: str,
        vpc_cidr: str,
        server_certificate_arn: str,
        client_root_certificate_chain_arn: str | None,
        log_retention_days: int = 365,
        kms_key_arn: str | None = None,
        prevent_destroy: bool = False,
    ) -> None:
        super().__init__(scope, f"client_vpn-{name}")
        self.name = name
        self.props = endpoint
        label = f"{environment}-{name}"
        auth = endpoint.authentication
        if "certificate" in auth and not client_root_certificate_chain_arn:
            raise ValueError(f'client_vpn "{name}": certificate authentication needs a client root chain')

        self.log_group = None
        if endpoint.connection_logging:
            self.log_group = CloudwatchLogGroup(
                self,
                "connection_logs",
                name=f"/aws/client-vpn/{environment}/{name}",
                retention_in_days=log_retention_days,
                kms_key_id=kms_key_arn,
            )

        security_group_ids = endpoint.security_group_ids
        self.security_group = None
        self._egress: set[str] = set()
        if security_group_ids is None:
            self.security_group = SecurityGroup(
                self,
                "security_group",
                name=f"client-vpn-{label}",
                description=f"Client VPN {label}: clients reach only authorized networks",
                vpc_id=vpc_id,
                tags={"Name": f"client-vpn-{label}"},
                lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
            )
            security_group_ids = [self.security_group.id]
            self._least_privilege_rules()

        self.endpoint = Ec2ClientVpnEndpoint(
            self,
            "endpoint",
            description=endpoint.description or f"Client VPN {label}",
            client_cidr_block=endpoint.client_cidr,
            server_certificate_arn=server_certificate_arn,
            authentication_options=render_authentication_options(endpoint, client_root_certificate_chain_arn),
            connection_log_options={
                "enabled": endpoint.connection_logging,
                "cloudwatch_log_group": self.log_group.name if self.log_group else None,
            },
            split_tunnel=endpoint.split_tunnel,
            dns_servers=list(endpoint.dns_servers) or None,
            transport_protocol=endpoint.transport_protocol,
            vpn_port=endpoint.vpn_port,
            session_timeout_hours=endpoint.session_timeout_hours,
            disconnect_on_session_timeout=endpoint.disconnect_on_session_timeout,
            self_service_portal="enabled" if endpoint.self_service_portal else "disabled",
            client_login_banner_options={"enabled": True, "banner_text": endpoint.login_banner}
            if endpoint.login_banner
            else {"enabled": False},
            client_connect_options={"enabled": True, "lambda_function_arn": endpoint.client_connect_lambda_arn}
            if endpoint.client_connect_lambda_arn
            else {"enabled": False},
            client_route_enforcement_options={"enforced": endpoint.route_enforcement},
            vpc_id=vpc_id,
            security_group_ids=security_group_ids,
            tags={"Name": label},
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True) if prevent_destroy else None,
        )

        self._last: ITerraformDependable | None = None
        self.associations: dict[str, Ec2ClientVpnNetworkAssociation] = {}
        for subnet_id in endpoint.subnet_ids:
            self.associations[subnet_id] = Ec2ClientVpnNetworkAssociation(
                self,
                f"association-{subnet_id}",
                client_vpn_endpoint_id=self.endpoint.id,
                subnet_id=subnet_id,
                depends_on=[self._last] if self._last else None,
                timeouts=ASSOCIATION_TIMEOUTS,
            )
            self._last = self.associations[subnet_id]

        # What clients can reach: the VPC through any association, plus each route.
        self.routed_networks: list[str] = [vpc_cidr]
        self.routes: dict[str, list[Ec2ClientVpnRoute]] = {}
        for route_name, route in endpoint.route.items():
            self.add_route(route_name, route)
        if endpoint.client_to_client:
            self._client_to_client_route()

        self.authorization = AuthorizationRules(
            self,
            "authorization",
            client_vpn_endpoint_id=self.endpoint.id,
            after=self._last,
            user_based_authentication=bool(set(auth) & set(USER_BASED)),
            routed_networks=self.routed_networks,
        )
        for rule_name, rule in endpoint.authorization.items():
            self.add_authorization_rule(rule_name, rule)
        if endpoint.client_to_client:
            self.add_authorization_rule(
                CLIENT_TO_CLIENT, AuthorizationRule(networks=[endpoint.client_cidr], description="client to client")
            )
        self._outputs()

    def add_route(self, name: str, route: Route) -> list[Ec2ClientVpnRoute]:
        """A route through each target subnet (default: every associated subnet)."""
        targets = route.subnet_ids or list(self.associations)
        created = []
        for subnet_id in targets:
            association = self.associations.get(subnet_id)
            if association is None:
                raise ValueError(f'route "{name}" subnet_ids: {subnet_id} is not an associated subnet')
            resource = Ec2ClientVpnRoute(
                self,
                client_route_id(name, subnet_id),
                client_vpn_endpoint_id=self.endpoint.id,
                destination_cidr_block=route.destination,
                # The association's subnet, so the route waits for it.
                target_vpc_subnet_id=association.subnet_id,
                description=route.description or name,
                depends_on=[self._last] if self._last else None,
                timeouts=ROUTE_TIMEOUTS,
            )
            self._last = resource
            created.append(resource)
        self.routes[name] = created
        self.routed_networks.append(route.destination)
        return created

    def _client_to_client_route(self) -> None:
        """AWS routes clients to each other through the endpoint itself: target "local"."""
        route = Ec2ClientVpnRoute(
            self,
            f"route-{CLIENT_TO_CLIENT}-local",
            client_vpn_endpoint_id=self.endpoint.id,
            destination_cidr_block=self.props.client_cidr,
            target_vpc_subnet_id="local",
            description="client to client",
            depends_on=[self._last] if self._last else None,
            timeouts=ROUTE_TIMEOUTS,
        )
        self._last = route
        self.routes[CLIENT_TO_CLIENT] = [route]
        self.routed_networks.append(self.props.client_cidr)

    def add_authorization_rule(self, name: str, rule: AuthorizationRule):
        """Rules of `rule`, after every change made so far (associations, routes, rules)."""
        created = self.authorization.add_rule(name, rule, after=self._last)
        self._last = self.authorization.last
        if self.security_group is not None:
            for network in rule.networks:
                self._allow_egress(network)
        return created

    def _least_privilege_rules(self) -> None:
        if self.props.client_to_client:
            # AWS's client-to-client scenario: traffic between clients passes the
            # endpoint's network interfaces, which share this group.
            VpcSecurityGroupIngressRule(
                self,
                "ingress-client-to-client",
                security_group_id=self.security_group.id,
                referenced_security_group_id=self.security_group.id,
                ip_protocol="-1",
                description="clients to clients",
            )

    def _allow_egress(self, network: str) -> None:
        if network in self._egress:
            return
        self._egress.add(network)
        VpcSecurityGroupEgressRule(
            self,
            f"egress-{id_part(network)}",
            security_group_id=self.security_group.id,
            cidr_ipv4=network,
            ip_protocol="-1",
            description=f"authorized network {network}",
        )

    def _outputs(self) -> None:
        TerraformOutput(
            self,
            "endpoint_output",
            description=f"Client VPN endpoint {self.name}",
            value={
                "id": self.endpoint.id,
                "dns_name": self.endpoint.dns_name,
                "self_service_portal_url": self.endpoint.self_service_portal_url,
            },
        ).override_logical_id(f"client_vpn_{self.name}")


def render_authentication_options(
    endpoint: ClientVpn, client_root_chain_arn: str | None
) -> list[Ec2ClientVpnEndpointAuthenticationOptions]:
    """The provider's authentication_options blocks, one per configured method."""
    options = []
    for method in endpoint.authentication:
        if method == "certificate":
            options.append(
                Ec2ClientVpnEndpointAuthenticationOptions(
                    type="certificate-authentication", root_certificate_chain_arn=client_root_chain_arn
                )
            )
        elif method == "saml":
            options.append(
                Ec2ClientVpnEndpointAuthenticationOptions(
                    type="federated-authentication",
                    saml_provider_arn=endpoint.saml_provider_arn,
                    self_service_saml_provider_arn=endpoint.self_service_saml_provider_arn,
                )
            )
        else:
            options.append(
                Ec2ClientVpnEndpointAuthenticationOptions(
                    type="directory-service-authentication", active_directory_id=endpoint.directory_id
                )
            )
    if not options:
        raise ValueError("an endpoint needs at least one authentication option")
    return options
