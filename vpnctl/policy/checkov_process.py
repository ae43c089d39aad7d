"""checkov's process, started before the files it scans exist.

checkov spends its first 2 s or so importing itself and its checks. `vpnctl review` starts it while synth
runs (`CheckovProcess()`), when a core is mostly idle, and hands it its arguments on stdin once the stacks
are written (`run`), rather than paying that time beside the plans, where both cores are busy. A checkov
whose interpreter can't be told from its script (VPNCTL_CHECKOV naming a wrapper) runs as a plain command.

Each process gets a temp folder of its own, made for the run (mode 0700) and removed after it: the HCL parser
checkov loads unpickles a grammar cache from the temp folder, by a name anyone can predict, so a file planted
in a shared /tmp would run as code. The folder is set before checkov's imports, which read it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Self

# checkov runs beside the plans (vpnctl review), on CPU they leave: at a lower priority it takes only that,
# and the plans, which the review waits for, keep the cores.
LOWER_PRIORITY = ("nice", "-n", "10") if shutil.which("nice") else ()
TEMP_VARIABLES = ("TMPDIR", "TEMP", "TMP")  # where Python's tempfile, and so checkov, looks first
REPORT_FILE = "results_json.json"  # what checkov names the report of `--output json --output-file-path DIR`
# Run by checkov's own Python: its imports first, then the arguments sent (none: the review ended first).
ENTRY = """
import json, sys, warnings
warnings.simplefilter("ignore", category=SyntaxWarning)
from checkov.main import Checkov
argv = json.loads(sys.stdin.readline() or "null")
if argv is None:
    sys.exit(0)
sys.argv = ["checkov", *argv]
sys.exit(Checkov(argv).run())
"""


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str


class CheckovProcess:
    """One checkov run: started now, given its arguments by `run` once; `close` ends it if never run."""

    def __init__(self, binary: str):
        self.binary = binary
        self.private = Path(tempfile.mkdtemp(prefix="vpnctl-checkov-"))  # mode 0700; see the module's docstring
        self.env = {
            **os.environ,
            "BC_SKIP_MAPPING": "TRUE",  # no download of Prisma Cloud guideline IDs: no network here
            **dict.fromkeys(TEMP_VARIABLES, str(self.private)),
        }
        python = interpreter(binary)
        self.process = None if python is None else subprocess.Popen(
            [*LOWER_PRIORITY, python, "-c", ENTRY], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=self.env, text=True)

    def run(self, args: list[str]) -> Outcome:
        """checkov with `args` (an --output json run), to its end; its report as the outcome's stdout. checkov
        writes the report to a file here: printed through its console wrapper, it took a second more."""
        report = self.private / "report"
        args = [*args, "--output-file-path", str(report)]
        try:
            if self.process is None:
                done = subprocess.run([*LOWER_PRIORITY, self.binary, *args], capture_output=True, text=True,
                                      env=self.env, check=False)
                returncode, stdout, stderr = done.returncode, done.stdout, done.stderr
            else:
                stdout, stderr = self.process.communicate(json.dumps(args) + "\n")
                returncode = self.process.returncode
            written = report / REPORT_FILE
            return Outcome(returncode, written.read_text() if written.is_file() else stdout, stderr)
        finally:
            self.close()

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.communicate()
        shutil.rmtree(self.private, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def interpreter(binary: str) -> str | None:
    """The Python that runs checkov's script `binary` (its #! line), if it names one."""
    try:
        with open(binary, "rb") as script:
            first = script.readline(512)
    except OSError:
        return None
    if not first.startswith(b"#!"):
        return None
    words = first[2:].decode(errors="replace").split()
    if len(words) == 1 and Path(words[0]).name.startswith("python") and os.access(words[0], os.X_OK):
        return words[0]
    return None
