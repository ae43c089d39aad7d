"""Environment stacks and their config. `stacks.config` is cdktf-free; `stacks.vpn_stack` is not."""
