"""Environment stacks and their config. `stacks.config` is cdktf-free; `stacks.vpn_stack` is not.

`modules` is imported first so that its lazy loading of the AWS bindings is in
place before any stack module imports a binding, whatever is imported first.
"""

import modules  # noqa: F401
