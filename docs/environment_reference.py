"""docs/reference/environment-file.md, written from the pydantic models of vpn_schema.

Blocks are found the way the loader maps HCL to the models (stacks/config): a field whose type holds a model is a
block; a labeled block (`site "NAME"`) is a map of models keyed by label (LABELED_BLOCKS), a repeated block
(`tunnel`) a list of models (REPEATED_BLOCKS), any other model field a single block. A map of models that is not a
labeled block (`vpc.subnets`) is an HCL map of objects. cdktf-free: imports the schema and the config layer only.
"""

from __future__ import annotations

import inspect
import types
import typing
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from stacks.config.errors import LABELED_BLOCKS
from stacks.config.hcl_checks import REPEATED_BLOCKS
from stacks.config.loader import ENVIRONMENT_NAME
from vpn_schema.crypto_profiles import BUILTIN_PROFILES, CRYPTO_FIELDS
from vpn_schema.environment import Environment

TITLE = "Environment file reference"
GENERAL_RULES = f"""\
General rules (the loader's, stacks/config):

- The file name is the environment name: `{ENVIRONMENT_NAME.pattern}.hcl`.
- Unknown keys are errors, with a "did you mean" suggestion.
- Types are strict: `"30"` is not a number, and `1` is not `true`.
- Strings may not contain interpolation (`${{` or `%{{`), nor control characters; a bare word must be quoted.
- An attribute set twice in one block is an error (HCL forbids it; the parser would keep the last).
- A single block may appear at most once and takes no label. Labeled blocks need a unique label.
- Cross-field rules run only once the keys they compare are valid, so fixing one error can reveal another.
- Errors read `file: key: rule`, with keys as written in HCL (`site "berlin" tunnel[1].inside_cidr`); tunnels
  count from 1, as AWS's `tunnel1_*` and `tunnel2_*` arguments do.
"""


def escape(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def unwrap(annotation: Any) -> Any:
    """The annotation without Annotated metadata and without `| None`."""
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (Union, types.UnionType):
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(rest) == 1:
            return unwrap(rest[0])
    return annotation


def is_model(annotation: Any) -> bool:
    return inspect.isclass(annotation) and issubclass(annotation, BaseModel)


def hcl_type(annotation: Any) -> str:
    """The type as the environment file spells it: string, number, bool, list(...), map(...), a choice, block."""
    annotation = unwrap(annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Literal:
        return " \\| ".join(f'`"{a}"`' for a in args)
    if origin is list:
        return f"list({hcl_type(args[0])})"
    if origin is dict:
        return f"map({hcl_type(args[1])})"
    if is_model(annotation):
        return "block"
    return {str: "string", int: "number", bool: "bool"}.get(annotation, getattr(annotation, "__name__", str(annotation)))


def hcl_default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "none"
    if isinstance(value, BaseModel):
        return "defaults"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`'
    return f"`{value!r}`"


def block_kind(name: str, annotation: Any) -> tuple[str, type] | None:
    """("single" | "labeled" | "repeated" | "map", model) when the field is a block or a map of objects."""
    annotation = unwrap(annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if is_model(annotation):
        return "single", annotation
    if origin is dict and is_model(unwrap(args[1])):
        return ("labeled" if name in LABELED_BLOCKS else "map"), unwrap(args[1])
    if origin is list and is_model(unwrap(args[0])) and name in REPEATED_BLOCKS:
        return "repeated", unwrap(args[0])
    return None


def heading(name: str, kind: str) -> str:
    return {"labeled": f'`{name} "NAME"`', "map": f"`{name}` values"}.get(kind, f"`{name}`")


def docstring(model: type) -> str:
    return inspect.cleandoc(model.__doc__ or "")


def fields_table(model: type) -> list[str]:
    lines = ["| key | type | default | description |", "| --- | --- | --- | --- |"]
    for name, field in model.model_fields.items():
        kind = block_kind(name, field.annotation)
        key = f"`{name}`" if kind is None or kind[0] == "map" else heading(name, kind[0])
        if kind is None:
            shown = hcl_type(field.annotation)
        else:
            shown = {"map": "map(object)", "single": "block"}.get(kind[0], "block, repeatable")
        default = "none" if kind and kind[0] in ("labeled", "repeated") else hcl_default(field)
        lines.append(f"| {key} | {shown} | {default} | {escape(field.description or '')} |")
    return lines


def sections(model: type, path: str, level: int, seen: set[tuple[str, type]]) -> list[str]:
    """A heading, the model's docstring and its table, then a section for each nested block, depth first."""
    out: list[str] = []
    nested: dict[type, list[tuple[str, str]]] = {}
    for name, field in model.model_fields.items():
        kind = block_kind(name, field.annotation)
        if kind is not None:
            nested.setdefault(kind[1], []).append((name, kind[0]))
    for child, names in nested.items():
        title = " and ".join(heading(name, kind) for name, kind in names)
        where = f" (in `{path}`{', repeatable' if names[0][1] == 'repeated' else ''})" if path else ""
        out += ["", f"{'#' * level} {title}{where}", ""]
        if docstring(child):
            out += [docstring(child), ""]
        out += fields_table(child)
        inner = names[0][0] if not path else f"{path}.{names[0][0]}"
        if (inner, child) not in seen:
            seen.add((inner, child))
            out += sections(child, inner, min(level + 1, 4), seen)
    return out


def builtin_profiles() -> list[str]:
    """One row per setting, one column per built-in profile."""
    names = list(BUILTIN_PROFILES)
    lines = ["| setting | " + " | ".join(f"`{n}`" for n in names) + " |", "| --- |" + " --- |" * len(names)]
    for setting in CRYPTO_FIELDS:
        values = [getattr(BUILTIN_PROFILES[n], setting) for n in names]
        cells = [", ".join(map(str, v)) if isinstance(v, list) else str(v) for v in values]
        lines.append(f"| `{setting}` | " + " | ".join(cells) + " |")
    return lines


def render() -> str:
    lines = [f"# {TITLE}", "",
             ("<!-- Generated by `make docs` (python -m docs.generate) from the pydantic models in vpn_schema/. "
             "Do not edit: change the models' descriptions and regenerate. -->"), "",
             GENERAL_RULES.rstrip(), "", "## Top level", "", docstring(Environment), ""]
    lines += fields_table(Environment)
    lines += sections(Environment, "", 2, set())
    lines += ["", "## Built-in crypto profiles", "",
              "A site names one with `crypto_profile`; an environment file may add its own.", ""]
    lines += builtin_profiles()
    return "\n".join(lines) + "\n"
