"""After an interrupted deploy: what Terraform saved to its state, and whether the state's lock is held.

The stacks keep state in S3 with S3-native locking (`use_lockfile`): the lock is an object beside
the state, `<key>.tflock`, holding the lock's ID, so its presence answers the question exactly.
"""

from __future__ import annotations

import json
import signal

from vpnctl.interrupts import Interrupted
from vpnctl.synth import stack_dir

LOCK_SUFFIX = ".tflock"


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


def lock_words(environment, outdir, aws) -> str:
    """One sentence on the state lock, checked in the state bucket."""
    synthesized = json.loads((stack_dir(outdir, environment.name) / "cdk.tf.json").read_text())
    backend = s3_backend(synthesized)
    if backend is None:
        return "the stack keeps no remote state, so there is no lock"
    try:
        s3 = aws.client("s3", backend["region"]) if aws is not None else _aws_s3(backend["region"])
        holder = lock_holder(backend, s3)
    except Exception as exc:  # noqa: BLE001 -- credentials, network: say so rather than guess
        return f"the state lock could not be checked ({exc.__class__.__name__}: {exc})"
    where = f"s3://{backend['bucket']}/{backend['key']}{LOCK_SUFFIX}"
    if holder is None:
        return "the state lock is released"
    folder = stack_dir(outdir, environment.name)
    return (f"the state lock is still held ({where}, ID {holder.get('ID')}); once no Terraform runs on "
            f"{environment.name}, release it with `terraform -chdir={folder} force-unlock {holder.get('ID')}`")


def interruption_report(environment, outdir, terraform, aws, exc: Interrupted) -> str:
    """What an operator needs after Ctrl-C or SIGTERM: did Terraform stop cleanly, what is in the state,
    is the lock held, and what to run next."""
    if exc.forced:
        how = "Terraform was stopped at once: what it had in flight may be missing from the state"
    else:
        how = "Terraform stopped by itself and saved its state"
    parts = [f"{environment.name}: interrupted ({signal.Signals(exc.signum).name}); {how}"]
    if exc.signum == signal.SIGINT and terraform is not None:  # SIGTERM wants us gone, not reports
        try:
            addresses = terraform.run("state", "list", check=False).stdout.split()
            parts.append(f"the state holds {len(addresses)} resources")
        except Exception as error:  # noqa: BLE001 -- the report must not hide the interruption
            parts.append(f"the state could not be read ({error})")
    parts.append(lock_words(environment, outdir, aws))
    parts.append(f"run `vpnctl deploy {environment.name}` again to finish; Terraform's words are in "
                 f"{terraform.log_file if terraform is not None else 'the run log'}")
    return "; ".join(parts)


def _aws_s3(region: str):
    import boto3

    return boto3.session.Session().client("s3", region_name=region)
