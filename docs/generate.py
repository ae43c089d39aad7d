"""Writes the generated references: `make docs`, or `python -m docs.generate [--check]`.

- docs/reference/environment-file.md: every block and key of an environment file, from vpn_schema's models.
- docs/reference/constructs.md: every public construct of modules/, read with `ast` (cdktf is never imported).
- docs/reference/impact-rules.md: the review's traffic-impact rules with their sources.

`--check` writes nothing and exits 1 when a file differs from what would be written (tests/test_reference_docs.py
runs the same comparison).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from docs import constructs_reference, environment_reference, impact_reference

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "reference"


def generated() -> dict[Path, str]:
    """Each generated file and the text it should hold."""
    texts = {
        REFERENCE / "environment-file.md": environment_reference.render(),
        REFERENCE / "constructs.md": constructs_reference.render(ROOT),
        REFERENCE / "impact-rules.md": impact_reference.render(),
    }
    return {path: re.sub(r"\n{3,}", "\n\n", text) for path, text in texts.items()}


def stale() -> list[Path]:
    return [path for path, text in generated().items()
            if not path.is_file() or path.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m docs.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated file is out of date")
    args = parser.parse_args(argv)
    if args.check:
        out_of_date = stale()
        for path in out_of_date:
            print(f"{path.relative_to(ROOT)}: out of date; run make docs", file=sys.stderr)
        return 1 if out_of_date else 0
    REFERENCE.mkdir(parents=True, exist_ok=True)
    for path, text in generated().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
