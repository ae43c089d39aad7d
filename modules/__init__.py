"""Reusable VPN constructs: props from the `vpn_schema` package, no I/O, nothing done at import.

For a fast start, call `stacks.bindings.load_lazily()` before importing a construct (main.py does).
"""
