"""Arguments checked before any work starts: an environment is named, never given as a path, and every
folder and file a command writes can be written there. Each problem is one line (exit 2), never a
traceback halfway through a synth or a Terraform run."""

from __future__ import annotations

import os
from pathlib import Path

from stacks.config.loader import ENVIRONMENT_NAME

# The options that name what a command writes, by kind.
FOLDERS = {"out": "--out", "build": "--build", "pki_dir": "--pki-dir"}
FILES = {"markdown": "--markdown", "output": "--output"}
SYSTEM = (Path("/proc"), Path("/sys"), Path("/dev"))
SHOWN = 60  # characters of a rejected name shown back


def problems(args) -> list[str]:
    lines = []
    names = getattr(args, "env", None)
    for name in [names] if isinstance(names, str) else names or []:
        if not ENVIRONMENT_NAME.fullmatch(name):
            shown = name if len(name) <= SHOWN else name[:SHOWN] + f"… ({len(name)} characters)"
            lines.append(f"{shown!r} is not an environment name: 1 to 31 lowercase letters, digits and '-', starting "
                         "with a letter; the file is <environments>/<name>.hcl")
    lines += _keep_problems(args)
    for attribute, option in FOLDERS.items():
        path = getattr(args, attribute, None)
        problem = _folder_problem(path) if path is not None else None
        if problem:
            lines.append(f"{option} {path}: {problem}")
    for attribute, option in FILES.items():
        path = getattr(args, attribute, None)
        problem = _file_problem(path) if path is not None else None
        if problem:
            lines.append(f"{option} {path}: {problem}")
    return lines


def _keep_problems(args) -> list[str]:
    """`deploy --keep` holds one environment's local AWS after the deploy: it needs --local and one name."""
    if not getattr(args, "keep", False):
        return []
    lines = []
    if not getattr(args, "local", False):
        lines.append("--keep keeps the local AWS of a --local deploy running; add --local (AWS keeps itself)")
    if getattr(args, "all", False) or len(getattr(args, "env", None) or []) != 1:
        lines.append("--keep holds the local AWS of one environment: name exactly one")
    return lines


def _system(path: Path) -> bool:
    return any(path == root or root in path.parents for root in SYSTEM)


def _folder_problem(path: Path, named: bool = True) -> str | None:
    """Why `path` can't be (or become) a folder this run writes into; None if it can. `named`: the option
    names this folder (not: the folder of a file it names)."""
    absolute = Path(os.path.abspath(path))
    if _system(absolute):
        return "is in a system folder; name a folder of your own"
    existing = next(p for p in (absolute, *absolute.parents) if p.exists() or p == Path(absolute.anchor))
    if existing == absolute and not absolute.is_dir() and named:
        return "is a file, not a folder"
    if not existing.is_dir():
        return f"{existing} is a file, so nothing can be created under it"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"{existing} can't be written" if existing != absolute else "can't be written"
    return None


def _file_problem(path: Path) -> str | None:
    """Why `path` can't be written as a file; None if it can."""
    absolute = Path(os.path.abspath(path))
    if absolute.is_dir():
        return "is a folder, not a file"
    if absolute.exists() and not absolute.is_file():
        return "is not a regular file"
    return _folder_problem(absolute.parent, named=False)
