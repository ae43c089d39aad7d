"""The review comment is the bot's word: a value from the config or the plan must show as itself and
never write the comment's own Markdown (bold, headings, links, images, HTML, table cells, code spans).

A review whose every free-text field holds backticks, pipes, HTML, emphasis, links, headings, line
breaks and terminal escapes is rendered, compared with a golden file, and parsed with a CommonMark
parser (markdown-it-py, which rich brings): its HTML has exactly the elements of the same review
with plain values, and every value shows whole, in a code element or as one run of literal text.

Golden file: `UPDATE_GOLDEN=1 pytest tests/test_review_escaping.py` rewrites it; review the diff.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from vpnctl.policy.scan import Finding, PolicyReport
from vpnctl.review import render, synthesized_diff
from vpnctl.review.changes import AttributeChange, ResourceChange
from vpnctl.review.markdown_text import code, printable, text
from vpnctl.review.report import EnvironmentReview

GOLDEN = Path(__file__).parent / "golden" / "review" / "hostile.md"

# Everything a pull request could try, in one value. It ends with a backtick (the code span must be
# padded) and holds no backslash right before a pipe (the one value a table cell shows as text: see
# test_a_table_cell_never_splits).
BODY = (
    "``x` **no change** `` ``` | a || b | <script>alert(1)</script> <img src=x onerror=alert(1)> "
    "_em_ ~~gone~~ $x$ [link](http://x) ![img](http://x/i.png) <http://x> http://x.io www.x.io a@x.io "
    "&lt;b&gt; \\` \\* \x1b[31mred\u202e\n# heading\n- item\n> quote\n| t | t |\n---\r\n1. end`"
)
# How each field's value starts: each would open a block at the start of a line or a list item.
LEADS = ["# ", "- ", "1. ", "> ", "+ ", "    ", "`", "**", "<b>", "=", "* ", "[x]: "]
CODE_FIELDS = ("address", "path", "before", "after", "refused", "refused_destroy", "finding_resource")
TEXT_FIELDS = ("name", "consequence", "error", "check_id", "check_name", "skipped", "policy_error")
FIELDS = (*CODE_FIELDS, *TEXT_FIELDS, "environment")  # an environment's name is the file's: in a heading


def hostile(field: str) -> str:
    return f"{LEADS[FIELDS.index(field) % len(LEADS)]}{field} {BODY}"


def plain(field: str) -> str:
    return field.replace("_", "")


def reviews(value) -> list[EnvironmentReview]:
    """Two environments: one with changes of every kind, refusals, an error and a failed check;
    one whose policy pack failed to run. `value(field)` gives each free-text field."""
    replaced = ResourceChange(
        value("address") + " replaced", "aws_vpn_connection", value("name") + " replaced", "replace",
        (AttributeChange(value("path"), value("before"), value("after"), True),), (value("consequence"),),
    )
    updated = ResourceChange(
        value("address") + " updated", "aws_vpn_connection", value("name") + " updated", "update",
        (AttributeChange(value("path"), value("before"), value("after")),), (value("consequence"),),
    )
    created = ResourceChange(value("address") + " created", "aws_vpn_connection", value("name") + " created", "create")
    deleted = ResourceChange(
        value("address") + " deleted", "aws_vpn_connection", value("name") + " deleted", "delete",
        consequences=(value("consequence"),),
    )
    policy = PolicyReport(
        passed=1,
        failed=(Finding(value("check_id"), value("check_name"), value("finding_resource"), "cdk.tf.json"),),
        skipped=(value("skipped"), value("skipped") + " again"),
    )
    first = EnvironmentReview(
        "prod", [replaced, updated, created, deleted],
        refused=[replaced.address, value("refused")], refused_destroys=[value("refused_destroy")],
        policy=policy, error=value("error"),
    )
    second = EnvironmentReview(value("environment"), [updated], policy_error=value("policy_error"))
    return [first, second]


def shown_in_code(value: str) -> str:
    """What a code span must show: line breaks as ⏎, the other control characters escaped."""
    shown = re.sub(r"\r\n|\r|\n", "⏎", value).replace("\t", "\\t")
    return shown.replace("\x1b", "\\x1b").replace("\u202e", "\\u202e")


def shown_as_text(value: str) -> str:
    """What plain text must show: line breaks as spaces, control characters escaped, no outer spaces."""
    shown = re.sub(r"\r\n|\r|\n|\t", " ", value)
    return shown.replace("\x1b", "\\x1b").replace("\u202e", "\\u202e").strip()


class Html(HTMLParser):
    """The elements of an HTML document, and its text as runs between tags (in or out of <code>)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.code: list[str] = []
        self.runs: list[str] = []
        self._in_code = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        self._in_code = tag == "code"
        self.runs.append("")
        if self._in_code:
            self.code.append("")

    def handle_endtag(self, tag):
        self._in_code = False
        self.runs.append("")

    def handle_data(self, data):
        self.runs[-1:] = [(self.runs[-1] if self.runs else "") + data]
        if self._in_code:
            self.code[-1] += data


