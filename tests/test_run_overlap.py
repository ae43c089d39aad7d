"""What a run overlaps and what it leaves out: the local emulators start while synth runs (vpnctl/runner.py),
and a review of some stacks (a matrix job's one shard) runs checkov on those stacks alone
(vpnctl/commands/review.py). Fakes stand in for the emulator and synth: the order of events is the point."""

from __future__ import annotations

import threading

from tests.conftest import ENV_NAMES
from tests.scenarios import variant
from tests.shard_pipeline import shards


class FakeEmulator:
    def __init__(self, name: str, events: list):
        self.name, self.events = name, events

    def __enter__(self):
        self.events.append(("started", self.name))
        return self

    def __exit__(self, *exc):
        self.events.append(("stopped", self.name))


def test_emulators_start_and_are_seeded_while_synth_runs_and_stop_once_every_environment_is_done(monkeypatch, tmp_path, shipped):
    from vpnctl import runner

    events: list = []
    lock, started, early_ones = threading.Lock(), [], 2
    all_early_started = threading.Event()

    def local_emulator(stack, environment, build, local, progress=None):
        aws = stack.enter_context(FakeEmulator(environment.name, events))
        with lock:
            started.append(environment.name)
            if len(started) == early_ones:
                all_early_started.set()
        return aws

    def seed_local(aws, environment, build, secret_values=None, seed=True):
        events.append(("seeded", environment.name))

    def synthesize(environments, outdir, allow_replace=frozenset(), progress=None):
        assert all_early_started.wait(30), "synth ended before the first environments' emulators started"
        events.append(("synthesized", ""))

    def step(environment, aws) -> int:
        events.append(("step", environment.name, aws.name))
        return 0

    monkeypatch.setattr(runner, "local_emulator", local_emulator)
    monkeypatch.setattr(runner, "synthesize", synthesize)
    monkeypatch.setattr(runner, "seed_local", seed_local)
    environments = [shipped[name] for name in ENV_NAMES]
    status = runner.run_environments(environments, tmp_path / "out", tmp_path / "build", step, local=True,
                                     jobs=early_ones)
    assert status == 0
    assert sorted(e[1:] for e in events if e[0] == "step") == sorted((name, name) for name in ENV_NAMES)
    synthesized = events.index(("synthesized", ""))
    assert {e[1] for e in events[:synthesized] if e[0] == "started"} == set(ENV_NAMES[:early_ones])
    assert sorted(e[1] for e in events if e[0] == "seeded") == sorted(ENV_NAMES[:early_ones]), \
        "the early emulators are seeded as they start; the others when their step prepares Terraform"
    assert ("started", ENV_NAMES[early_ones]) in events[synthesized:], "the rest start when their turn comes"
    assert sorted(e[1] for e in events if e[0] == "stopped") == sorted(ENV_NAMES)
    for name in ENV_NAMES:
        assert events.index(("step", name, name)) < events.index(("stopped", name))


def test_a_run_against_aws_starts_no_emulator(monkeypatch, tmp_path, shipped):
    from vpnctl import runner

    monkeypatch.setattr(runner, "synthesize", lambda *args, **kwargs: None)
    seen = []
    status = runner.run_environments([shipped["dev"]], tmp_path / "out", tmp_path / "build",
                                     lambda environment, aws: seen.append(aws) or 0, local=False, jobs=4)
    assert (status, seen) == (0, [None])


def test_a_review_of_one_shard_runs_checkov_on_that_stack_alone(monkeypatch, tmp_path):
    from vpnctl.commands import review
    from vpnctl.policy import scan
    from vpnctl.synthesized import stack_file

    env = variant("prod", [("# Staff: SAML groups", shards(emea=["berlin-hq", "paris-branch"], dc=["frankfurt-dc"])
                            + "\n# Staff: SAML groups")], tmp_path / "env")
    scanned: list = []
    monkeypatch.setattr(scan, "scan_tiers", lambda tiers, process=None: scanned.append(dict(tiers)) or {})
    review._scan([env], tmp_path / "out", None, {"prod": frozenset({"prod-emea"})})
    review._scan([env], tmp_path / "out", None, None)
    assert scanned == [{stack_file(tmp_path / "out", "prod-emea"): "production"},
                       {stack_file(tmp_path / "out", name): "production" for name in ("prod", "prod-emea", "prod-dc")}]
