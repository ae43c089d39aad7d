"""Configuration for the on-premises customer gateway device, from the deployed VPN connection."""
