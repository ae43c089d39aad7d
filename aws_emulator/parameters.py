"""Request parameters as the EC2 API checks them: a required one that is missing is MissingParameter, a
CIDR block that does not parse is InvalidParameterValue."""

from __future__ import annotations

import ipaddress

from aws_emulator.errors import invalid_parameter, missing_parameter


class RequestParameters:
    """Mixed into moto's EC2Response with the actions that use it (see aws_emulator.app)."""

    def _required_param(self, name: str):
        value = self._get_param(name)
        if not value:
            raise missing_parameter(name)
        return value

    def _cidr_param(self, name: str) -> str:
        """The required CIDR block `name` gives, normalized."""
        value = self._required_param(name)
        try:
            return str(ipaddress.ip_network(value))
        except ValueError:
            raise invalid_parameter(f"{name} {value} is not a valid CIDR block") from None
