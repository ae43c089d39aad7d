"""What a change does to a synthesized stack, JSON against JSON (`vpnctl diff`): resources added, removed
and changed, by address, and the environment's monthly cost on each side (vpnctl/cost). Changed attributes that the force-new table lists are marked: those replace the
resource on apply. Values from the configs are escaped for the Markdown they land in (markdown_text).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vpnctl.cost import words as cost_words
from vpnctl.cost.estimate import CostChange
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


def render(environment: str, diffs: list[ResourceDiff], cost: CostChange | None = None) -> str:
    """One environment's section: the counts, the monthly cost before and after (vpnctl/cost), each resource."""
    added, removed = sum(d.kind == "added" for d in diffs), sum(d.kind == "removed" for d in diffs)
    changed = [d for d in diffs if d.kind == "changed"]
    replaced = sum(d.replaces for d in changed)
    lines = [(f"### {text(environment)}: {added} added, {removed} removed, {len(changed)} changed "
             f"({replaced} replaced on apply)"), ""]
    if cost is not None:
        lines += cost_words.markdown_lines(cost)
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
