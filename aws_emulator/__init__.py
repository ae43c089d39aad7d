"""A local AWS for `terraform apply`: moto's server plus the EC2 VPN actions it lacks.

moto has no Client VPN, drops VPN connection options and echoes fixed tunnel
data; this package adds or replaces those actions, faithful to the EC2 API
reference (error codes, state transitions, filters, pagination), so that an
environment applies, refreshes without drift and destroys cleanly. It runs in
its own process (`python -m aws_emulator`); `vpnctl/emulator_process.py` starts and stops
it and `vpnctl/emulator_seed.py` seeds it. It imports nothing from the project (tests/test_layers.py): AWS's
limits are its own (aws_limits.py), so a wrong rule of ours meets an emulator that disagrees.
"""
