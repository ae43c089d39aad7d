"""After an interrupted deploy: what Terraform saved to its state, and whether the state's lock is held.

The stacks keep state in S3 with S3-native locking (`use_lockfile`): the lock is an object beside
the state, `<key>.tflock`, holding the lock's ID, so its presence answers the question exactly.
"""

from __future__ import annotations

import json
import signal

from botocore.config import Config

from vpnctl.interrupts import Interrupted
from vpnctl.synthesized import read_stack, stack_dir

LOCK_SUFFIX = ".tflock"
# One try, a few seconds: after SIGTERM the whole run has 10 s, and a report must not hang on a bucket.
QUICK = Config(connect_timeout=2, read_timeout=3, retries={"total_max_attempts": 1})
# After Ctrl-C nothing is in a hurry: a busy bucket (or a local emulator on a loaded machine, seen taking
# over 3 s) still gets its answer read, rather than the report saying the lock could not be checked.
PATIENT = Config(connect_timeout=5, read_timeout=30, retries={"total_max_attempts": 2})


def s3_backend(synthesized: dict) -> dict | None:
    """The stack's S3 backend settings (bucket, key, region), if it has one."""
    return synthesized.get("terraform", {}).get("backend", {}).get("s3")


def lock_holder(backend: dict, s3) -> dict | None:
    """The lock's record (ID, Who, Operation, Created) while it is held; None once it is released."""
    try:
        body = s3.get_object(Bucket=backend["bucket"], Key=backend["key"] + LOCK_SUFFIX)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return {"ID": "(unreadable lock record)"}


def lock_words(environment, outdir, aws, config: Config = QUICK) -> str:
    """One sentence on the state lock, checked in the state bucket (`config`: how long to wait for it)."""
    backend = s3_backend(read_stack(outdir, environment.name))
    if backend is None:
        return "the stack keeps no remote state, so there is no lock"
    try:
        s3 = s3_client(aws, backend["region"], config)
        holder = lock_holder(backend, s3)
    except Exception as exc:  # noqa: BLE001 -- credentials, network: say so rather than guess
        return f"the state lock could not be checked ({exc.__class__.__name__}: {exc})"
    where = f"s3://{backend['bucket']}/{backend['key']}{LOCK_SUFFIX}"
    if holder is None:
        return "the state lock is released"
    folder = stack_dir(outdir, environment.name)
    return (f"the state lock is still held ({where}, ID {holder.get('ID')}); once no Terraform runs on "
            f"{environment.name}, release it with `terraform -chdir={folder} force-unlock {holder.get('ID')}`")


def interruption_report(environment, outdir, terraform, aws, exc: Interrupted, applied: bool) -> str:
    """What an operator needs after Ctrl-C or SIGTERM: was anything applied, did Terraform stop cleanly,
    what is in the state, is the lock held, and what to run next. `applied`: the apply had started."""
    name = signal.Signals(exc.signum).name
    patience = PATIENT if exc.signum == signal.SIGINT else QUICK
    if not applied:
        parts = [f"{environment.name}: interrupted ({name}) before anything was applied"]
        if terraform is not None and exc.during is not None:  # a plan was stopped: it holds the lock meanwhile
            parts.append(lock_words(environment, outdir, aws, patience))
        return "; ".join(parts)
    if exc.forced:
        how = "Terraform was stopped at once: what it had in flight may be missing from the state"
    else:
        how = "Terraform stopped by itself and saved its state"
    parts = [f"{environment.name}: interrupted ({name}) during the apply; {how}"]
    if exc.signum == signal.SIGINT:  # SIGTERM wants us gone, not reports
        try:
            addresses = terraform.run("state", "list", check=False).stdout.split()
            parts.append(f"the state holds {len(addresses)} resources")
        except Exception as error:  # noqa: BLE001 -- the report must not hide the interruption
            parts.append(f"the state could not be read ({error})")
    parts.append(lock_words(environment, outdir, aws, patience))
    parts.append(f"run `vpnctl deploy {environment.name}` again to finish; Terraform's words are in {terraform.log_file}")
    return "; ".join(parts)


def s3_client(aws, region: str, config: Config | None = None):
    """S3 where the state is: the local emulator's, or AWS's with the usual credentials (as the backend has them)."""
    if aws is not None:
        return aws.client("s3", region, config=config)
    import boto3

    return boto3.session.Session().client("s3", region_name=region, config=config)
