"""Loading only the AWS binding modules in use changes nothing in the output, and saves most of the start-up."""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys

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


def test_lazy_and_eager_bindings_synthesize_byte_identical_stacks(tmp_path):
    lazy = synth(tmp_path / "lazy", "main.py")
    eager = synth(tmp_path / "eager", "-c", EAGER)
    assert lazy.returncode == 0 and eager.returncode == 0, lazy.stderr + eager.stderr
    for env in ENV_NAMES:
        a = tmp_path / "lazy" / "stacks" / env / "cdk.tf.json"
        b = tmp_path / "eager" / "stacks" / env / "cdk.tf.json"
        assert filecmp.cmp(a, b, shallow=False), env


def test_synth_loads_only_the_binding_modules_it_uses(tmp_path):
    result = synth(tmp_path / "out", "-c", COUNT)
    assert result.returncode == 0, result.stderr
    loaded = int(result.stdout.strip().splitlines()[-1])
    assert 0 < loaded < 60, loaded  # of 2,000+ in the package


def test_importing_the_stack_module_first_stays_lazy():
    code = "import sys, stacks.vpn_stack; print(sum(1 for m in sys.modules if m.startswith('cdktf_cdktf_provider_aws.')))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
                            env={**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"})
    assert result.returncode == 0, result.stderr
    assert 0 < int(result.stdout.strip().splitlines()[-1]) < 60


def test_skipping_binding_type_checks_changes_no_output(tmp_path):
    """Stacks are built with the bindings' typeguard checks off (the config is validated); with them on, the JSON is the same."""
    checked = "import contextlib, runpy, sys, stacks.app; stacks.app.binding_type_checks_skipped = contextlib.nullcontext; " \
              "sys.argv = ['main.py']; runpy.run_path('main.py', run_name='__main__')"
    fast = synth(tmp_path / "fast", "main.py")
    slow = synth(tmp_path / "checked", "-c", checked)
    assert fast.returncode == 0 and slow.returncode == 0, fast.stderr + slow.stderr
    for env in ENV_NAMES:
        a = tmp_path / "fast" / "stacks" / env / "cdk.tf.json"
        b = tmp_path / "checked" / "stacks" / env / "cdk.tf.json"
        assert filecmp.cmp(a, b, shallow=False), env


def test_type_checks_are_skipped_only_inside_the_block_and_restored_after():
    import pytest
    from cdktf import TerraformStack
    from cdktf import Testing as CdktfTesting
    from cdktf_cdktf_provider_aws.sns_topic import SnsTopic

    from modules import binding_type_checks_skipped

    stack = TerraformStack(CdktfTesting.app(), "skipped")
    with binding_type_checks_skipped():
        SnsTopic(stack, "unchecked", name="ok")
    with pytest.raises(TypeError, match="name"):
        SnsTopic(stack, "checked", name=123)


def test_the_bindings_still_type_check_their_arguments():
    """Their type hints are cached, not skipped: a wrong type is still refused before node sees it."""
    import pytest
    from cdktf import TerraformStack
    from cdktf import Testing as CdktfTesting
    from cdktf_cdktf_provider_aws.sns_topic import SnsTopic

    stack = TerraformStack(CdktfTesting.app(), "typecheck")
    for _ in range(2):  # the second call uses the cached hints
        with pytest.raises(TypeError, match="name"):
            SnsTopic(stack, f"topic{_}", name=123)
