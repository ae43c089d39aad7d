"""The documentation stays true: the generated references match the code (`make docs` rewrites them), every
config key and construct prop says what it is, and every relative link of README.md and docs/ leads somewhere."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from pydantic import BaseModel

import vpn_schema
from docs import generate
from tests.conftest import ROOT
from vpn_schema.base import StrictModel


def schema_models() -> list[type[BaseModel]]:
    """Every pydantic model defined in vpn_schema."""
    found = []
    for module in pkgutil.iter_modules(vpn_schema.__path__):
        loaded = importlib.import_module(f"vpn_schema.{module.name}")
        for _, value in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(value, BaseModel) and value.__module__ == loaded.__name__ and value not in found:
                found.append(value)
    return found


def test_the_generated_references_are_what_make_docs_writes_now():
    stale = [str(path.relative_to(ROOT)) for path in generate.stale()]
    assert stale == [], f"out of date, run make docs: {stale}"


def test_every_config_key_and_construct_prop_has_a_description():
    models = schema_models()
    assert len(models) >= 10  # the walk found the schema
    missing = [f"{model.__module__}.{model.__name__}.{name}"
               for model in models for name, field in model.model_fields.items()
               if not (field.description or "").strip()]
    assert missing == []


def test_every_schema_model_is_strict_closed_and_frozen():
    loose = [model.__name__ for model in schema_models() if not issubclass(model, StrictModel)]
    assert loose == []


def test_the_environment_reference_names_every_block_of_the_file():
    text = (ROOT / "docs" / "reference" / "environment-file.md").read_text()
    blocks = ["`state`", "`vpc`", "`vpn_gateway`", "`logging`", "`alarms`", '`crypto_profile "NAME"`',
              '`site "NAME"`', "`tunnel`", "`transit_gateway`", '`client_vpn "NAME"`', "`server_certificate`",
              '`authorization "NAME"`', '`route "NAME"`']
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert [b for b in blocks if not any(b in h for h in headings)] == []


def test_the_constructs_reference_covers_every_public_construct():
    text = (ROOT / "docs" / "reference" / "constructs.md").read_text()
    declared = {m.group(1) for path in (ROOT / "modules").glob("*.py")
                for m in re.finditer(r"^class ([A-Z]\w*)\([^)]*Construct[^)]*\):", path.read_text(), re.MULTILINE)}
    assert declared
    assert sorted(c for c in declared if f"## `{c}`" not in text) == []


# --- links -------------------------------------------------------------------------------------------------

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)


def markdown_files() -> list[Path]:
    return [ROOT / "README.md"] + sorted((ROOT / "docs").rglob("*.md"))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lowercase, punctuation dropped (but - and _), spaces to hyphens."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.DOTALL)
    for line in text.splitlines():
        if line.startswith("#"):
            base = slug(line.lstrip("#"))
            name, n = base, 1
            while name in found:
                name, n = f"{base}-{n}", n + 1
            found.add(name)
    return found


def links(path: Path) -> list[str]:
    return LINK.findall(CODE.sub("", path.read_text()))


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(path):
    broken = []
    for target in links(path):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        file_part, _, fragment = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists() or fragment and linked.suffix == ".md" and fragment not in anchors(linked):
            broken.append(target)
    assert broken == []


def test_the_link_checker_sees_links_and_anchors():
    """The check above would pass vacuously on a reader that saw nothing."""
    assert links(ROOT / "README.md")
    assert slug("`vpnctl diff --base REF`: offline") == "vpnctl-diff---base-ref-offline"
