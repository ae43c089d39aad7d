"""A stock moto server standing in for AWS, so a plan runs with no account.

A plan needs STS (allowed_account_ids, assume-role), Secrets Manager (bring-
your-own keys) and S3 (the state backend with lock files); moto serves all
three. It runs with MOTO_ACCOUNT_ID set to the environment's account, so the
shipped provider settings work unchanged. Test traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import os
import secrets
import socket
import string
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from modules import aws_rules as rules

TEST_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def generate_preshared_key(length: int = 32) -> str:
    """A random key that meets AWS's rules, for seeding test secrets."""
    alphabet = string.ascii_letters + string.digits + "._"
    key = secrets.choice(string.ascii_letters) + "".join(secrets.choice(alphabet) for _ in range(length - 1))
    assert rules.psk_problem(key) is None
    return key


class MotoServer:
    """A moto server process on 127.0.0.1, for one AWS account."""

    def __init__(self, account_id: str, log_file: Path | None = None):
        self.account_id = account_id
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_file = log_file
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> "MotoServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, timeout: float = 30.0) -> None:
        env = {**os.environ, **TEST_CREDENTIALS, "MOTO_ACCOUNT_ID": self.account_id}
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL
        self._process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"moto server exited with status {self._process.returncode}")
            try:
                urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"moto server did not answer on {self.endpoint} within {timeout:.0f} s")

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def terraform_env(self) -> dict[str, str]:
        """What points Terraform's provider and S3 backend at this server."""
        return {
            **TEST_CREDENTIALS,
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_S3_USE_PATH_STYLE": "true",
            "AWS_EC2_METADATA_DISABLED": "true",
            # moto answers some calls with HTTP 500; don't let the SDK retry for minutes.
            "AWS_MAX_ATTEMPTS": "2",
        }

    def client(self, service: str, region: str):
        import boto3

        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint,
            aws_access_key_id=TEST_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=TEST_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def create_bucket(self, bucket: str, region: str) -> None:
        s3 = self.client("s3", region)
        if region == "us-east-1":
            s3.create_bucket(Bucket=bucket)
        else:
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})

    def put_secret(self, name: str, value: str, region: str) -> None:
        self.client("secretsmanager", region).create_secret(Name=name, SecretString=value)


def seed_for_plan(server: MotoServer, config, secret_values: dict[str, str] | None = None) -> list[str]:
    """Creates what a plan of `config` reads: the state bucket and each bring-your-own key.

    Keys are random valid ones unless `secret_values` names a value. Returns the secret names.
    """
    server.create_bucket(config.state.bucket, config.state.region)
    names = []
    for site in config.sites.values():
        for tunnel in site.tunnel:
            if tunnel.preshared_key_secret and tunnel.preshared_key_secret not in names:
                names.append(tunnel.preshared_key_secret)
    for name in names:
        value = (secret_values or {}).get(name) or generate_preshared_key()
        server.put_secret(name, value, config.region)
    return names
