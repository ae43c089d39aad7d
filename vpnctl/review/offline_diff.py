"""`vpnctl diff --base REF`: what a change does to the synthesized JSON, with no
credentials and no Terraform state.

Each side is synthesized by its own code: the base ref is unpacked with `git
archive` and its own `main.py` runs there, so a change to a construct shows up
as well as a change to an environment file. Changed attributes that the
force-new table lists are marked: those replace the resource on apply. Values
from the configs are escaped for the Markdown they land in (markdown_text).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from vpnctl.review import force_new
from vpnctl.review.changes import SENSITIVE, AttributeChange, attribute_diff
from vpnctl.review.markdown_text import code, text
from vpnctl.review.names import construct_paths, name_for

SECRET_WORDS = ("preshared_key", "private_key", "password", "secret_string")


@dataclass
class ResourceDiff:
    address: str
    name: str
    kind: str  # added, removed, changed
    attributes: list[AttributeChange] = field(default_factory=list)

    @property
    def replaces(self) -> bool:
        return any(a.forces_replacement for a in self.attributes)


def diff_documents(base: dict, head: dict) -> list[ResourceDiff]:
    """Added, removed and changed resources between two synthesized stacks, by address."""
    before, after = _bodies(base), _bodies(head)
    names = {**construct_paths(base), **construct_paths(head)}
    out = []
    for address in sorted(set(before) | set(after)):
        name = name_for(address, names)
        if address not in before:
            out.append(ResourceDiff(address, name, "added"))
        elif address not in after:
            out.append(ResourceDiff(address, name, "removed"))
        elif before[address] != after[address]:
            kind = address.split(".", 1)[0]
            attributes = [
                AttributeChange(
                    path,
                    SENSITIVE if _secret(path) else old,
                    SENSITIVE if _secret(path) else new,
                    force_new.forces_replacement(kind, path),
                )
                for path, old, new in attribute_diff(before[address], after[address], None, None, None, "")
            ]
            out.append(ResourceDiff(address, name, "changed", attributes))
    return out


def _bodies(document: dict) -> dict[str, dict]:
    """Resources by address, plus the provider and backend settings: a new state key or role is a change too."""
    bodies = {
        f"{resource_type}.{name}": {k: v for k, v in body.items() if k != "//"}
        for resource_type, resources in document.get("resource", {}).items()
        for name, body in resources.items()
    }
    for name, body in document.get("provider", {}).items():
        bodies[f"provider.{name}"] = body
    backend = document.get("terraform", {}).get("backend")
    if backend:
        bodies["terraform.backend"] = backend
    return bodies


def _secret(path: str) -> bool:
    return any(word in path for word in SECRET_WORDS)


def render(environment: str, diffs: list[ResourceDiff]) -> str:
    added, removed = sum(d.kind == "added" for d in diffs), sum(d.kind == "removed" for d in diffs)
    changed = [d for d in diffs if d.kind == "changed"]
    replaced = sum(d.replaces for d in changed)
    lines = [(f"### {text(environment)}: {added} added, {removed} removed, {len(changed)} changed "
             f"({replaced} replaced on apply)"), ""]
    if not diffs:
        lines.append("No changes.")
    for diff in diffs:
        kind = diff.address.split(".", 1)[0]
        symbol = {"added": "+", "removed": "-", "changed": "-/+" if diff.replaces else "~"}[diff.kind]
        lines.append(f"- `{symbol}` **{text(diff.name)}** {code(diff.address)}")
        for attribute in diff.attributes:
            forced = " **(forces replacement)**" if attribute.forces_replacement else ""
            lines.append(f"  - {code(attribute.path)}: {code(attribute.before)} → {code(attribute.after)}{forced}")
        if diff.replaces:
            lines.append(f"  - ⚠️ {force_new.REPLACED.get(kind, 'the resource is deleted and created again')}")
        elif diff.kind == "removed" and kind in force_new.DESTROYED:
            lines.append(f"  - ⚠️ {force_new.DESTROYED[kind]}")
    return "\n".join(lines) + "\n"


def synthesize(repo: Path, ref: str | None, environments_dir: Path, into: Path) -> Path:
    """Synthesizes every environment of `ref` (None: the working tree) with that tree's own code."""
    tree = repo
    if ref is not None:
        tree = into / "tree"
        tree.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", "--format=tar", ref], cwd=repo, capture_output=True, check=True)
        with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
            if hasattr(tarfile, "data_filter"):  # Python 3.11.4+: no paths outside `tree`
                tar.extractall(tree, filter="data")
            else:
                tar.extractall(tree)
    out = into / "out"
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CDKTF_OUTDIR": str(out), "VPN_ENVIRONMENTS_DIR": str(tree / environments_dir),
           "PYTHONPATH": str(tree), "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    result = subprocess.run([sys.executable, "main.py"], cwd=tree, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"synth of {ref or 'the working tree'} failed:\n{result.stderr[-3000:]}")
    return out


def diff_command(
    environments_dir: Path, names: list[str] | None, base: str, head: str | None, markdown: Path | None
) -> int:
    """`names`: the environments to show; None: every one on either side, added or removed ones included."""
    found = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False)
    if found.returncode != 0:
        print("vpnctl diff: not inside a git repository", file=sys.stderr)
        return 2
    repo = Path(found.stdout.strip())
    for option, ref in (("--base", base), ("--head", head)):
        known = ref is None or subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
                                              cwd=repo, capture_output=True, check=False).returncode == 0
        if not known:
            print(f"vpnctl diff: {option} {ref}: not a commit this repository knows", file=sys.stderr)
            return 2
    try:
        relative = environments_dir.resolve().relative_to(repo)
    except ValueError:
        print(f"vpnctl diff: {environments_dir} is not inside the repository {repo}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="vpnctl-diff-") as scratch:
        try:
            base_out = synthesize(repo, base, relative, Path(scratch) / "base")
            head_out = synthesize(repo, head, relative, Path(scratch) / "head")
        except (RuntimeError, subprocess.CalledProcessError) as exc:
            print(f"vpnctl diff: {getattr(exc, 'stderr', None) or exc}", file=sys.stderr)
            return 1
        if names is None:
            names = sorted({p.name for out in (base_out, head_out) for p in (out / "stacks").glob("*") if p.is_dir()})
        sections = []
        for name in names:
            documents = [_document(out / "stacks" / name / "cdk.tf.json") for out in (base_out, head_out)]
            sections.append(render(name, diff_documents(*documents)))
    comment = f"## Synthesized diff against {code(base)}\n\n" + "\n".join(sections)
    print(comment, end="")
    if markdown is not None:
        markdown.write_text(comment)
    return 0


def _document(path: Path) -> dict:
    """A stack's JSON; an environment missing on one side is an empty stack."""
    return json.loads(path.read_text()) if path.exists() else {}
