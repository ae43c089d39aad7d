"""Synth in a process of its own, started before vpnctl has loaded the config (vpnctl/synth_process.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def test_a_prestarted_synth_writes_the_same_stacks_as_synth_in_process(shipped, synthesized_dir, tmp_path):
    from vpnctl import synth_process
    from vpnctl.synthesized import stack_file

    synth_process.prestart()
    child = synth_process._waiting
    assert child is not None
    synth_process.synth_out_of_process([shipped["dev"]], tmp_path / "out")
    assert child.returncode == 0, "the synth was not the prestarted child's"
    assert stack_file(tmp_path / "out", "dev").read_text() == stack_file(synthesized_dir, "dev").read_text()


def test_a_prestarted_synth_refuses_an_allowance_that_names_no_guarded_resource(shipped, tmp_path):
    from stacks.config.allowances import GuardError
    from vpnctl import synth_process

    synth_process.prestart()
    with pytest.raises(GuardError, match="no-such-resource"):
        synth_process.synth_out_of_process([shipped["prod"]], tmp_path / "out",
                                           frozenset({"aws_vpn_connection.no-such-resource"}))


def test_a_synth_never_given_its_work_is_stopped_when_vpnctl_exits():
    code = ("from vpnctl import synth_process; synth_process.prestart(); print(synth_process._waiting.pid, flush=True)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                          timeout=120)
    pid = int(done.stdout.split()[-1])
    with pytest.raises(ProcessLookupError):  # killed and reaped by the exiting parent, not left to load on
        os.kill(pid, 0)


def test_vpnctl_s_own_process_catches_the_guard_s_refusal_without_loading_cdktf():
    """The guard's exception class is cdktf-free: catching it once loaded the jsii runtime into vpnctl's process,
    a node process of 600 MiB or more that stayed through every Terraform step."""
    code = ("import sys; from vpnctl.commands.terraform_frame import guarded; from vpnctl import runner; "
            "guarded(lambda: 0); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in {'cdktf', 'jsii', 'constructs'}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                          timeout=120)
    assert done.stdout.strip() == "[]"
