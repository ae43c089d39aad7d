"""`swanctl --list-sas --raw` output parsed: one vici message per line, as nested dicts and lists."""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r"\s*(?:(?P<close>[}\]])|(?P<section>[^\s={}\[\]]+)\s*\{|(?P<list>[^\s={}\[\]]+)=\[|"
    r"(?P<key>[^\s={}\[\]]+)=(?P<value>[^\s}\]]*)|(?P<item>[^\s}\]]+))"
)


def parse_raw(text: str) -> dict:
    """One vici message as `swanctl --raw` prints it: sections to dicts, lists to lists, values to strings."""
    root: dict = {}
    stack: list = [root]
    position = 1  # past the opening brace
    while position < len(text) and stack:
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            break
        position = match.end()
        current = stack[-1]
        if match["close"]:
            stack.pop()
        elif match["section"]:
            current[match["section"]] = {}
            stack.append(current[match["section"]])
        elif match["list"]:
            current[match["list"]] = []
            stack.append(current[match["list"]])
        elif match["key"]:
            current[match["key"]] = match["value"]
        elif match["item"] and isinstance(current, list):
            current.append(match["item"])
    return root
