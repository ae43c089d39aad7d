"""What HCL's grammar takes but an environment file must not hold, found on the parse tree.

python-hcl2's data loses the difference (a bare word reads as the string it spells, `1e29` as an
interpolation) or fails on it with a traceback (`tunnel = {...}` beside `tunnel {...}`), so these
checks run on the tree, before the tree becomes data. Each problem is one `key: rule` line.
"""

from __future__ import annotations

from typing import Any

from stacks.config.errors import display_key

REPEATED_BLOCKS = ("tunnel",)
LITERAL_WORDS = ("true", "false", "null")


def tree_problems(body: Any, loc: tuple = ()) -> list[str]:
    problems: list[str] = []
    _body_problems(body, loc, problems)
    return problems


def _kind(node: Any) -> str:
    return type(node).__name__


def _body_problems(body: Any, loc: tuple, problems: list[str]) -> None:
    """Attributes set twice (HCL forbids it; python-hcl2 keeps the last), a name used for both an attribute
    and a block, then each value and each nested block."""
    attributes: set[str] = set()
    blocks: set[str] = set()
    repeated: dict[str, int] = {}
    for child in body.children:
        if _kind(child) == "AttributeRule":
            name = child.children[0].serialize()
            if name in attributes:
                problems.append(f"{display_key(loc + (name,))}: set twice in one block; HCL allows it once")
            attributes.add(name)
            for expression in child.children[1:]:
                _value_problems(expression, loc + (name,), problems)
        elif _kind(child) == "BlockRule":
            name = child.children[0].serialize()
            blocks.add(name)
            labels = [c.serialize().strip('"') for c in child.children[1:] if _kind(c) == "StringRule"]
            inner = next((c for c in child.children if _kind(c) == "BodyRule"), None)
            if labels:
                here = loc + (name, labels[0])
            elif name in REPEATED_BLOCKS:
                here = loc + (name, repeated.get(name, 0))
                repeated[name] = repeated.get(name, 0) + 1
            else:
                here = loc + (name,)
            if inner is not None:
                _body_problems(inner, here, problems)
    for name in sorted(attributes & blocks):
        problems.append(f"{display_key(loc + (name,))}: written both as `{name} = ...` and as a {name} block; "
                        f"write each as a block: {name} {{ ... }}")


def _value_problems(node: Any, loc: tuple, problems: list[str]) -> None:
    kind = _kind(node)
    if kind in ("ObjectElemKeyRule", "StringRule"):  # a string's ${...} is refused as interpolation, later
        return
    if kind == "ExprTermRule":
        inner = [c for c in node.children if hasattr(c, "children")]
        if inner and _kind(inner[0]) == "IdentifierRule":
            word = inner[0].serialize()
            if word not in LITERAL_WORDS:
                problems.append(f'{display_key(loc)}: {word} is a bare word; write it in quotes ("{word}"): '
                                "environment files hold values, not references")
                return
    if kind == "FloatLitRule":
        text = str(node.serialize()).removeprefix("${").removesuffix("}")
        if "e" in text.lower():
            problems.append(f"{display_key(loc)}: {text}: write the number in digits, without an exponent")
        return
    if kind == "ObjectElemRule":
        key = str(node.children[0].serialize()).strip('"')
        for child in node.children[1:]:
            if hasattr(child, "children"):
                _value_problems(child, loc + (key,), problems)
        return
    for child in getattr(node, "children", None) or []:
        if hasattr(child, "children"):
            _value_problems(child, loc, problems)
