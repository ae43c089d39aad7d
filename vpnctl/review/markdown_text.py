"""Values from a config or a plan, made inert for where they are shown.

The review's Markdown goes into a pull-request comment that the bot signs, and
every value in it (a resource name, an address, an attribute and its values,
Terraform's error, a policy finding) may come from the pull request itself. A
value must stay a value: it must not close its code span, open emphasis, a
link, an image, raw HTML, a heading or a list, or add a table cell.

- `code(value)`: a CommonMark code span holding exactly the value (a line break
  shows as ⏎, other control characters as `\\x1b`).
- `text(value)`: the value as plain inline text, every character that could
  start a construct escaped, line breaks turned into spaces.
- `printable(value)`: for a terminal, control characters shown as `\\x1b`, so a
  value can't move the cursor, colour the screen or start a line of its own.

Escaping can't reach what GitHub does to the rendered text afterwards:
`@name` mentions, `#123` references and `:emoji:` codes in plain text. Values
that carry such text belong in code spans.
"""

from __future__ import annotations

import re

NEWLINE = "⏎"

# C0 controls, DEL, C1 controls, and the Unicode controls that reorder or separate text (bidi overrides,
# isolates and marks; line and paragraph separators): each can make a value look like something else.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

# Characters that start or delimit an inline construct anywhere in a line (CommonMark, and GitHub's
# strikethrough, tables, math and e-mail autolinks), and `#`, which opens a heading at the start of a line
# and closes one at its end. `<`, `>` and `&` become entities, so no tag, quote or entity can open.
_INLINE = frozenset("\\`*_[]~|$@#")
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
# What else opens a block when it starts a line or a list item's text: a list, a setext underline.
_BLOCK_START = re.compile(r"[+\-=]|\d{1,9}(?=[.)])")
# GitHub's extended autolinks: "scheme://" and "www." link even without <...>; an escape splits them.
_AUTOLINK = re.compile(r"(?<=[A-Za-z0-9]):(?=//)|(?<![A-Za-z0-9])(?i:www)\.")


def _escape_control(char: str) -> str:
    number = ord(char)
    return _NAMED.get(char) or (f"\\x{number:02x}" if number < 0x100 else f"\\u{number:04x}")


def printable(value: object) -> str:
    """`value` for a terminal: every control character shown as an escape (`\\n`, `\\x1b`, `\\u202e`)."""
    return _CONTROLS.sub(lambda m: _escape_control(m.group()), str(value))


def code(value: object, *, table: bool = False) -> str:
    """A code span showing exactly `value`.

    The fence is one backtick longer than the longest run of backticks in the value, and the
    value is padded with a space when it starts or ends with a backtick or a space (CommonMark
    strips one space from each side). `table=True` for a GitHub table cell: a pipe there ends the
    cell even inside a code span, unless escaped as `\\|`. Parsers disagree on a backslash
    written before that escape, so a value holding `\\|` is shown as escaped text instead.
    """
    value = _CONTROLS.sub(lambda m: _escape_control(m.group()), _LINE_BREAK.sub(NEWLINE, str(value)))
    if table:
        if "\\|" in value:
            return text(value)
        value = value.replace("|", "\\|")
    if not value:
        return "` `"  # CommonMark has no empty code span; a lone space is kept as it is
    fence = "`" * (max((len(run) for run in re.findall(r"`+", value)), default=0) + 1)
    if value.strip(" ") and (value[0] in "` " or value[-1] in "` "):
        value = f" {value} "
    return f"{fence}{value}{fence}"


def text(value: object) -> str:
    """`value` as plain inline Markdown that shows as itself, on one line, in a paragraph, a heading,
    a list item or a table cell. Leading and trailing whitespace goes (HTML shows none of it)."""
    value = _LINE_BREAK.sub(" ", str(value))
    value = _CONTROLS.sub(lambda m: " " if m.group() == "\t" else _escape_control(m.group()), value).strip()
    out = []
    for i, char in enumerate(value):
        if char in _ENTITIES:
            out.append(_ENTITIES[char])
        elif char == "_" and 0 < i < len(value) - 1 and value[i - 1].isalnum() and value[i + 1].isalnum():
            out.append(char)  # snake_case: an underscore inside a word can neither open nor close emphasis
        elif char in _INLINE:
            out.append("\\" + char)
        else:
            out.append(char)
    escaped = "".join(out)
    escaped = _AUTOLINK.sub(lambda m: "\\" + m.group() if m.group() == ":" else m.group()[:-1] + "\\.", escaped)
    start = _BLOCK_START.match(escaped)
    if start:
        end = start.end()
        escaped = escaped[:end] + "\\" + escaped[end:] if start.group()[0].isdigit() else "\\" + escaped
    return escaped
