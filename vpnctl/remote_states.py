"""A stack's Terraform state read straight from its S3 object, without Terraform.

Finding the sites a config moves between shards (vpnctl/shard_moves.py) needs only the resource addresses in
each stack's state and one output of the base stack. Reading them with Terraform means `terraform init` in
every stack's folder, then `terraform state list` and `terraform output` (about 1.5 CPU-seconds a stack,
each loading the provider); the S3 object is what `terraform state pull` returns, so one GET a stack gives the
same answer, with no synth or init of the stack. A CI matrix job that reviews one shard then synthesizes and
initializes that shard alone.

The object is where the stack's backend keeps it: the environment's state bucket and region, the stack's own
key (vpn_schema.environment_blocks.state_key), the default workspace; read with the credentials Terraform's
S3 backend uses, or from the local emulator.
"""

from __future__ import annotations

import json

from botocore.exceptions import BotoCoreError, ClientError

from vpn_schema.environment import Environment, state_key
from vpnctl.state_lock import s3_client


class StateReadError(RuntimeError):
    """A state object that exists but can't be read (access, network) or isn't Terraform state."""


class RemoteStates:
    """The states of one environment's stacks, each read once."""

    def __init__(self, config: Environment, aws=None):
        self.bucket = config.state.bucket
        self._s3 = s3_client(aws, config.state.region)
        self._read: dict[str, dict | None] = {}

    def state(self, stack: str) -> dict | None:
        """The stack's state document; None while it has none (never applied: no object, or one with no
        lineage, as Terraform leaves an empty state)."""
        if stack not in self._read:
            self._read[stack] = self._get(stack)
        return self._read[stack]

    def _get(self, stack: str) -> dict | None:
        key = state_key(stack)
        try:
            body = self._s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except self._s3.exceptions.NoSuchKey:
            return None
        except (BotoCoreError, ClientError) as exc:  # credentials, network, a missing bucket: name the object
            raise StateReadError(f"the state of {stack} (s3://{self.bucket}/{key}) could not be read: "
                                 f"{exc.__class__.__name__}: {exc}") from exc
        if not body.strip():
            return None
        try:
            document = json.loads(body)
        except ValueError as exc:
            raise StateReadError(f"s3://{self.bucket}/{key} is not a Terraform state: {exc}") from exc
        if not isinstance(document, dict):
            raise StateReadError(f"s3://{self.bucket}/{key} is not a Terraform state: a JSON {type(document).__name__}")
        return document if document.get("lineage") else None

    def addresses(self, stack: str) -> list[str]:
        """Every resource instance in the stack's state, data sources included, as `terraform state list`
        prints them; none for a stack never applied."""
        return state_addresses(self.state(stack) or {})

    def output(self, stack: str, name: str):
        """The value of the stack's output `name` as last applied; None without it."""
        return ((self.state(stack) or {}).get("outputs", {}).get(name) or {}).get("value")


def state_addresses(state: dict) -> list[str]:
    """A state document's resource instances as Terraform addresses, each once (a deposed object, left by a
    create-before-destroy replacement that failed, is another entry of the same instance): `[data.]type.name`,
    a module path before, an instance key after (`[0]`, `["key"]`) when the resource has count or for_each.
    String keys are quoted as JSON, which is Terraform's quoting for the names our stacks use (ASCII, no
    template sequences); no stack of ours uses count or for_each."""
    found = set()
    for resource in state.get("resources", []):
        address = f"{resource['type']}.{resource['name']}"
        if resource.get("mode") == "data":
            address = f"data.{address}"
        if resource.get("module"):
            address = f"{resource['module']}.{address}"
        for instance in resource.get("instances", []):
            key = instance.get("index_key")
            found.add(address if key is None else f"{address}[{json.dumps(key)}]")
    return sorted(found)
