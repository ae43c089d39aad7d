"""Environment stacks and their config. `stacks.config` is cdktf-free; `stacks.vpn_stack` is not.

`stacks.app` starts the jsii speed-ups (stacks/bindings.py) before it imports a construct.
"""
