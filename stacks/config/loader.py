"""Reads `environments/*.hcl` into validated `Environment` models.

python-hcl2 gives blocks as lists; this turns labeled blocks (`site "x" {}`)
into maps keyed by label, single blocks into maps, and keeps `tunnel` blocks as
a list, reporting duplicates and interpolations on the way. Every problem of
every file is collected, so one run shows them all.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2
from hcl2 import SerializationOptions
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from pydantic import ValidationError

from stacks.config.errors import LABELED_BLOCKS, ConfigError, display_key, format_validation_error
from stacks.config.guard_manifest import removal_problems
from stacks.config.hcl_checks import REPEATED_BLOCKS, tree_problems
from vpn_schema.environment import PRODUCTION, TIERS, Environment, state_key
from vpn_schema.naming import stack_names

ENVIRONMENT_NAME = re.compile(r"[a-z][a-z0-9-]{0,30}")  # and every stack name (a shard's: `<env>-<shard>`)
STACK_NAME_LENGTH = 31
# A name that says production: prod, prod-eu, eu-prod, production, eu-production-2; not product-demo.
PRODUCTION_NAME = re.compile(r"(^|-)prod(uction)?(-|$)")
# C0 and C1 controls and DEL: they garble messages and terminals, and no AWS name or tag takes them.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Terraform's AWS provider reads whole numbers as Go's int64.
INT64 = (-(2**63), 2**63 - 1)
_OPTIONS = SerializationOptions(strip_string_quotes=True, explicit_blocks=True, with_comments=False)


@dataclass(frozen=True)
class LoadedEnvironment:
    name: str
    source: str
    config: Environment


def display_path(path: Path) -> str:
    """The path as a user would type it: relative to the working directory when below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


def load_environment(path: Path) -> LoadedEnvironment:
    """One file, validated; raises ConfigError with every problem found."""
    source = display_path(path)
    name = path.stem
    if not ENVIRONMENT_NAME.fullmatch(name):
        raise ConfigError([f"{source}: the file name must be the environment name: lowercase letters, digits, '-'"])
    if path.exists() and not path.is_file():  # a FIFO would block the read, a device never end it
        raise ConfigError([f"{source}: not a regular file; an environment file is plain text"])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{source}: cannot read: {exc}"]) from None
    try:
        tree = hcl2.parses(text)
    except (LarkError, ValueError) as exc:
        raise ConfigError([f"{source}: {_parse_error(exc)}"]) from None
    problems = tree_problems(tree.body)
    if problems:  # python-hcl2 would fail on some of these, or read them as something else
        raise ConfigError([f"{source}: {p}" for p in problems])
    try:
        raw = hcl2.serialize(tree, serialization_options=_OPTIONS)
    except (LarkError, ValueError, RuntimeError) as exc:
        raise ConfigError([f"{source}: {_parse_error(exc)}"]) from None
    data = _normalize(raw, (), problems)
    if problems:
        raise ConfigError([f"{source}: {p}" for p in problems])
    lines = [f"{source}: {p}" for p in _tier_problems(name, data)]
    try:
        config = Environment.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(source, exc, Environment) + lines) from None
    lines += removal_problems(source, path, config)
    lines += [f"{source}: {line}" for line in _stack_name_problems(name, config)]
    if lines:
        raise ConfigError(lines)
    return LoadedEnvironment(name=name, source=source, config=config)


def _tier_problems(name: str, data: dict[str, Any]) -> list[str]:
    """A file whose name says prod must say it is production, so a rename can't quietly drop production's safeguards.

    The rule lives here, where the name is known, so the schema knows no file names. A tier the schema
    refuses anyway (a typo) is left to the schema's own message.
    """
    if not PRODUCTION_NAME.search(name):
        return []
    tier = data.get("tier", Environment.model_fields["tier"].default)
    if tier == PRODUCTION or tier not in TIERS:
        return []
    return [
        f'tier: an environment whose name says prod must set tier = "{PRODUCTION}" '
        f"(prevent_destroy, the strict policy, two availability zones per endpoint); got \"{tier}\""
        + (" by default" if "tier" not in data else "")
    ]


def environment_files(directory: Path, names: list[str] | None = None) -> list[Path]:
    """The files for `names`, or all of them, in name order; ConfigError for a missing one."""
    if not directory.is_dir():
        raise ConfigError([f"{display_path(directory)}: no such environments directory"])
    if names:
        paths = [directory / f"{n}.hcl" for n in names]
        missing = [f"{display_path(p)}: no such environment file" for p in paths if not p.exists()]
        if missing:
            raise ConfigError(missing)
        return paths
    paths = sorted(directory.glob("*.hcl"))
    if not paths:
        raise ConfigError([f"{display_path(directory)}: no *.hcl environment files"])
    return paths


def load_environments(directory: Path, names: list[str] | None = None) -> list[LoadedEnvironment]:
    """All (or the named) environments, or ConfigError listing the problems of every file."""
    loaded, lines = [], []
    for path in environment_files(directory, names):
        try:
            loaded.append(load_environment(path))
        except ConfigError as exc:
            lines.extend(exc.lines)
    lines += _shared_vpc_problems(loaded)
    lines += _stack_clash_problems(directory, loaded)
    if lines:
        raise ConfigError(lines)
    return loaded


