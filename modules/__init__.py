"""Reusable VPN constructs.

Importing any submodule of the AWS provider bindings normally runs the
package's __init__, which imports all of its 2,000+ resource modules: about
16 s and 1 GB before any work. Registering the package without running its
__init__ lets each construct import just the resource modules it uses; the
synthesized JSON is the same. This is the one place that does it, before any
construct imports a binding. The cdktf-free parts (props, AWS rules, crypto
profiles) load without starting the jsii runtime at all.
"""

import importlib.util
import sys

AWS_BINDINGS = "cdktf_cdktf_provider_aws"


def _register_aws_bindings_lazily() -> None:
    if AWS_BINDINGS in sys.modules:  # already imported in full: nothing to save
        return
    spec = importlib.util.find_spec(AWS_BINDINGS)
    if spec is None or not spec.submodule_search_locations:
        return
    package = importlib.util.module_from_spec(spec)  # a package object, its __init__ not run
    sys.modules[AWS_BINDINGS] = package


_register_aws_bindings_lazily()
