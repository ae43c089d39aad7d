"""checkov started before its files exist (vpnctl/policy/checkov_process.py)."""

from __future__ import annotations

import sys

from vpnctl.policy.checkov_process import CheckovProcess, interpreter


def _script(path, first_line: str):
    path.write_text(f"{first_line}\nprint('checkov')\n")
    path.chmod(0o755)
    return str(path)


def test_the_interpreter_is_read_from_the_script_s_first_line_when_it_names_one_python(tmp_path):
    assert interpreter(_script(tmp_path / "a", f"#!{sys.executable}")) == sys.executable
    assert interpreter(_script(tmp_path / "b", "#!/usr/bin/env python3")) is None  # a wrapper: run as a command
    assert interpreter(_script(tmp_path / "c", "#!/bin/sh")) is None
    assert interpreter(str(tmp_path / "missing")) is None


def test_a_checkov_never_run_is_stopped_and_its_private_folder_removed(tmp_path):
    process = CheckovProcess(_script(tmp_path / "checkov", f"#!{sys.executable}"))
    assert process.process is not None and process.private.is_dir()
    assert oct(process.private.stat().st_mode & 0o777) == oct(0o700)
    process.close()
    assert process.process.poll() is not None
    assert not process.private.exists()
