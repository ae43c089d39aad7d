"""Loading only the AWS binding modules in use changes nothing in the output, and saves most of the start-up."""

from __future__ import annotations

import ast
import filecmp
import os
import subprocess
import sys

import pytest

from tests.conftest import ENV_NAMES, ROOT

EAGER = "import cdktf_cdktf_provider_aws, runpy, sys; sys.argv = ['main.py']; runpy.run_path('main.py', run_name='__main__')"
COUNT = (
    "import runpy, sys; sys.argv = ['main.py']\n"
    "try:\n    runpy.run_path('main.py', run_name='__main__')\nexcept SystemExit:\n    pass\n"
    "print(sum(1 for m in sys.modules if m.startswith('cdktf_cdktf_provider_aws.')))"
)


def synth(outdir, *python_args) -> subprocess.CompletedProcess:
    env = {**os.environ, "CDKTF_OUTDIR": str(outdir), "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    return subprocess.run([sys.executable, *python_args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
                          check=False)


@pytest.fixture(scope="module")
def lazy(tmp_path_factory):
    """main.py as cdktf runs it (lazy bindings, type checks skipped), once for the module: its stacks, and how
    many binding modules it loaded."""
    outdir = tmp_path_factory.mktemp("lazy")
    result = synth(outdir, "-c", COUNT)
    assert result.returncode == 0, result.stderr
    return outdir, int(result.stdout.strip().splitlines()[-1])


def assert_same_stacks(reference, other) -> None:
    for env in ENV_NAMES:
        a, b = reference / "stacks" / env / "cdk.tf.json", other / "stacks" / env / "cdk.tf.json"
        assert filecmp.cmp(a, b, shallow=False), env


def test_lazy_and_eager_bindings_synthesize_byte_identical_stacks(lazy, tmp_path):
    eager = synth(tmp_path / "eager", "-c", EAGER)
    assert eager.returncode == 0, eager.stderr
    assert_same_stacks(lazy[0], tmp_path / "eager")


def test_synth_loads_only_the_binding_modules_it_uses(lazy):
    assert 0 < lazy[1] < 60, lazy[1]  # of 2,000+ in the package


def test_importing_the_app_module_first_stays_lazy():
    code = "import sys, stacks.app; print(sum(1 for m in sys.modules if m.startswith('cdktf_cdktf_provider_aws.')))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
                            env={**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"})
    assert result.returncode == 0, result.stderr
    assert 0 < int(result.stdout.strip().splitlines()[-1]) < 60


def test_skipping_binding_type_checks_changes_no_output(lazy, tmp_path):
    """Stacks are built with the bindings' typeguard checks off (the config is validated); with them on, the JSON is the same."""
    checked = "import contextlib, runpy, sys, stacks.app; stacks.app.binding_type_checks_skipped = contextlib.nullcontext; " \
              "sys.argv = ['main.py']; runpy.run_path('main.py', run_name='__main__')"
    slow = synth(tmp_path / "checked", "-c", checked)
    assert slow.returncode == 0, slow.stderr
    assert_same_stacks(lazy[0], tmp_path / "checked")


def test_type_checks_are_skipped_only_inside_the_block_and_restored_after():
    from cdktf import TerraformStack
    from cdktf import Testing as CdktfTesting
    from cdktf_cdktf_provider_aws.sns_topic import SnsTopic

    from stacks.bindings import binding_type_checks_skipped

    stack = TerraformStack(CdktfTesting.app(), "skipped")
    with binding_type_checks_skipped():
        SnsTopic(stack, "unchecked", name="ok")
    with pytest.raises(TypeError, match="name"):
        SnsTopic(stack, "checked", name=123)


def test_the_bindings_still_type_check_their_arguments():
    """Their type hints are cached, not skipped: a wrong type is still refused before node sees it."""
    from cdktf import TerraformStack
    from cdktf import Testing as CdktfTesting
    from cdktf_cdktf_provider_aws.sns_topic import SnsTopic

    stack = TerraformStack(CdktfTesting.app(), "typecheck")
    for _ in range(2):  # the second call uses the cached hints
        with pytest.raises(TypeError, match="name"):
            SnsTopic(stack, f"topic{_}", name=123)



def test_importing_the_constructs_runs_nothing_but_definitions():
    """`modules` is a library: importing it must leave typing.get_type_hints and the bindings' package alone, so
    a module of it holds imports, definitions and constants only (the speed-ups are stacks/bindings.py's, called
    where an app starts). Read from the source: importing the bindings to watch would cost 16 s."""
    allowed = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign)
    found = {}
    for path in sorted((ROOT / "modules").glob("*.py")):
        body = ast.parse(path.read_text()).body
        statements = body[1:] if body and isinstance(body[0], ast.Expr) else body  # the docstring
        calls = [node.lineno for node in statements if not isinstance(node, allowed)
                 or (isinstance(node, (ast.Assign, ast.AnnAssign)) and _calls_outside_constructors(node))]
        if calls:
            found[path.name] = calls
    assert found == {}
    assert len(list((ROOT / "modules").glob("*.py"))) > 5


def _calls_outside_constructors(node: ast.AST) -> bool:
    """A module-level assignment that calls anything but a type or a frozen value's constructor."""
    return any(isinstance(call, ast.Call) and not (isinstance(call.func, ast.Name) and call.func.id[:1].isupper()
                                                   or isinstance(call.func, ast.Name) and call.func.id in SAFE_CALLS)
               for call in ast.walk(node))


SAFE_CALLS = {"frozenset", "tuple", "dict", "set", "re_compile"}
