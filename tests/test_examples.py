"""The examples are apps a reader copies: each synthesizes as `python main.py` runs it (from its own folder,
with no HCL config and no vpnctl), holds no secret and keeps its state locally, has a README the index names,
and Terraform with AWS provider 5.100.0 finds its configuration valid."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

EXAMPLES_DIR = ROOT / "examples"
EXAMPLES = sorted(path.name for path in EXAMPLES_DIR.iterdir() if (path / "main.py").is_file())
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def doc_apps() -> dict[str, str]:
    """The complete apps in the guides (Python blocks that synthesize), so that a guide's code can't drift
    from the constructs: `docs-<guide>-<n>` -> its source."""
    return {f"docs-{path.stem}-{n}": block for path in sorted((ROOT / "docs").glob("*.md"))
            for n, block in enumerate(PYTHON_BLOCK.findall(path.read_text()), 1) if "app.synth()" in block}


DOC_APPS = doc_apps()
KEY_MATERIAL = re.compile(r"-----BEGIN|PRIVATE KEY|MII[A-Za-z0-9+/]{60}")  # PEM armour, or base64 DER


# Runs each example's main.py as `python main.py` would (as __main__, from its folder, with CDKTF_OUTDIR), all in
# one process: one start of Python and the jsii runtime instead of four.
RUN_EACH = """
import os, runpy, sys
for folder, outdir in zip(sys.argv[1::2], sys.argv[2::2]):
    os.chdir(folder)
    os.environ["CDKTF_OUTDIR"] = outdir
    runpy.run_path("main.py", run_name="__main__")
"""


@pytest.fixture(scope="module")
def synthesized_examples(tmp_path_factory) -> dict[str, Path]:
    """Every example synthesized: example name -> its stack's folder."""
    out, guides = tmp_path_factory.mktemp("examples"), tmp_path_factory.mktemp("guides")
    for name, source in DOC_APPS.items():
        (guides / name).mkdir()
        (guides / name / "main.py").write_text(source)
    folders = {**{name: EXAMPLES_DIR / name for name in EXAMPLES}, **{name: guides / name for name in DOC_APPS}}
    arguments = [str(part) for name, folder in folders.items() for part in (folder, out / name)]
    result = subprocess.run(
        [sys.executable, "-c", RUN_EACH, *arguments], cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", "CHECKPOINT_DISABLE": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    stacks = {}
    for name in folders:
        (stack,) = (out / name / "stacks").iterdir()  # one stack per example
        stacks[name] = stack
    return stacks


def test_there_are_the_four_examples_each_with_a_readme_the_index_names():
    assert EXAMPLES == ["client-vpn-certificate", "client-vpn-saml", "static-vgw", "tgw-bgp"]
    index = (EXAMPLES_DIR / "README.md").read_text()
    for name in EXAMPLES:
        readme = EXAMPLES_DIR / name / "README.md"
        assert readme.is_file() and "python main.py" in readme.read_text(), name
        assert f"]({name}/)" in index, name


def test_examples_use_the_constructs_without_the_projects_config_loading():
    for name in EXAMPLES:
        source = (EXAMPLES_DIR / name / "main.py").read_text()
        assert "from modules." in source and "from vpn_schema." in source, name
        assert "stacks.config" not in source and "vpnctl" not in source, name


@pytest.mark.parametrize("name", EXAMPLES + sorted(DOC_APPS))
def test_an_example_synthesizes_no_key_material_local_state_and_an_aws_provider(synthesized_examples, name):
    text = (synthesized_examples[name] / "cdk.tf.json").read_text()
    assert not KEY_MATERIAL.search(text), f"{name}: key material in the synthesized JSON"
    assert str(ROOT) not in text and str(Path.home()) not in text, f"{name}: a machine path in the JSON"
    doc = json.loads(text)
    # Local state beside the stack: a relative path (cdktf's implicit local backend would write an absolute one).
    assert doc["terraform"]["backend"] == {"local": {"path": "terraform.tfstate"}}
    assert doc["terraform"]["required_providers"]["aws"]["version"] == "5.100.0"
    assert "aws" in doc["provider"]
    for connection in doc["resource"].get("aws_vpn_connection", {}).values():
        for key in ("tunnel1_preshared_key", "tunnel2_preshared_key"):
            assert key not in connection or connection[key].startswith("${"), f"{name}: a literal {key}"


@dataclass(frozen=True)
class TerraformSettings:
    cli_config: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def terraform_settings(tmp_path_factory) -> TerraformSettings:
    """The project's CLI config (the offline provider mirror) and one plugin cache for every example's init."""
    from vpnctl.terraform_config import find_provider_mirror, write_cli_config

    build = tmp_path_factory.mktemp("terraform")
    (build / "plugin-cache").mkdir()
    return TerraformSettings(write_cli_config(build, find_provider_mirror()),
                             {"TF_PLUGIN_CACHE_DIR": str(build / "plugin-cache")})


def test_the_constructs_guide_holds_a_complete_app():
    assert "docs-constructs-1" in DOC_APPS  # the reader above found it


@pytest.mark.terraform
@pytest.mark.parametrize("name", EXAMPLES + sorted(DOC_APPS))
def test_terraform_finds_each_example_valid(synthesized_examples, terraform_settings, name):
    from vpnctl.terraform import Terraform

    terraform = Terraform(synthesized_examples[name], terraform_settings.cli_config, env=terraform_settings.env)
    terraform.init(backend=False)
    report = terraform.validate()  # raises with Terraform's diagnostics when invalid
    assert report["valid"] is True and report["error_count"] == 0, report["diagnostics"]
    assert report["warning_count"] == 0, report["diagnostics"]
