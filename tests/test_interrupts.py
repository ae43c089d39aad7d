"""Ctrl-C and SIGTERM while vpnctl runs Terraform: passed on to the process group, reported once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest

from vpnctl.interrupts import FORWARDING, Interrupted, forwarded

pytestmark = pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                                reason="signal handlers are installed in the main thread only")

# A stand-in for Terraform: says it is ready, stops on SIGINT by itself and says so.
CHILD = """
import signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
print("ready", flush=True)
signal.sigwait({signal.SIGINT})
print("stopped by itself", flush=True)
"""


def test_a_signal_with_no_terraform_running_unwinds_at_once_and_is_reported_once():
    with forwarded() as forwarding:
        with pytest.raises(Interrupted) as raised:
            os.kill(os.getpid(), signal.SIGINT)  # CPython runs the handler before os.kill returns
        assert raised.value.exit_status == 130 and raised.value.during is None
        assert forwarding.received == [] and forwarding.interruption() is None


def test_ctrl_c_is_passed_to_terraform_s_process_group_and_reported_after_it_stops():
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert child.stdout.readline() == "ready\n"
        with forwarded(), FORWARDING.running(child):
            os.kill(os.getpid(), signal.SIGINT)  # as a terminal's Ctrl-C reaches vpnctl alone
            assert child.stdout.read() == "stopped by itself\n"
            assert child.wait() == 0
        # after `running`: the signal is reported by the run, once
        with forwarded():
            assert FORWARDING.interruption() is None  # a new run starts clean
    finally:
        child.kill()
        child.wait()


def test_the_interruption_names_the_command_and_is_not_reported_twice():
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert child.stdout.readline() == "ready\n"
        with forwarded() as forwarding:
            with forwarding.running(child):
                os.kill(os.getpid(), signal.SIGTERM)
                child.wait()
            interrupted = forwarding.interruption("words", during="apply")
            assert (interrupted.signum, interrupted.during, interrupted.exit_status) == (signal.SIGTERM, "apply", 143)
            assert forwarding.interruption() is None
    finally:
        child.kill()
        child.wait()
