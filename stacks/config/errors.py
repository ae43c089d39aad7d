"""Turns pydantic errors into one `file: key: rule` line each.

Keys read as the user wrote them in HCL: `site "berlin-office" tunnel[1].inside_cidr`.
Tunnels count from 1, as AWS's `tunnel1_*` / `tunnel2_*` arguments do.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

from pydantic import ValidationError

LABELED_BLOCKS = ("site", "crypto_profile", "client_vpn", "authorization", "route", "shard")
ONE_BASED_LISTS = ("tunnel",)
_SEGMENT = r'[A-Za-z_][\w-]*(?: "[^"]*")?(?:\[\d+\])?'
_KEY_PREFIX = re.compile(rf'^({_SEGMENT}(?:(?:\.|(?<=") ){_SEGMENT})*): (.+)$', re.DOTALL)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_TYPE_NAMES = {
    "string_type": "a string",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a map",
    "model_type": "a block",
    "model_attributes_type": "a block",
}


class ConfigError(Exception):
    """Every problem found in one or more environment files, one line each: a control character from the
    file (a label, a value) is shown escaped, so it can't garble the message or the terminal."""

    def __init__(self, lines: list[str]):
        lines = [_CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), line) for line in lines]
        super().__init__("\n".join(lines))
        self.lines = lines


def display_key(loc: tuple[Any, ...]) -> str:
    """("site", "x", "tunnel", 0, "inside_cidr") -> 'site "x" tunnel[1].inside_cidr'."""
    out = ""
    parts = list(loc)
    i = 0
    while i < len(parts):
        part = parts[i]
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in LABELED_BLOCKS and i + 1 < len(parts) and isinstance(parts[i + 1], str):
            out += (" " if out else "") + f'{part} "{parts[i + 1]}"'
            i += 1
        elif part in ONE_BASED_LISTS and i + 1 < len(parts) and isinstance(parts[i + 1], int):
            out += _join(out, f"{part}[{parts[i + 1] + 1}]")
            i += 1
        else:
            out += _join(out, str(part))
        i += 1
    return out


def _join(prefix: str, key: str) -> str:
    if not prefix:
        return key
    return (" " if prefix.endswith('"') else ".") + key


def join_key(key: str, message: str) -> tuple[str, str]:
    """Moves leading `field: ` parts of a message into the key."""
    while True:
        match = _KEY_PREFIX.match(message)
        if not match:
            return key, message
        key += _join(key, match.group(1)) if key else match.group(1)
        message = match.group(2)


def _shown(value: Any) -> str:
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _message(error: dict[str, Any], model: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return _unknown_key(str(error["loc"][-1]), model)
    if kind == "missing":
        return "required key is missing"
    if kind in _TYPE_NAMES:
        return f"must be {_TYPE_NAMES[kind]}, got {_shown(error['input'])}"
    if kind == "literal_error":
        return f"must be {error['ctx']['expected'].replace(chr(39), chr(34))}, got {_shown(error['input'])}"
    return error["msg"].removeprefix("Value error, ")


def _unknown_key(key: str, model: Any) -> str:
    """A key the model retired says what replaced it; any other gets a "did you mean"."""
    retired = getattr(model, "RETIRED_KEYS", {})
    if key in retired:
        return retired[key]
    known = list(getattr(model, "model_fields", None) or [])
    guess = difflib.get_close_matches(key, known, n=1)
    return "unknown key" + (f' (did you mean "{guess[0]}"?)' if guess else "")


def _model_at(model: type, loc: tuple[Any, ...]) -> Any:
    """The model a location's last key lives in (None when unknown)."""
    current: Any = model
    for part in loc[:-1]:
        fields = getattr(current, "model_fields", None)
        if fields is None:
            continue
        if isinstance(part, str) and part in fields:
            annotation = fields[part].annotation
            current = _inner_model(annotation)
    return current


def _inner_model(annotation: Any) -> Any:
    args = getattr(annotation, "__args__", ())
    for candidate in (annotation, *args):
        if hasattr(candidate, "model_fields"):
            return candidate
        inner = getattr(candidate, "__args__", ())
        for arg in inner:
            if hasattr(arg, "model_fields"):
                return arg
    return None


def format_validation_error(source: str, exc: ValidationError, model: type) -> list[str]:
    lines = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        message = _message(error, _model_at(model, loc))
        base = display_key(loc)
        for part in message.split("\n"):
            key, text = join_key(base, part)
            lines.append(f"{source}: {key}: {text}" if key else f"{source}: {text}")
    return lines
