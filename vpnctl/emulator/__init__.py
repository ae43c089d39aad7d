"""A local AWS for `terraform apply`: moto's server plus the EC2 VPN actions it lacks.

moto has no Client VPN, drops VPN connection options and echoes fixed tunnel
data; this package adds or replaces those actions, faithful to the EC2 API
reference (error codes, state transitions, filters, pagination), so that an
environment applies, refreshes without drift and destroys cleanly. It runs in
its own process (`python -m vpnctl.emulator`); `vpnctl.local` starts, seeds and
stops it. Nothing here is imported by the constructs.
"""
