"""`ClientVpnEndpoint`: remote access for people, with associations, routes and authorization rules.

Secure by default: connection logging on, a security group of its own that
lets clients reach only the networks they are authorized for. Every change to
the endpoint (association, route, rule) waits for the one before, with explicit
timeouts, because AWS refuses concurrent changes and the API is slow. Outputs
are the caller's: the construct exposes `endpoint_id`, `dns_name` and
`self_service_portal_url`.
"""

from __future__ import annotations

from cdktf import ITerraformDependable, TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.ec2_client_vpn_endpoint import Ec2ClientVpnEndpoint
from cdktf_cdktf_provider_aws.ec2_client_vpn_network_association import Ec2ClientVpnNetworkAssociation
from cdktf_cdktf_provider_aws.ec2_client_vpn_route import Ec2ClientVpnRoute
from constructs import Construct

from modules import client_vpn_options as options
from modules.authorization import AuthorizationRules
from modules.client_vpn_security_group import allow_egress, least_privilege_security_group
from modules.endpoint_changes import AddedAuthorizationRule, AddedRoute
from modules.metrics import (
    ACTIVE_CONNECTIONS,
    AUTHENTICATION_FAILURES,
    EGRESS_BYTES,
    INGRESS_BYTES,
    PUBLISHING_PERIOD_SECONDS,
    Metric,
    client_vpn_metric,
)
from vpn_schema.client_vpn import CLIENT_TO_CLIENT, USER_BASED, AuthorizationRule, ClientVpn, Route
from vpn_schema.naming import client_route_id, resource_name

ASSOCIATION_TIMEOUTS = {"create": "30m", "delete": "30m"}
ROUTE_TIMEOUTS = {"create": "15m", "delete": "15m"}


