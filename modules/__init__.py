"""Reusable VPN constructs.

Kept free of imports so that the cdktf-free parts (props, AWS rules, crypto
profiles) load without starting the jsii runtime.
"""
