"""The one loop of `plan`, `deploy` and `review`: synthesize every environment named, then for each one
start the local AWS emulator (with --local), and run the command's own step, which initializes Terraform
(`prepare`), plans and, for a deploy, applies. A Terraform failure in one environment is reported and the
others still run; the run's exit status is the worst of theirs. An interruption stops the run, with the
step's report on the state it left.

Locally, a Terraform override file keeps the provider's max_retries small (an unsupported call must fail in
seconds, not minutes) without touching the synthesized JSON, and throwaway certificates stand in for a PKI
unless the user names one with TF_VAR_pki_dir.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from stacks.config import LoadedEnvironment
from vpn_schema.pki_layout import pki_folders
from vpnctl.emulator_process import LocalAws
from vpnctl.emulator_seed import seed_environment
from vpnctl.exit_status import EXIT_FAILED, worst
from vpnctl.gateway_moves import replace_options
from vpnctl.interrupts import Interrupted
from vpnctl.pki.throwaway import ensure_dev_pki
from vpnctl.synth_process import synth_out_of_process
from vpnctl.synthesized import read_stack, stack_dir
from vpnctl.terraform import Terraform, TerraformError
from vpnctl.terraform_config import find_provider_mirror, write_cli_config

LOCAL_OVERRIDE = "local_override.tf.json"
SEEDING = threading.Lock()
_SEEDED: weakref.WeakKeyDictionary[LocalAws, set[tuple[str, str]]] = weakref.WeakKeyDictionary()  # what each has had
LOCAL_MAX_RETRIES = 2

# A command's work on one environment, already synthesized: its exit status. `aws`: the local emulator, or
# None (AWS).
Step = Callable[[LoadedEnvironment, LocalAws | None], int]


def run_environments(
    environments: list[LoadedEnvironment],
    outdir: Path,
    build: Path,
    step: Step,
    *,
    local: bool,
    allow_replace: frozenset[str] = frozenset(),
    progress=None,
    emulator: LocalAws | None = None,
    jobs: int = 1,
) -> int:
    """Synthesizes all `environments` to `outdir`, then runs `step` on each (up to `jobs` at once), each with an
    emulator of its own when `local`; returns the worst status. `emulator`: one already running, used instead
    and left running (`deploy --local --keep`, one environment: vpnctl/keeping.py)."""
    with early_emulators(environments, build, local=local, progress=progress, emulator=emulator, jobs=jobs) as early:
        synthesize(environments, outdir, allow_replace, progress)
        return run_each(environments, build, step, local=local, progress=progress, emulator=emulator, jobs=jobs,
                        early=early)


def synthesize(environments: list[LoadedEnvironment], outdir: Path, allow_replace: frozenset[str] = frozenset(),
               progress=None, only: dict[str, frozenset[str]] | None = None) -> None:
    """Every stack of `environments` (`only`: per environment, just those stacks), in a process of its own
    (vpnctl/synth_process.py)."""
    with progress.step("", "synthesizing") if progress else nullcontext():
        synth_out_of_process(environments, outdir, allow_replace, only)


@contextmanager
def early_emulators(environments: list[LoadedEnvironment], build: Path, *, local: bool, progress=None,
                    emulator: LocalAws | None = None, jobs: int = 1) -> Iterator[dict[str, Future]]:
    """With `local` (and no `emulator` given), the emulators of the first `jobs` environments, started and
    seeded in the background while synth runs in its own process: an emulator's start is a second or two of
    imports, and its seeding another second, that the plans would otherwise wait for. By environment name; all stopped on the way out."""
    if not local or emulator is not None:
        yield {}
        return
    first = environments[:max(1, jobs)]
    with ExitStack() as stack, ThreadPoolExecutor(max_workers=len(first), thread_name_prefix="emulator") as pool:
        def start(environment: LoadedEnvironment) -> LocalAws | None:
            own = ExitStack()
            aws = local_emulator(own, environment, build, local, progress)
            stack.push(own)  # a deque append: safe from these threads; the pool has ended before it unwinds
            if aws is not None:
                seed_local(aws, environment, build)
            return aws

        yield {environment.name: pool.submit(start, environment) for environment in first}


def run_each(environments: list[LoadedEnvironment], build: Path, step: Step, *, local: bool, progress=None,
             emulator: LocalAws | None = None, jobs: int = 1, early: dict[str, Future] | None = None) -> int:
    """`step` on each environment already synthesized, `jobs` at a time, in threads (Terraform and the emulator
    are processes; a step's Python waits on them); the worst status. `early`: emulators already starting
    (early_emulators), by environment. An interruption stops the run once the environments under way have
    stopped."""
    early = early or {}

    def one(environment: LoadedEnvironment) -> int:
        with ExitStack() as stack:
            try:
                aws = emulator or (early[environment.name].result() if environment.name in early
                                   else local_emulator(stack, environment, build, local, progress))
                return step(environment, aws)
            except TerraformError as exc:
                report_failure(environment, exc)
                return EXIT_FAILED
            except Interrupted as exc:  # what the step found out about the state it left (vpnctl/state_lock.py)
                print(exc.report or f"{environment.name}: {exc}", file=sys.stderr)
                raise

    if jobs <= 1 or len(environments) <= 1:
        return worst([one(environment) for environment in environments])
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="environment") as pool:
        futures = [pool.submit(one, environment) for environment in environments]
        return worst([future.result() for future in futures])


def report_failure(environment: LoadedEnvironment, exc: TerraformError) -> None:
    """A failed Terraform command, on stderr: what failed, where its whole run is logged, what it printed."""
    print(f"{environment.name}: {exc}" + (f"; the whole run is in {exc.log_file}" if exc.log_file else ""),
          file=sys.stderr)
    print(exc.output.rstrip(), file=sys.stderr)


def local_emulator(
    stack: ExitStack, environment: LoadedEnvironment, build: Path, local: bool, progress=None
) -> LocalAws | None:
    """With `local`, an emulator for the environment's account that `stack` stops; else None (AWS)."""
    if not local:
        return None
    log = build.resolve() / f"emulator-{environment.name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    say = progress.say if progress else print
    with progress.step(environment.name, "starting the local AWS emulator") if progress else nullcontext():
        return stack.enter_context(LocalAws(environment.config.account_id, log_file=log, progress=say))


@dataclass(frozen=True)
class RunFiles:
    """One run's files under build/: its saved plan (unique to the run, so two runs never share one) and its
    log (Terraform's words for the whole run, named in the output; one per environment and command)."""

    plan: Path
    log: Path


def run_files(build: Path, environment: str, command: str, fresh: bool = True) -> RunFiles:
    """`fresh`: the run starts here, so its log starts empty; else the run's log goes on (a second plan)."""
    build = build.resolve()
    log = build / "logs" / f"{environment}-{command}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w" if fresh else "a") as file:
        file.write(f"vpnctl {command} {environment}: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}\n")
    plan = build / "plans" / f"{environment}-{command}-{os.getpid()}-{time.monotonic_ns()}.tfplan"
    return RunFiles(plan, log)


