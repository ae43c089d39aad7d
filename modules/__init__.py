"""Reusable VPN constructs: props from the `vpn_schema` package, no I/O, nothing done at import.

The caller chooses each construct's ID and makes the outputs (stacks/outputs.py for the project's
stacks); examples/ shows the constructs used directly. For a fast start, call
`stacks.bindings.load_lazily()` before importing a construct (main.py and the examples do).
"""