class ClientVpnEndpoint(Construct):
    """A Client VPN endpoint in `vpc_id`, with the props' associations, routes and rules.

    Extend it after creation with `add_route` and `add_authorization_rule`; IDs come
    from names, so additions never rename what exists. `associations_done` is what
    must finish before anything that needs the endpoint in service.

    Args:
        name: the endpoint's name: tags (`{environment}-{name}`), its log group
            (`/aws/client-vpn/{environment}/{name}`), its security group and errors.
        props: the endpoint's props (vpn_schema.client_vpn.ClientVpn): client CIDR,
            authentication, subnets, routes, rules and options.
        environment: the environment's name, in tags and names.
        vpc_id: the VPC the endpoint's subnets and security group belong to.
        vpc_cidr: the VPC's CIDR, which every association routes; a rule for a network
            no route reaches is refused.
        server_certificate_arn: the ACM server certificate (see `Certificates`).
        client_root_certificate_chain_arn: the CA chain client certificates must chain to;
            required with certificate authentication. Default: none.
        log_retention_days: days the connection log keeps entries. Default: 365.
        kms_key_arn: a KMS key for the connection log group. Default: none (AWS-managed).
        prevent_destroy: refuse plans that replace or destroy the endpoint (production).
            Default: false.

    Attributes: `endpoint` (the resource), `endpoint_id`, `dns_name`, `self_service_portal_url`;
    `log_group` and `security_group` (None when switched off or given); `associations`,
    subnet ID -> association; `associations_done`; `routes`, name -> AddedRoute;
    `authorization` (AuthorizationRules); `routed_networks`.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        props: ClientVpn,
        environment: str,
        vpc_id: str,
        vpc_cidr: str,
        server_certificate_arn: str,
        client_root_certificate_chain_arn: str | None = None,
        log_retention_days: int = 365,
        kms_key_arn: str | None = None,
        prevent_destroy: bool = False,
    ) -> None:
        super().__init__(scope, id)
        if "certificate" in props.authentication and not client_root_certificate_chain_arn:
            raise ValueError(f'client_vpn "{name}": certificate authentication needs a client root chain')
        self.name = name
        self.props = props
        label = resource_name(environment, name)
        self.log_group = self._log_group(environment, log_retention_days, kms_key_arn)
        self.security_group = (
            least_privilege_security_group(self, label=label, vpc_id=vpc_id, client_to_client=props.client_to_client)
            if props.security_group_ids is None
            else None
        )
        self._egress: set[str] = set()
        self.endpoint = self._endpoint(label, vpc_id, server_certificate_arn, client_root_certificate_chain_arn,
                                       prevent_destroy)
        self._last: ITerraformDependable | None = None
        self.associations = self._associate(props.subnet_ids)
        # For `depends_on`: the subnets are associated (the last association waits for the others).
        self.associations_done: list[ITerraformDependable] = [self._last] if self._last else []
        self.routed_networks: list[str] = [vpc_cidr]  # the VPC through any association, then each route
        self.routes: dict[str, AddedRoute] = {}
        self._routes_then_rules()

    # ---- the steps of the constructor ----------------------------------------------------

    def _routes_then_rules(self) -> None:
        """The props' routes, then their rules: a rule is checked against what the routes reach."""
        props = self.props
        for route_name, route in props.route.items():
            self.add_route(route_name, route)
        if props.client_to_client:
            self._client_to_client_route()
        self.authorization = AuthorizationRules(
            self,
            "authorization",
            client_vpn_endpoint_id=self.endpoint.id,
            after=self._last,
            user_based_authentication=bool(set(props.authentication) & set(USER_BASED)),
            routed_networks=self.routed_networks,
        )
        for rule_name, rule in props.authorization.items():
            self.add_authorization_rule(rule_name, rule)
        if props.client_to_client:
            self.add_authorization_rule(
                CLIENT_TO_CLIENT, AuthorizationRule(networks=[props.client_cidr], description="client to client")
            )

    def _log_group(self, environment: str, retention_days: int, kms_key_arn: str | None) -> CloudwatchLogGroup | None:
        if not self.props.connection_logging:
            return None
        return CloudwatchLogGroup(
            self,
            "connection_logs",
            name=f"/aws/client-vpn/{environment}/{self.name}",
            retention_in_days=retention_days,
            kms_key_id=kms_key_arn,
        )

    def _endpoint(self, label: str, vpc_id: str, server_certificate_arn: str, client_root_chain_arn: str | None,
                  prevent_destroy: bool) -> Ec2ClientVpnEndpoint:
        props = self.props
        return Ec2ClientVpnEndpoint(
            self,
            "endpoint",
            description=props.description or f"Client VPN {label}",
            client_cidr_block=props.client_cidr,
            server_certificate_arn=server_certificate_arn,
            authentication_options=options.render_authentication_options(props, client_root_chain_arn),
            connection_log_options=options.connection_log_options(
                props.connection_logging, self.log_group.name if self.log_group else None
            ),
            split_tunnel=props.split_tunnel,
            dns_servers=list(props.dns_servers) or None,
            transport_protocol=props.transport_protocol,
            vpn_port=props.vpn_port,
            session_timeout_hours=props.session_timeout_hours,
            disconnect_on_session_timeout=props.disconnect_on_session_timeout,
            self_service_portal=options.self_service_portal(props.self_service_portal),
            client_login_banner_options=options.login_banner_options(props.login_banner),
            client_connect_options=options.client_connect_options(props.client_connect_lambda_arn),
            client_route_enforcement_options=options.route_enforcement_options(props.route_enforcement),
            vpc_id=vpc_id,
            security_group_ids=props.security_group_ids or [self.security_group.id],
            tags={"Name": label},
            lifecycle=TerraformResourceLifecycle(prevent_destroy=True) if prevent_destroy else None,
        )

    def _associate(self, subnet_ids: list[str]) -> dict[str, Ec2ClientVpnNetworkAssociation]:
        """One association per subnet, one after another (parallel ones fail on AWS), keyed by subnet ID."""
        associations = {}
        for subnet_id in subnet_ids:
            associations[subnet_id] = self._chained(Ec2ClientVpnNetworkAssociation(
                self,
                f"association-{subnet_id}",
                client_vpn_endpoint_id=self.endpoint.id,
                subnet_id=subnet_id,
                depends_on=self._after(),
                timeouts=ASSOCIATION_TIMEOUTS,
            ))
        return associations

    def _client_to_client_route(self) -> None:
        """AWS routes clients to each other through the endpoint itself: target "local"."""
        client_cidr = self.props.client_cidr
        route = self._route(f"route-{CLIENT_TO_CLIENT}-local", client_cidr, "local", "client to client")
        self.routes[CLIENT_TO_CLIENT] = AddedRoute(CLIENT_TO_CLIENT, Route(destination=client_cidr), (route,))
        self.routed_networks.append(client_cidr)

    def _route(self, construct_id: str, destination: str, target_subnet: str, description: str) -> Ec2ClientVpnRoute:
        return self._chained(Ec2ClientVpnRoute(
            self,
            construct_id,
            client_vpn_endpoint_id=self.endpoint.id,
            destination_cidr_block=destination,
            target_vpc_subnet_id=target_subnet,
            description=description,
            depends_on=self._after(),
            timeouts=ROUTE_TIMEOUTS,
        ))

    def _after(self) -> list[ITerraformDependable] | None:
        return [self._last] if self._last else None

    def _chained(self, resource):
        """`resource` becomes the change the next one waits for."""
        self._last = resource
        return resource

    # ---- extending the endpoint ------------------------------------------------------------

    def add_route(self, id: str, route: Route) -> AddedRoute:
        """Routes `route.destination` through each target subnet (default: every associated subnet),
        after every change made so far. `id` names the route: it is part of each resource's construct
        ID (`route-{id}-{subnet}`) and the default description."""
        created = []
        for subnet_id in route.subnet_ids or list(self.associations):
            association = self.associations.get(subnet_id)
            if association is None:
                raise ValueError(f'route "{id}" subnet_ids: {subnet_id} is not an associated subnet')
            # The association's subnet (a reference), so the route waits for it.
            created.append(self._route(client_route_id(id, subnet_id), route.destination, association.subnet_id,
                                       route.description or id))
        self.routes[id] = added = AddedRoute(id, route, tuple(created))
        self.routed_networks.append(route.destination)
        return added

    def add_authorization_rule(self, id: str, rule: AuthorizationRule) -> AddedAuthorizationRule:
        """Grants `rule.group` (or every user) `rule.networks`, after every change made so far
        (associations, routes, rules); the endpoint's own security group lets the traffic out.
        `id` names the rule: part of each resource's construct ID and the default description."""
        added = self.authorization.add_rule(id, rule, after=self._last)
        self._last = self.authorization.last
        if self.security_group is not None:
            for network in rule.networks:
                if network not in self._egress:
                    self._egress.add(network)
                    allow_egress(self, self.security_group, network)
        return added

    # ---- what outputs and monitoring read ------------------------------------------------

    @property
    def endpoint_id(self) -> str:
        return self.endpoint.id

    @property
    def dns_name(self) -> str:
        """The endpoint's DNS name; client profiles connect to a random subdomain of it."""
        return self.endpoint.dns_name

    @property
    def self_service_portal_url(self) -> str:
        """Where users download their profile (SAML endpoints with the portal enabled)."""
        return self.endpoint.self_service_portal_url

    def metric(self, metric_name: str, *, statistic: str = "Sum", period: int = PUBLISHING_PERIOD_SECONDS) -> Metric:
        """An AWS/ClientVPN metric of this endpoint (dimension Endpoint)."""
        return client_vpn_metric(metric_name, self.endpoint_id, statistic, period)

    def metric_active_connections(self, *, statistic: str = "Maximum",
                                  period: int = PUBLISHING_PERIOD_SECONDS) -> Metric:
        """ActiveConnectionsCount: clients connected; Maximum, the peak of the period."""
        return self.metric(ACTIVE_CONNECTIONS, statistic=statistic, period=period)

    def metric_authentication_failures(self, *, statistic: str = "Sum",
                                       period: int = PUBLISHING_PERIOD_SECONDS) -> Metric:
        """AuthenticationFailures: failed connection attempts, summed per period."""
        return self.metric(AUTHENTICATION_FAILURES, statistic=statistic, period=period)

    def metric_ingress_bytes(self, *, statistic: str = "Sum", period: int = PUBLISHING_PERIOD_SECONDS) -> Metric:
        """IngressBytes: bytes the endpoint received, summed per period."""
        return self.metric(INGRESS_BYTES, statistic=statistic, period=period)

    def metric_egress_bytes(self, *, statistic: str = "Sum", period: int = PUBLISHING_PERIOD_SECONDS) -> Metric:
        """EgressBytes: bytes the endpoint sent, summed per period."""
        return self.metric(EGRESS_BYTES, statistic=statistic, period=period)
