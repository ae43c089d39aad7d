"""The parallel-apply pipeline (tests/test_emulator_concurrency.py reads it): a generated environment of a few
dozen sites applied to a fresh emulator at `-parallelism=30`, as `vpnctl deploy --parallelism 30` runs it.

Terraform then sends the emulator up to 30 requests at once, across EC2, CloudWatch, CloudWatch Logs, SNS, KMS
and Secrets Manager; moto's services, unserialized, answered such a load with an HTTP 500 now and then
("dictionary changed size during iteration"). The pipeline records every server error the emulator logged
(aws_emulator.serialized writes one line each) and every 5xx in its request log, and a second plan, which must
find nothing to change. No Client VPN endpoint: its associations cost the provider's fixed 4-minute sleeps,
and the sites are what makes the requests concurrent. The provider waits about 10 s on each customer gateway
and connection however fast the emulator answers, so at 30 at a time the apply takes a minute or two.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from aws_emulator.serialized import log_summary
from tests.lifecycle import Run
from vpnctl.runner import prepare
from vpnctl.terraform import count_changes

SITES = 36
PARALLELISM = 30
# Pressure, so that this short apply would meet the race of an unserialized emulator: the emulator switches
# threads every 100 µs instead of 5 ms (requests interleave at many more points), and the account already holds
# what a large environment leaves there, so that each of the provider's Describes iterates long.
SWITCH_INTERVAL = 0.0001
EXISTING_ALARMS, EXISTING_LOG_GROUPS = 2000, 1000


def start(catalog) -> None:
    """Writes and synthesizes the environment in the catalog's thread (jsii serves one), then submits."""
    from benchmarks.generated import write_environment
    from stacks.config import load_environment

    path = write_environment(catalog.base / "env-parallel-apply", "parallel", SITES)
    env = load_environment(path)
    catalog.runner.submit("parallel-apply", parallel_apply, env, catalog.synth(env, "parallel-apply"))


def parallel_apply(run: Run, env, outdir: Path) -> dict:
    """Seed, init and apply at -parallelism=30; what the emulator logged; a second plan."""
    record: dict = {"sites": len(env.config.sites), "parallelism": PARALLELISM}
    build = run.base / "build"
    with run.emulator(env.config.account_id, "parallel-apply") as aws:
        with run.step(f"{EXISTING_ALARMS} alarms and {EXISTING_LOG_GROUPS} log groups there before"):
            prefill(aws, env.config.region, EXISTING_ALARMS, EXISTING_LOG_GROUPS)
        aws.set_switch_interval(SWITCH_INTERVAL)  # after the prefill, which needs no pressure
        with run.step(f"init {env.name}"):
            terraform = prepare(env, outdir, build, aws, parallelism=PARALLELISM)
        with run.step(f"apply {len(env.config.sites)} sites at -parallelism={PARALLELISM}"):
            began = time.monotonic()
            terraform.apply()
            record["apply_seconds"] = time.monotonic() - began
        record["state"] = sorted(terraform.run("state", "list").stdout.split())
        record["resources"] = aws.resources(env.config.region)
        with run.step("plan again"):
            record["second_plan"] = count_changes(terraform.plan_if_changing(run.base / "second.tfplan"))
        record.update(log_summary(aws.log_file.read_text(errors="replace")))
    return record


def put_alarm(cloudwatch, name: str) -> None:
    cloudwatch.put_metric_alarm(
        AlarmName=name, Namespace="AWS/VPN", MetricName="TunnelState", Statistic="Maximum", Period=300,
        EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="LessThanThreshold",
        Dimensions=[{"Name": "VpnId", "Value": name}])


def prefill(aws, region: str, alarms: int, log_groups: int = 0, threads: int = 10) -> None:
    """Alarms named `existing-N` and log groups named `/existing/N`, created `threads` at a time."""
    def create(first: int) -> None:
        cloudwatch, logs = aws.client("cloudwatch", region), aws.client("logs", region)
        for n in range(first, alarms, threads):
            put_alarm(cloudwatch, f"existing-{n}")
        for n in range(first, log_groups, threads):
            logs.create_log_group(logGroupName=f"/existing/{n}")

    workers = [threading.Thread(target=create, args=(first,), name=f"prefill-{first}") for first in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
