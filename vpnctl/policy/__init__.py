"""The policy pack: checkov's own checks plus the project's VPN checks in `checks/`."""
