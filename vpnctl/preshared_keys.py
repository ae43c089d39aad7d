"""Random pre-shared keys that meet AWS's rules, as AWS generates them: for test secrets and
for the emulator's connections that name no key."""

from __future__ import annotations

import secrets
import string

from vpn_schema import aws_rules as rules


def generate_preshared_key(length: int = 32) -> str:
    alphabet = string.ascii_letters + string.digits + "._"
    key = secrets.choice(string.ascii_letters) + "".join(secrets.choice(alphabet) for _ in range(length - 1))
    assert rules.psk_problem(key) is None
    return key