def prepare(
    environment: LoadedEnvironment,
    outdir: Path,
    build: Path,
    aws: LocalAws | None,
    secret_values: dict[str, str] | None = None,
    *,
    progress=None,
    log_file: Path | None = None,
    backend_config: tuple[str, ...] = (),
    before_init: Callable[[], None] | None = None,
    parallelism: int | None = None,
    stack: str | None = None,
    seed: bool = True,
) -> Terraform:
    """Terraform for one synthesized stack of `environment` (`stack`; default its base, named after it),
    initialized; with `aws`, pointed at it, and seeded unless `seed` is off (a shard's stack, once its base
    seeded the emulator). `parallelism`: Terraform's -parallelism for its plans and applies."""
    build = build.resolve()
    cli_config = write_cli_config(build, find_provider_mirror())
    stack = stack or environment.name
    workdir = stack_dir(outdir, stack)
    env = _local_settings(environment, workdir, build, aws, secret_values, seed) if aws is not None else {}
    if aws is None:
        (workdir / LOCAL_OVERRIDE).unlink(missing_ok=True)
    terraform = Terraform(workdir, cli_config, env, emulator=aws, progress=progress, log_file=log_file,
                          name=stack, parallelism=parallelism)
    if progress is not None and log_file is not None:
        progress.say(f"Terraform's full output goes to {log_file}")
    if before_init is not None:  # once the local state bucket exists: a state move (vpnctl/state_move.py)
        before_init()
    terraform.init(backend_config=backend_config)
    return terraform


def seed_local(aws: LocalAws, environment: LoadedEnvironment, build: Path, secret_values=None,
               seed: bool = True) -> Path:
    """Seeds the emulator with what `environment` names as pre-existing (once per emulator and config, or again
    with `secret_values`; not at all without `seed`) and makes throwaway certificates unless TF_VAR_pki_dir
    names a PKI; their folder. Needs no synth: early_emulators does it while synth runs."""
    pki_dir = (build / "pki").resolve()
    seeded_as = (str(pki_dir), environment.config.model_dump_json())  # a changed config seeds what it names
    with SEEDING:  # the stacks of one environment, prepared side by side, seed the same emulator
        done = _SEEDED.setdefault(aws, set())
        if seed and (seeded_as not in done or secret_values):
            seed_environment(aws, environment.config, pki_dir, secret_values)
            done.add(seeded_as)
        if not os.environ.get("TF_VAR_pki_dir"):
            for folder in pki_folders(environment.config):
                ensure_dev_pki(pki_dir, folder)
    return pki_dir


def _local_settings(environment, workdir: Path, build: Path, aws: LocalAws, secret_values,
                    seed: bool = True) -> dict[str, str]:
    """Seeds the emulator unless done, writes the local override; Terraform's environment."""
    pki_dir = seed_local(aws, environment, build, secret_values, seed)
    env = aws.terraform_env()
    (workdir / LOCAL_OVERRIDE).write_text(
        json.dumps({"provider": {"aws": {"max_retries": LOCAL_MAX_RETRIES}}}, indent=2) + "\n")
    if pki_folders(environment.config) and not os.environ.get("TF_VAR_pki_dir"):
        env["TF_VAR_pki_dir"] = str(pki_dir)
    return env


def plan_environment(
    environment: LoadedEnvironment,
    outdir: Path,
    build: Path,
    *,
    aws: LocalAws | None = None,
    secret_values: dict[str, str] | None = None,
    progress=None,
    command: str = "plan",
    fresh_log: bool = True,
    backend_config: tuple[str, ...] = (),
    parallelism: int | None = None,
    stack: str | None = None,
    terraform: Terraform | None = None,
) -> dict:
    """Init and plan one synthesized stack of `environment` (`stack`; default its base), or plan with
    `terraform`, one already initialized there; a plan validates the configuration itself. Returns the plan as
    `terraform show -json`."""
    stack = stack or environment.name
    files = run_files(build, stack, command, fresh_log)
    if terraform is None:
        terraform = prepare(environment, outdir, build, aws, secret_values, progress=progress, log_file=files.log,
                            backend_config=backend_config, parallelism=parallelism, stack=stack)
    return terraform.plan(files.plan, *replace_options(terraform, read_stack(outdir, stack)))
