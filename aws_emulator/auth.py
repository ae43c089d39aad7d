"""Who may call the emulator: requests signed with AWS Signature Version 4, checked as AWS checks them.

AWS's IAM user guide ("AWS Signature Version 4 for API requests", "Create a signed AWS API request",
"Authentication methods"): a request names its access key in its signature (aws_emulator.signing); the
service looks the key up and compares the signature with the one the key's secret gives. Temporary
credentials also carry their session token (`X-Amz-Security-Token`), which must be the one issued with them.

The emulator knows one access key, given in its environment (`VPN_EMULATOR_ACCESS_KEY_ID` and
`VPN_EMULATOR_SECRET_ACCESS_KEY`; a command line can be read by every local user), and whatever keys
the account itself issued (`issued`: its STS's temporary credentials, its IAM users' keys). Anything
else is refused the way the request's protocol refuses it (aws_emulator.refusals). The emulator's own
routes (`/_vpn_emulator/...`) ask for the same signature.

Not checked: the request's age (AWS refuses one more than 15 minutes off its clock) and the expiry of
temporary credentials; a presigned URL's `X-Amz-Expires` is. `aws-chunked` uploads are checked by their
seed signature (the headers, with the declared `STREAMING-...` payload), not chunk by chunk.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aws_emulator.refusals import refuse
from aws_emulator.signing import (
    BAD_TOKEN,
    EXPIRED,
    SIGNATURE,
    UNKNOWN_KEY,
    Refused,
    canonical_request,
    expected_signature,
    payload_hash,
    signature_of,
)

ACCESS_KEY_ID_VARIABLE = "VPN_EMULATOR_ACCESS_KEY_ID"
SECRET_ACCESS_KEY_VARIABLE = "VPN_EMULATOR_SECRET_ACCESS_KEY"


@dataclass(frozen=True)
class Secret:
    """What the emulator holds for an access key: its secret, and for temporary credentials their token."""

    secret_access_key: str
    session_token: str | None = None


class Gate:
    """WSGI: passes on only requests signed by a known access key; answers the rest as AWS would."""

    def __init__(self, app, access_key_id: str, secret_access_key: str, issued: Callable[[str], Secret | None]):
        if not access_key_id or not secret_access_key:
            raise ValueError("the emulator needs an access key ID and a secret access key")
        self.app = app
        self.keys = {access_key_id: Secret(secret_access_key)}
        self.issued = issued

    def __call__(self, environ, start_response):
        try:
            self.check(environ)
        except Refused as refused:
            return refuse(environ, refused, start_response)
        return self.app(environ, start_response)

    def check(self, environ) -> None:
        signature = signature_of(environ)
        secret = self.keys.get(signature.key_id) or self.issued(signature.key_id)
        if secret is None:
            raise Refused(UNKNOWN_KEY, "no such access key", key_id=signature.key_id)
        if secret.session_token is not None and signature.token != secret.session_token:
            raise Refused(BAD_TOKEN, "temporary credentials without their session token", key_id=signature.key_id)
        if signature.presigned and signature.expires is not None:
            signed_at = datetime.strptime(signature.timestamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            if datetime.now(UTC) > signed_at + timedelta(seconds=signature.expires):
                raise Refused(EXPIRED, "the presigned request has expired", key_id=signature.key_id)
        canonical = canonical_request(environ, signature, payload_hash(environ, signature))
        if not hmac.compare_digest(expected_signature(secret.secret_access_key, signature, canonical),
                                   signature.signature):
            raise Refused(SIGNATURE, "the signature does not match", key_id=signature.key_id,
                          canonical_request=canonical)
