"""Plan review for pull requests: what a VPN change does, in plain words."""