def parser(*, escapes_apart: bool = False) -> MarkdownIt:
    """CommonMark with GitHub's tables and strikethrough. `escapes_apart`: a backslash escape stays a token
    of its own instead of joining the text around it, so a test sees each run of text an autolinker would
    read whole (for parsing only: the HTML renderer has no rule for such tokens)."""
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    return md.disable("text_join") if escapes_apart else md


def assert_inert(markdown: str, twin: str, code_values: list[str], text_values: list[str]) -> None:
    """`markdown` (with hostile values) has exactly the HTML elements of `twin` (plain values), and
    each value shows whole: in a code element, or as one run of text."""
    html, twin_html = parser().render(markdown), parser().render(twin)
    for tag in ("<script", "<img", "<a ", "<h1>", "<h5>", "<h6>", "<em>", "<s>", "<hr", "<input"):
        assert tag not in html
    found, expected = Html(html), Html(twin_html)
    assert found.tags == expected.tags, f"added: {found.tags - expected.tags}, lost: {expected.tags - found.tags}"
    assert found.tags["strong"] == expected.tags["strong"]
    for value in code_values:
        assert any(shown_in_code(value) in shown for shown in found.code), value
    for value in text_values:
        assert any(shown_as_text(value) in run for run in found.runs), value
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]", markdown)


def test_a_hostile_review_renders_its_golden_markdown():
    markdown = render.markdown(reviews(hostile))
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(markdown)
    assert markdown == GOLDEN.read_text()


def test_no_value_of_a_hostile_review_escapes_its_span():
    assert_inert(
        render.markdown(reviews(hostile)), render.markdown(reviews(plain)),
        [hostile(f) for f in CODE_FIELDS] + [hostile("address") + " replaced"],
        [hostile(f) for f in TEXT_FIELDS] + [hostile("refused")],  # a refused address with no change is named by itself
    )
    # The heading's summary line is the terminal's too: there a line break in the name shows as \n.
    assert any(run.startswith(printable(hostile("environment")) + ": 0 to add, 1 to change")
               for run in Html(parser().render(render.markdown(reviews(hostile)))).runs)


def test_no_text_could_become_an_autolink():
    """GitHub links a bare http://…, www.… or a@b.c in text (GFM's autolink extension): an escape splits them."""
    tokens = parser(escapes_apart=True).parse(render.markdown(reviews(hostile)))
    texts = [child.content for token in tokens if token.type == "inline" for child in token.children
             if child.type == "text"]
    assert texts
    for content in texts:
        assert "://" not in content and "www." not in content.lower() and "@" not in content, content


def test_the_suggested_deploy_command_quotes_each_address_for_the_shell():
    markdown = render.markdown(reviews(hostile))
    (line,) = [line for line in markdown.splitlines() if "--allow-destroy" in line]
    shown = Html(parser().render(line)).code
    assert shown == [shown_in_code("vpnctl deploy prod --allow-destroy '"
                                   + hostile("refused_destroy").replace("'", "'\"'\"'") + "'")]


def test_the_terminal_view_shows_control_characters_escaped():
    terminal = render.terminal(reviews(hostile))
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]", terminal)
    assert terminal.count("\n") == render.terminal(reviews(plain)).count("\n")  # no line of a value's own
    assert "\\x1b[31mred\\u202e\\n# heading" in terminal


def test_the_offline_diff_shows_hostile_values_inert():
    def diffs(value):
        attribute = AttributeChange(value("path"), value("before"), value("after"), True)
        return [
            synthesized_diff.ResourceDiff(value("address"), value("name"), "changed", [attribute]),
            synthesized_diff.ResourceDiff(value("address") + " new", value("name") + " new", "added"),
        ]

    assert_inert(
        synthesized_diff.render(hostile("name"), diffs(hostile)), synthesized_diff.render("name", diffs(plain)),
        [hostile(f) for f in ("address", "path", "before", "after")], [hostile("name")],
    )


