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
import typing

AWS_BINDINGS = "cdktf_cdktf_provider_aws"
_TYPE_CHECK_STUB = "_typecheckingstub__"


def _register_aws_bindings_lazily() -> None:
    if AWS_BINDINGS in sys.modules:  # already imported in full: nothing to save
        return
    spec = importlib.util.find_spec(AWS_BINDINGS)
    if spec is None or not spec.submodule_search_locations:
        return
    package = importlib.util.module_from_spec(spec)  # a package object, its __init__ not run
    sys.modules[AWS_BINDINGS] = package


def _cache_binding_type_hints() -> None:
    """The bindings type-check every argument against a stub's hints, which
    typing.get_type_hints rebuilds on every call: a fifth of construct-building
    time. The stubs never change, so their hints are computed once; the checks
    themselves still run, so validation is the same."""
    original = typing.get_type_hints
    if getattr(original, "_caches_binding_stubs", False):
        return
    cache: dict = {}

    def get_type_hints(obj, globalns=None, localns=None, include_extras=False):
        if globalns is None and localns is None and getattr(obj, "__name__", "").startswith(_TYPE_CHECK_STUB):
            key = (obj, include_extras)
            if key not in cache:
                cache[key] = original(obj, include_extras=include_extras)
            return cache[key]
        return original(obj, globalns, localns, include_extras)

    get_type_hints._caches_binding_stubs = True
    typing.get_type_hints = get_type_hints


_register_aws_bindings_lazily()
_cache_binding_type_hints()
