"""No config that validation accepts fails synth, and no input gets a traceback: 330 seeded mutations of the
shipped environment files, each either refused with `file: key: rule` lines (ConfigError) or synthesized.

The mutations are what a hurried edit or a fuzzer makes: a value replaced by a boundary value from a pool
(numbers at AWS's and Terraform's limits, odd strings, CIDRs, names that fold together), a line deleted or
doubled, a block doubled under another label, a label renamed, a block written as an attribute. The generator is seeded, so a failure
names a mutation that can be replayed.
"""

from __future__ import annotations

import random
import re
import traceback

from tests.conftest import ENVIRONMENTS

SEED = 20261130
PER_FILE = 110  # three shipped files: 330 mutations
NUMBERS = ["0", "-1", "1", "29", "30", "31", "899", "900", "3600", "28800", "28801", "65535", "64512", "4294967295",
           "2147483648", "9223372036854775807", "9223372036854775808", "1.5", "1e3", "true", "null"]
STRINGS = ['""', '"a"', '"lab--office"', '"lab-office"', '"Lab Office"', '"10.10.0.0/16"', '"192.168.50.0/24"',
           '"0.0.0.0/0"', '"169.254.50.0/30"', '"169.254.169.252/30"', '"198.51.100.20"', '"255.255.255.255"',
           '"127.0.0.1"', '"eu-central-1"', '"us-east-1"', '"ikev1"', '"AES128"', '"static"', '"bgp"', '"x" ',
           '"' + "y" * 300 + '"', '"${var.x}"', '"é-ü"', '"subnet-0d10000000000000a"', '"tgw-0f1e2d3c4b5a69788"',
           '"production"', '"development"', '["10.10.0.0/16", "10.10.0.0/16"]', '[]', "{}"]
LABELS = ["lab-office", "lab--office", "a", "x" * 48, "x" * 49, "dc", "berlin-hq", "Lab", "office-2"]
VALUE = re.compile(r'(?m)^(\s*[\w-]+\s*=\s*)(".*?"|\[.*?\]|-?\d[\w.]*|true|false)\s*$')
UNLABELED_BLOCK = re.compile(r'(?m)^(\s*[a-z_]+)( \{)$')
LABEL = re.compile(r'(?m)^(\s*(?:site|client_vpn|authorization|route|crypto_profile) ")([^"]+)(")')


def mutate(text: str, rng: random.Random) -> tuple[str, list[str]]:
    """One or two edits of `text`, and what each was (for the failure message)."""
    done = []
    for _ in range(rng.randint(1, 2)):
        lines = text.splitlines(keepends=True)
        kind = rng.choice(["value", "value", "label", "label", "block", "block", "delete", "double", "syntax"])
        if kind == "value":
            found = list(VALUE.finditer(text))
            match = rng.choice(found)
            pool = NUMBERS if re.fullmatch(r"-?\d[\w.]*|true|false", match.group(2)) else STRINGS
            new = rng.choice(pool + NUMBERS[:3] + STRINGS[:3])
            text = text[:match.start(2)] + new + text[match.end(2):]
            done.append(f"value {match.group(1).strip()} {new[:40]}")
        elif kind == "label":
            match = rng.choice(list(LABEL.finditer(text)))
            new = rng.choice(LABELS)
            text = text[:match.start(2)] + new + text[match.end(2):]
            done.append(f"label {match.group(2)} -> {new}")
        elif kind == "syntax":  # a block written as an attribute (`tunnel = { ... }`), beside blocks of its name
            found = list(UNLABELED_BLOCK.finditer(text))
            match = rng.choice(found)
            text = text[:match.start(2)] + " = {" + text[match.end(2):]
            done.append(f"{match.group(1).strip()} as an attribute")
        elif kind in ("delete", "double"):
            index = rng.randrange(len(lines))
            lines[index:index + 1] = [] if kind == "delete" else [lines[index]] * 2
            text = "".join(lines)
            done.append(f"{kind} line {index + 1}")
        else:
            match = rng.choice(list(LABEL.finditer(text)))
            start = match.start()
            end = _block_end(text, start)
            copy = text[start:end].replace(f'"{match.group(2)}"', f'"{rng.choice(LABELS)}"', 1)
            text = text[:end] + "\n" + copy + text[end:]
            done.append(f"double block {match.group(2)}")
    return text, done


def _block_end(text: str, start: int) -> int:
    depth = 0
    for index in range(text.index("{", start), len(text)):
        depth += {"{": 1, "}": -1}.get(text[index], 0)
        if depth == 0:
            return index + 1
    return len(text)


def test_every_mutation_is_refused_with_lines_or_synthesizes(tmp_path):
    from stacks.config import ConfigError, load_environment
    from vpnctl.synthesized import synth_stacks

    rng = random.Random(SEED)
    failures, counts = [], {"refused": 0, "synthesized": 0}
    for name in ("dev", "staging", "prod"):
        shipped = (ENVIRONMENTS / f"{name}.hcl").read_text()
        for number in range(PER_FILE):
            text, edits = mutate(shipped, rng)
            folder = tmp_path / f"{name}-{number}"
            folder.mkdir()
            (folder / f"{name}.hcl").write_text(text)
            where = f"{name} mutation {number} ({'; '.join(edits)})"
            try:
                env = load_environment(folder / f"{name}.hcl")
            except ConfigError as exc:
                counts["refused"] += 1
                if not exc.lines or not all(f"{name}.hcl: " in line for line in exc.lines):
                    failures.append(f"{where}: refused without file: key: rule lines: {exc.lines}")
                continue
            except Exception:  # noqa: BLE001 -- the point: any other exception is a traceback a user would see
                failures.append(f"{where}: validation raised\n{traceback.format_exc()}")
                continue
            try:
                synth_stacks([env], folder / "out")
                counts["synthesized"] += 1
            except Exception:  # noqa: BLE001
                failures.append(f"{where}: validated, then synth failed\n{traceback.format_exc(limit=3)}")
    assert not failures, "\n\n".join(failures[:5]) + f"\n\n({len(failures)} in all)"
    assert sum(counts.values()) == 3 * PER_FILE >= 300
    assert counts["refused"] >= 50 and counts["synthesized"] >= 50, counts  # both kinds are exercised