# code() and text() one value at a time: each shows exactly the value, in every place it lands.
SAMPLES = [
    "`", "``", "a`b", "a``b`c", "` a `", "`a", "a`", " a", "a ", " ", "", "a\nb", "a\r\nb", "\\", "a\\", "\\`",
    "x|y", "a\\|b", "|", "**b**", "_e_", "<b>", "<!-- c -->", "&amp;", "&#124;", "# h", "- l", "1. o", "1) o",
    "> q", "[l](u)", "![i](u)", "[x]: http://ref", "~~s~~", "$m$", "http://x.io", "www.x.io", "a@b.io",
    "\x1b[31m", "\u202eevil", "    indented", "\tx", "***", "---", "===", "a_b", "snake_case_name", "| t |",
    "\\*", "+ p", "* p", "<http://x>", "x  ", "tunnel1_inside_cidr", "site berlin-hq: VPN connection",
    "a #", "issue #12", "a ##",
]


def shown_text_of(markdown: str) -> str:
    return "".join(Html(parser().render(markdown)).runs).strip("\n")


@pytest.mark.parametrize("value", SAMPLES)
def test_a_code_span_shows_exactly_its_value(value):
    html = Html(parser().render(f"x {code(value)} y"))
    assert html.tags == Counter({"p": 1, "code": 1}), code(value)
    expected = shown_in_code(value) or " "  # CommonMark has no empty code span
    assert html.code == [expected]


@pytest.mark.parametrize("value", SAMPLES)
def test_a_table_cell_never_splits(value):
    row = f"| {code(value, table=True)} | {text(value) or 'x'} |"
    html = Html(parser().render("| a | b |\n| --- | --- |\n" + row))
    assert html.tags["td"] == 2 and set(html.tags) <= {"table", "thead", "tbody", "tr", "th", "td", "code"}
    if "\\|" in value:  # parsers disagree on `\` before an escaped pipe: shown as text
        assert "code" not in html.tags and shown_as_text(value) in html.runs
    else:
        assert html.code == [shown_in_code(value) or " "]


@pytest.mark.parametrize("value", [v for v in SAMPLES if v.strip()])
@pytest.mark.parametrize("context", ["{}", "- {}", "### {}", "> - {}", "- **{}** `x`", "1. {}"])
def test_text_shows_exactly_its_value_wherever_it_lands(value, context):
    markdown = context.format(text(value))
    bare = Html(parser().render(context.format("word")))
    html = Html(parser().render(markdown))
    assert html.tags == bare.tags, markdown
    assert shown_as_text(value) in html.runs, markdown


def test_code_fences_are_longer_than_any_backtick_run_and_padded_at_a_backtick():
    assert code("a") == "`a`"
    assert code("a`b") == "``a`b``"
    assert code("``x``") == "``` ``x`` ```"
    assert code("`") == "`` ` ``"
    assert code(" a ") == "`  a  `"  # CommonMark strips one space of each side
    assert code("") == "` `"
    assert code("a\nb\r\nc\rd") == "`a⏎b⏎c⏎d`"
    assert code("\x1b[2J") == "`\\x1b[2J`"
    assert code("x|y", table=True) == "`x\\|y`"
    assert code("a\\|b", table=True) == text("a\\|b")


def test_text_escapes_what_could_open_markdown_and_leaves_the_rest_readable():
    assert text("**no change**") == "\\*\\*no change\\*\\*"
    assert text("<script>") == "&lt;script&gt;"
    assert text("a & b") == "a &amp; b"
    assert text("[l](http://x)") == "\\[l\\](http\\://x)"
    assert text("# h") == "\\# h"
    assert text("- l") == "\\- l"
    assert text("12. o") == "12\\. o"
    assert text("a | b") == "a \\| b"
    assert text("line\nbreak\r\n") == "line break"
    assert text("www.x.io a@b.io") == "www\\.x.io a\\@b.io"
    # What the review says every day stays as it was.
    assert text("site berlin-hq: VPN connection") == "site berlin-hq: VPN connection"
    assert text("alarm tunnel1_down") == "alarm tunnel1_down"
    assert text("new tunnel outside IPs: the on-premises device must be reconfigured, and both tunnels stay down "
                "until it is (ModifyVpnTunnelOptions)") == (
        "new tunnel outside IPs: the on-premises device must be reconfigured, and both tunnels stay down "
        "until it is (ModifyVpnTunnelOptions)")


def test_printable_escapes_every_control_character_and_nothing_else():
    assert printable("a\x1b[31mb\x07\x00\x7f\x9b") == "a\\x1b[31mb\\x07\\x00\\x7f\\x9b"
    assert printable("one\ntwo\r\tthree") == "one\\ntwo\\r\\tthree"
    assert printable("\u202eevil\u2066") == "\\u202eevil\\u2066"
    assert printable("site berlin-hq → ä ✅ 169.254.10.0/30") == "site berlin-hq → ä ✅ 169.254.10.0/30"
