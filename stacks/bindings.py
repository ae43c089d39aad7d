"""The jsii speed-ups, started explicitly where an app starts (main.py, stacks/app.py, the examples).

Importing any submodule of the AWS provider bindings normally runs the
package's __init__, which imports all of its 2,000+ resource modules: about
16 s and 1 GB before any work. Registering the package without running its
__init__ lets each construct import just the resource modules it uses; the
synthesized JSON is the same. Call `load_lazily()` before the first import of a
construct; importing `modules` itself changes nothing process-wide.
"""

import contextlib
import importlib.util
import sys
import typing
from collections.abc import Iterator

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


def _skip_check(argname: str, value: object, expected_type: typing.Any) -> None:
    return None


@contextlib.contextmanager
def binding_type_checks_skipped() -> Iterator[None]:
    """Skips the bindings' typeguard checks of every argument while building
    stacks from a config that pydantic has already validated: they re-check
    values our own props produced, and cost about a quarter of construct-building
    time. Code that uses the constructs directly keeps the checks; the
    synthesized JSON is the same either way (tests/test_lazy_bindings.py)."""
    patched = []
    for namespace in _binding_namespaces():
        patched.append((namespace, namespace["check_type"]))
        namespace["check_type"] = _skip_check
    try:
        yield
    finally:
        for namespace, check in patched:
            namespace["check_type"] = check


def _binding_namespaces() -> list[dict]:
    """The globals of each loaded binding module. Their `publication` step swaps
    the module object for one holding public names only, so the namespace the
    generated code runs in is reached through one of its classes."""
    found: dict[int, dict] = {}
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "cdktf" or name.startswith(AWS_BINDINGS + ".")):
            continue
        for value in vars(module).values():
            namespace = getattr(getattr(value, "__init__", None), "__globals__", None)
            if namespace is not None and namespace.get("__name__") == name and "check_type" in namespace:
                found[id(namespace)] = namespace
                break
    return list(found.values())


def load_lazily() -> None:
    """Registers the AWS bindings without their package __init__ and caches the stubs' type hints.
    Idempotent; a no-op when the bindings are already imported in full."""
    _register_aws_bindings_lazily()
    _cache_binding_type_hints()
