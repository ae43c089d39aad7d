"""EC2 error responses, with the codes the EC2 API reference gives."""

from __future__ import annotations

from moto.ec2.exceptions import EC2ClientError


def invalid_parameter(message: str) -> EC2ClientError:
    return EC2ClientError("InvalidParameterValue", message)


def missing_parameter(name: str) -> EC2ClientError:
    return EC2ClientError("MissingParameter", f"The request must contain the parameter {name}")


def not_found(code: str, what: str, value: str) -> EC2ClientError:
    return EC2ClientError(code, f"The {what} '{value}' does not exist")


def incorrect_state(message: str) -> EC2ClientError:
    return EC2ClientError("IncorrectState", message)
