"""`vpnctl diff --base REF`: what a change does to the synthesized JSON, with no
credentials and no Terraform state.

Each side is synthesized by its own code: the base ref is unpacked with `git
archive` and its own `main.py` runs there, so a change to a construct shows up
as well as a change to an environment file. The comparison is
vpnctl/review/synthesized_diff.py; each environment's monthly cost on both sides is vpnctl/cost's, with the
Client VPN usage of the working tree's environment files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpnctl.commands.options import environments_argument
from vpnctl.exit_status import EXIT_CONFIG, EXIT_FAILED


def add_parser(commands) -> None:
    command = commands.add_parser(
        "diff", help="compare the synthesized JSON of two git refs, offline; marks changes that force replacement"
    )
    environments_argument(command)
    command.add_argument("--base", required=True, help="git ref to compare against, e.g. origin/main")
    command.add_argument("--head", default=None, help="git ref to compare (default: the working tree)")
    command.add_argument("--markdown", type=Path, default=None, help="also write the diff as Markdown to this file")
    command.set_defaults(handler=run)


def run(args, environments: list[LoadedEnvironment]) -> int:
    names = [env.name for env in environments] if args.env else None  # None: both sides' environments
    return diff_command(args.environments, names, args.base, args.head, args.markdown, environments)


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
    environments_dir: Path, names: list[str] | None, base: str, head: str | None, markdown: Path | None,
    loaded: list[LoadedEnvironment] | None = None,
) -> int:
    """`names`: the environments to show; None: every one on either side, added or removed ones included.
    `loaded`: the working tree's environments, whose Client VPN `usage` blocks price both sides' connection-hours
    (usage is no resource, so no synthesized stack holds it)."""
    found = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False)
    if found.returncode != 0:
        print("vpnctl diff: not inside a git repository", file=sys.stderr)
        return EXIT_CONFIG
    repo = Path(found.stdout.strip())
    for option, ref in (("--base", base), ("--head", head)):
        known = ref is None or subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
                                              cwd=repo, capture_output=True, check=False).returncode == 0
        if not known:
            print(f"vpnctl diff: {option} {ref}: not a commit this repository knows", file=sys.stderr)
            return EXIT_CONFIG
    try:
        relative = environments_dir.resolve().relative_to(repo)
    except ValueError:
        print(f"vpnctl diff: {environments_dir} is not inside the repository {repo}", file=sys.stderr)
        return EXIT_CONFIG
    from vpnctl.cost.words import stack_cost
    from vpnctl.review.markdown_text import code
    from vpnctl.review.synthesized_diff import diff_documents, render
    from vpnctl.synthesized import stack_file

    with tempfile.TemporaryDirectory(prefix="vpnctl-diff-") as scratch:
        try:
            base_out = synthesize(repo, base, relative, Path(scratch) / "base")
            head_out = synthesize(repo, head, relative, Path(scratch) / "head")
        except (RuntimeError, subprocess.CalledProcessError) as exc:
            print(f"vpnctl diff: {getattr(exc, 'stderr', None) or exc}", file=sys.stderr)
            return EXIT_FAILED
        if names is None:
            names = sorted({p.name for out in (base_out, head_out) for p in (out / "stacks").glob("*") if p.is_dir()})
        sections = []
        working_tree = {environment.name: environment for environment in loaded or []}
        for name in names:
            documents = [_document(stack_file(out, name)) for out in (base_out, head_out)]
            cost = stack_cost(name, *documents, working_tree.get(name))
            sections.append(render(name, diff_documents(*documents), cost))
    comment = f"## Synthesized diff against {code(base)}\n\n" + "\n".join(sections)
    print(comment, end="")
    if markdown is not None:
        markdown.write_text(comment)
    return 0


def _document(path: Path) -> dict:
    """A stack's JSON; an environment missing on one side is an empty stack."""
    return json.loads(path.read_text()) if path.exists() else {}
