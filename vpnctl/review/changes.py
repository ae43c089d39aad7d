"""What a plan changes, read from `terraform show -json`, with secrets masked.

A sensitive value never leaves this module: comparisons use the real values,
but every rendering of a value marked sensitive (before or after) is
"(sensitive)".
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass

from vpnctl import gateway_moves
from vpnctl.review import force_new, impact
from vpnctl.review.names import name_for
from vpnctl.terraform import action_of

SENSITIVE = "(sensitive)"
UNKNOWN = "(known after apply)"
LONG = 60
ACTIONS = ("create", "update", "replace", "delete")
UNSET = frozenset({"", "null", "0", "false", "[]", "{}"})  # rendered values that mean "not set"


@dataclass(frozen=True)
class AttributeChange:
    path: str
    before: str
    after: str
    forces_replacement: bool = False


@dataclass(frozen=True)
class ResourceChange:
    address: str
    resource_type: str
    name: str
    action: str  # one of ACTIONS
    attributes: tuple[AttributeChange, ...] = ()
    consequences: tuple[str, ...] = ()
    replace_paths: tuple[str, ...] = ()  # as Terraform planned them
    fingerprint: str = ""  # of what the plan removes or replaces (its public `before`): binds an --allow-destroy
    requested: bool = False  # replaced because vpnctl asked (-replace), not forced by an attribute

    @property
    def forced_by(self) -> list[str]:
        return [change.path for change in self.attributes if change.forces_replacement]


def resource_changes(plan: dict, construct_paths: dict[str, str]) -> list[ResourceChange]:
    """Every managed resource the plan changes, in plan order, each with what it means for traffic
    (vpnctl/review/impact_rules.py)."""
    out = []
    for raw in plan.get("resource_changes", []):
        action = action_of(raw["change"]["actions"])
        if raw.get("mode") != "managed" or action is None:
            continue
        address, kind = raw["address"], raw["type"]
        change = raw["change"]
        requested = raw.get("action_reason") == "replace_by_request"  # -replace: no attribute is the cause
        attributes = _attribute_changes(change, kind, action, requested) if action in ("update", "replace") else []
        replace_paths = tuple(sorted(_path(p) for p in change.get("replace_paths") or []))
        out.append(ResourceChange(address, kind, name_for(address, construct_paths), action, tuple(attributes), (),
                                  replace_paths, _fingerprint(change), requested))
    findings = impact.assess(out, plan, construct_paths)
    return [dataclasses.replace(change, consequences=_consequences(change, findings)) for change in out]


def _consequences(change: ResourceChange, findings: list[impact.Finding]) -> tuple[str, ...]:
    words = [f.words for f in findings if f.address == change.address]
    if change.action == "replace" and not words:
        words.append("the resource is deleted and created again")
    if change.action == "replace" and change.requested and change.resource_type == gateway_moves.CONNECTION:
        words.append(gateway_moves.REASON)
    return tuple(dict.fromkeys(words))


def _fingerprint(change: dict) -> str:
    """A short digest of the object the plan starts from, its sensitive values left out: an allowance to
    remove it is bound to this object, not to whatever later takes its address."""
    public = _public(change.get("before"), change.get("before_sensitive"))
    return hashlib.sha256(json.dumps(public, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:12]


def _public(value, sensitive):
    if sensitive is True:
        return None
    if isinstance(value, dict):
        marks = sensitive if isinstance(sensitive, dict) else {}
        return {k: _public(v, marks.get(k)) for k, v in value.items()}
    if isinstance(value, list):
        marks = sensitive if isinstance(sensitive, list) else []
        return [_public(v, marks[i] if i < len(marks) else None) for i, v in enumerate(value)]
    return value


def _attribute_changes(change: dict, kind: str, action: str, requested: bool = False) -> list[AttributeChange]:
    """The attributes a reviewer needs: what the configuration changes, and for a replacement what forces it.

    In a replacement, Terraform plans the new object's computed attributes as unknown and
    its unset ones as null, and lists unknown force-new attributes in replace_paths too;
    none of those is a cause, so a forced attribute with a known new value is the cause,
    and the others are shown only when nothing else explains the replacement.
    """
    forced = {_path(p) for p in change.get("replace_paths") or []}
    entries = [
        (path, before, after)
        for path, before, after in attribute_diff(
            change.get("before"), change.get("after"),
            change.get("before_sensitive"), change.get("after_sensitive"), change.get("after_unknown"), "",
        )
        if not (after == "null" and before in UNSET)
    ]
    if action == "update":
        return [AttributeChange(path, before, after) for path, before, after in entries]
    if requested:  # replaced on request: what the configuration changes, no attribute as the cause
        return [AttributeChange(path, before, after) for path, before, after in entries if after != UNKNOWN]
    causes = {path for path, _, after in entries if _under(path, forced) and after != UNKNOWN}
    if not causes:
        causes = {path for path, _, _ in entries if _under(path, forced)} or {
            path for path, _, _ in entries if force_new.forces_replacement(kind, path)
        }
    return [
        AttributeChange(path, before, after, path in causes)
        for path, before, after in entries
        if after != UNKNOWN or path in causes
    ]


def _under(path: str, forced: set[str]) -> bool:
    """True if `path` is one of `forced` or inside one: replace_paths may name a whole block."""
    return any(path == p or path.startswith((p + ".", p + "[")) for p in forced)


def counts(changes: list[ResourceChange]) -> dict[str, int]:
    totals = dict.fromkeys(ACTIONS, 0)
    for change in changes:
        totals[change.action] += 1
    return totals


def _path(parts: list) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _join(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _sub(mask, key):
    if isinstance(mask, dict):
        return mask.get(key)
    if isinstance(mask, list) and isinstance(key, int) and key < len(mask):
        return mask[key]
    return mask if mask is True else None


def attribute_diff(before, after, before_sensitive, after_sensitive, after_unknown, path):
    """(path, before, after) for every leaf that differs, rendered and masked."""
    if after_unknown is True:
        return [(path, render(before, before_sensitive), UNKNOWN)]
    if before_sensitive is True or after_sensitive is True:
        return [] if before == after else [(path, SENSITIVE, SENSITIVE)]
    if isinstance(before, dict) and isinstance(after, dict):
        keys = sorted(set(before) | set(after))
        pairs = [(k, before.get(k), after.get(k)) for k in keys]
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after) and any(
        isinstance(item, (dict, list)) for item in before + after
    ):
        pairs = [(i, b, a) for i, (b, a) in enumerate(zip(before, after))]
    else:
        has_secret = _any_true(before_sensitive) or _any_true(after_sensitive)
        if before == after and not _any_true(after_unknown):
            return []
        if has_secret:
            return [(path, SENSITIVE, SENSITIVE)]
        return [(path, render(before, None), UNKNOWN if _any_true(after_unknown) else render(after, None))]
    out = []
    for key, b, a in pairs:
        out += attribute_diff(b, a, _sub(before_sensitive, key), _sub(after_sensitive, key), _sub(after_unknown, key),
                     _join(path, key))
    return out


def _any_true(mask) -> bool:
    if mask is True:
        return True
    if isinstance(mask, dict):
        return any(_any_true(v) for v in mask.values())
    if isinstance(mask, list):
        return any(_any_true(v) for v in mask)
    return False


def render(value, sensitive) -> str:
    """A value as a reviewer reads it: short values as JSON, long or multi-line ones summarized."""
    if _any_true(sensitive):
        return SENSITIVE
    if value is None:
        return "null"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    if text.lstrip().startswith("-----BEGIN CERTIFICATE-----"):
        return f"(certificate sha256:{hashlib.sha256(text.strip().encode()).hexdigest()[:12]})"
    if "\n" in text:
        return f"({text.count(chr(10)) + 1} lines)"
    if len(text) > LONG:
        return text[: LONG - 1] + "…"
    return text