def _stack_name_problems(name: str, config) -> list[str]:
    """A shard's stack name (`<env>-<shard>`) follows the environment name rule, as the base's does: it names a
    folder, a state key and a `cdktf deploy` argument beside the environments' own."""
    return [f'shard "{shard}": its stack name {stack} is {len(stack)} characters; a stack name is at most '
            f"{STACK_NAME_LENGTH}, as an environment's file name is"
            for shard, stack in zip(config.shard, stack_names(name, config)[1:], strict=True)
            if not ENVIRONMENT_NAME.fullmatch(stack)]


def _stack_clash_problems(directory: Path, loaded: list[LoadedEnvironment]) -> list[str]:
    """A shard's stack named like another environment file (`prod` shard `eu` and `prod-eu.hcl`), or like
    another environment's shard stack: the two would share a synthesized folder, a `cdktf deploy` name and,
    in one bucket, a state."""
    files = {path.stem: display_path(path) for path in directory.glob("*.hcl")}
    lines, owners = [], {}
    for env in loaded:
        for shard, stack in zip(env.config.shard, stack_names(env.name, env.config)[1:], strict=True):
            where = f'{env.source}: shard "{shard}"'
            if stack in files:
                lines.append(f"{where}: its stack name {stack} is the environment {files[stack]}; both would be "
                             f"cdktf.out/stacks/{stack} and {state_key(stack)}: rename the shard")
            elif stack in owners:
                lines.append(f"{where}: its stack name {stack} is also a shard stack of {owners[stack]}: rename the "
                             "shard")
            owners.setdefault(stack, env.source)
    return lines


def _shared_vpc_problems(loaded: list[LoadedEnvironment]) -> list[str]:
    """A VPC takes one virtual private gateway: two environments that each attach theirs to the same VPC
    (same account and region) can't both apply; AWS refuses the second with InvalidVpcState."""
    lines, owners = [], {}
    for env in loaded:
        config = env.config
        if config.vpc is None or all(site.transit_gateway for site in config.site.values()):
            continue
        key = (config.account_id, config.region, config.vpc.id)
        if key in owners:
            lines.append(f"{env.source}: vpc.id: {config.vpc.id} gets the virtual private gateway of "
                         f"{owners[key]} too; a VPC takes one (AWS refuses the second: InvalidVpcState)")
        owners.setdefault(key, env.source)
    return lines


def _parse_error(exc: Exception) -> str:
    if isinstance(exc, UnexpectedEOF):
        return "malformed HCL: unexpected end of file"
    if isinstance(exc, UnexpectedInput):
        where = f"line {exc.line}, column {exc.column}"
        if isinstance(exc, UnexpectedToken):
            token = exc.token
            seen = "end of file" if token.type == "$END" else repr(str(token).strip() or token.type)
            return f"{where}: malformed HCL: unexpected {seen}"
        if isinstance(exc, UnexpectedCharacters):
            return f"{where}: malformed HCL: unexpected character {exc.char!r}"
        return f"{where}: malformed HCL"
    return f"malformed HCL: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"


def _is_block(value: Any) -> bool:
    return isinstance(value, dict) and value.get("__is_block__") is True


def _normalize(value: Any, loc: tuple, problems: list[str]) -> Any:
    """Blocks to maps/lists, rejecting interpolation; see the module docstring."""
    if isinstance(value, str):
        if "${" in value or "%{" in value:
            problems.append(f"{display_key(loc)}: interpolation is not allowed in environment files")
        elif CONTROL.search(value):
            problems.append(f"{display_key(loc)}: holds a control character ({_control(value)}); write printable "
                            "text")
        return value
    if isinstance(value, int) and not isinstance(value, bool) and not INT64[0] <= value <= INT64[1]:
        problems.append(f"{display_key(loc)}: {value} is beyond the whole numbers Terraform's AWS provider takes "
                        f"({INT64[0]} to {INT64[1]})")
        return value
    if isinstance(value, list):
        return [_normalize(v, loc + (i,), problems) for i, v in enumerate(value)]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key == "__is_block__":
            continue
        here = loc + (key,)
        if CONTROL.search(key):
            problems.append(f"{display_key(here)}: the key holds a control character ({_control(key)}); write "
                            "printable text")
            continue
        if isinstance(item, list) and item and all(isinstance(b, dict) for b in item) and _blocks(item):
            out[key] = _blocks_to_data(key, item, here, problems)
        else:
            out[key] = _normalize(item, here, problems)
    return out


def _control(text: str) -> str:
    return ", ".join(sorted({f"U+{ord(c):04X}" for c in CONTROL.findall(text)}))


def _blocks(items: list[dict]) -> bool:
    return all(_is_block(b) or (len(b) == 1 and _is_block(next(iter(b.values())))) for b in items)


def _blocks_to_data(key: str, items: list[dict], loc: tuple, problems: list[str]) -> Any:
    if key in LABELED_BLOCKS:
        labeled: dict[str, Any] = {}
        for block in items:
            if _is_block(block):
                problems.append(f'{display_key(loc)}: a {key} block needs a name: {key} "NAME" {{ ... }}')
                continue
            (label, body), = block.items()
            if label in labeled:
                problems.append(f'{display_key(loc + (label,))}: duplicate {key} name "{label}"')
                continue
            labeled[label] = _normalize(body, loc + (label,), problems)
        return labeled
    if any(not _is_block(b) for b in items):
        problems.append(f"{display_key(loc)}: a {key} block takes no label")
        return {}
    if key in REPEATED_BLOCKS:
        return [_normalize(b, loc + (i,), problems) for i, b in enumerate(items)]
    if len(items) > 1:
        problems.append(f"{display_key(loc)}: only one {key} block is allowed, got {len(items)}")
    return _normalize(items[0], loc, problems)
