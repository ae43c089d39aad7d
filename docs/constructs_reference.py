"""docs/reference/constructs.md, read from modules/*.py with `ast`: no cdktf is imported, no construct is built.

For each public construct class (a class whose bases name `Construct`): its docstring, its constructor's
arguments (types and defaults as written in the source, descriptions from a Google-style `Args:` section of the
class or `__init__` docstring), its public methods and properties, and the fields of every props model from
vpn_schema its arguments take. Public dataclasses of the modules (supporting value types) are listed with their
fields. Whatever the signatures become, the page follows: nothing here names an argument.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

from pydantic import BaseModel

from docs.environment_reference import escape, hcl_default

TITLE = "Constructs reference"
_ARG = re.compile(r"^\s{0,8}(\*{0,2}\w+)(?: \([^)]*\))?: (.*)$")


def split_args(doc: str) -> tuple[str, dict[str, str]]:
    """(the docstring without its `Args:` section, argument -> description)."""
    lines, described, out, current, inside = doc.splitlines(), {}, [], None, False
    for line in lines:
        if line.strip() in ("Args:", "Arguments:", "Parameters:"):
            inside, current = True, None
            continue
        if inside:
            match = _ARG.match(line)
            if match and (len(line) - len(line.lstrip())) <= 8:
                current = match.group(1).lstrip("*")
                described[current] = match.group(2).strip()
                continue
            if line.strip() and current and line.startswith(" " * 8):
                described[current] += " " + line.strip()
                continue
            if not line.strip():
                continue
            inside = False
        out.append(line)
    return "\n".join(out).strip(), described


def _imports(tree: ast.Module) -> dict[str, str]:
    """Local name -> the dotted vpn_schema path it was imported as (`Site` -> `vpn_schema.site.Site`)."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("vpn_schema"):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("vpn_schema"):
                    names[alias.asname or alias.name] = alias.name
    return names


def _resolve(dotted: str):
    """The object at a dotted vpn_schema path, or None."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute, None)
        return found
    return None


def props_models(annotation: ast.expr | None, imports: dict[str, str]) -> list[type]:
    """The pydantic models of vpn_schema an argument's annotation names, at any depth (`dict[str, Rule] | None`)."""
    found = []
    for node in ast.walk(annotation) if annotation is not None else ():
        dotted = None
        if isinstance(node, ast.Name) and node.id in imports:
            dotted = imports[node.id]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in imports:
            dotted = f"{imports[node.value.id]}.{node.attr}"
        model = _resolve(dotted) if dotted else None
        if inspect.isclass(model) and issubclass(model, BaseModel) and model not in found:
            found.append(model)
    return found


def _parameters(function: ast.FunctionDef) -> list[tuple[str, str, str, str]]:
    """(name, kind, annotation, default) of each parameter but self."""
    args = function.args
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    rows = [(a, "positional", d) for a, d in zip(positional, defaults, strict=True)]
    rows += [(a, "keyword", d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)]
    out = []
    for arg, kind, default in rows:
        if arg.arg in ("self", "cls"):
            continue
        out.append((arg.arg, kind, ast.unparse(arg.annotation) if arg.annotation else "",
                    "required" if default is None else f"`{ast.unparse(default)}`"))
    for arg, kind in ((args.vararg, "*args"), (args.kwarg, "**kwargs")):
        if arg is not None:
            out.append((arg.arg, kind, ast.unparse(arg.annotation) if arg.annotation else "", ""))
    return out


def _members(cls: ast.ClassDef) -> list[str]:
    """`name(args)`: first docstring line, for each public method and property."""
    lines = []
    for node in cls.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            is_property = any(isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list)
            signature = node.name if is_property else f"{node.name}({ast.unparse(node.args)})".replace(
                "self, ", "").replace("(self)", "()")
            summary = (ast.get_docstring(node) or "").split("\n\n")[0]
            kind = "property" if is_property else "method"
            lines.append(f"- `{signature}` ({kind}){': ' + ' '.join(summary.split()) if summary else ''}")
    return lines


def _model_table(model: type) -> list[str]:
    lines = [f"Props `{model.__name__}` ({model.__module__}): "
             + " ".join(inspect.cleandoc(model.__doc__ or "").split("\n\n")[0].split()), "",
             "| field | default | description |", "| --- | --- | --- |"]
    for name, field in model.model_fields.items():
        lines.append(f"| `{name}` | {hcl_default(field)} | {escape(field.description or '')} |")
    return lines + [""]


def construct_section(cls: ast.ClassDef, source: str, imports: dict[str, str]) -> list[str]:
    init = next((n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
    doc, described = split_args(ast.get_docstring(cls) or "")
    init_doc, init_described = split_args(ast.get_docstring(init) or "") if init else ("", {})
    described = {**described, **init_described}
    lines = ["", f"## `{cls.name}`", "", f"`{source}`", ""]
    lines += [doc, ""] if doc else []
    lines += [init_doc, ""] if init_doc else []
    if init is None:
        lines += ["Takes the arguments of its base class.", ""]
    else:
        lines += ["| argument | kind | type | default | description |", "| --- | --- | --- | --- | --- |"]
        for name, kind, annotation, default in _parameters(init):
            lines.append(f"| `{name}` | {kind} | {escape(f'`{annotation}`' if annotation else '')} | "
                         f"{escape(default)} | {escape(described.get(name, ''))} |")
        lines.append("")
    members = _members(cls)
    if members:
        lines += ["Methods and properties:", "", *members, ""]
    for arg in (init.args.args + init.args.kwonlyargs) if init else []:
        for model in props_models(arg.annotation, imports):
            lines += _model_table(model)
    return lines


def dataclass_section(cls: ast.ClassDef, source: str) -> list[str]:
    doc, described = split_args(ast.get_docstring(cls) or "")
    lines = ["", f"### `{cls.name}`", "", f"`{source}`", ""] + ([doc, ""] if doc else [])
    lines += ["| field | type | default | description |", "| --- | --- | --- | --- |"]
    for node in cls.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            default = f"`{ast.unparse(node.value)}`" if node.value is not None else "required"
            lines.append(f"| `{node.target.id}` | {escape('`' + ast.unparse(node.annotation) + '`')} | "
                         f"{escape(default)} | {escape(described.get(node.target.id, ''))} |")
    return lines + [""]


def _is_construct(cls: ast.ClassDef) -> bool:
    return any("Construct" in ast.unparse(base) for base in cls.bases)


def _is_dataclass(cls: ast.ClassDef) -> bool:
    return any("dataclass" in ast.unparse(d) for d in cls.decorator_list)


def render(root: Path) -> str:
    constructs, supporting = [], []
    for path in sorted((root / "modules").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        imports, source = _imports(tree), path.relative_to(root).as_posix()
        for node in tree.body:
            if not isinstance(node, ast.ClassDef) or node.name.startswith("_"):
                continue
            if _is_construct(node):
                constructs += construct_section(node, source, imports)
            elif _is_dataclass(node):
                supporting += dataclass_section(node, source)
    lines = [f"# {TITLE}", "",
             ("<!-- Generated by `make docs` (python -m docs.generate) from modules/*.py (read with ast) and the "
             "props models in vpn_schema/. Do not edit: change the docstrings and descriptions, and regenerate. -->"),
             "", ("The constructs in `modules/`, usable in any cdktf app. Props models are the same pydantic models "
             "an environment file is validated with ([environment file reference](environment-file.md))."), ""]
    lines += constructs
    if supporting:
        lines += ["", "## Supporting types", ""] + supporting
    return "\n".join(lines).rstrip() + "\n"
