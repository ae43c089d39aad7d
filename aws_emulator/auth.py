"""Who may call the emulator: requests signed with AWS Signature Version 4, checked as AWS checks them.

AWS's IAM user guide ("AWS Signature Version 4 for API requests", "Create a signed AWS API request",
"Authentication methods"): a request names its access key in the `Authorization` header
(`AWS4-HMAC-SHA256 Credential=KEYID/DATE/REGION/SERVICE/aws4_request, SignedHeaders=..., Signature=...`)
or, presigned, in the `X-Amz-Credential` query parameter. The service looks the key up, builds the
canonical request (method, URI, sorted query, the signed headers, the payload's SHA-256) and the string to
sign, derives the signing key from the key's secret, date, region and service, and compares signatures.
Temporary credentials also carry their session token (`X-Amz-Security-Token`), which must be the one issued
with them.

The emulator knows one access key, given in its environment (`VPN_EMULATOR_ACCESS_KEY_ID` and
`VPN_EMULATOR_SECRET_ACCESS_KEY`; a command line can be read by every local user), and whatever keys
the account itself issued (`issued`: its STS's temporary credentials, its IAM users' keys). Anything
else is refused the way the request's protocol refuses it: EC2 `AuthFailure` (401), S3
`InvalidAccessKeyId` (403), the query services' `InvalidClientTokenId` (403), the JSON services'
`UnrecognizedClientException` (400); a request with no signature gets `MissingAuthenticationToken`
(S3: `AccessDenied`). The emulator's own routes (`/_vpn_emulator/...`) ask for the same signature.

Not checked: the request's age (AWS refuses one more than 15 minutes off its clock) and the expiry of
temporary credentials; a presigned URL's `X-Amz-Expires` is. `aws-chunked` uploads are checked by their
seed signature (the headers, with the declared `STREAMING-...` payload), not chunk by chunk.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, unquote, urlsplit
from xml.sax.saxutils import escape

ACCESS_KEY_ID_VARIABLE = "VPN_EMULATOR_ACCESS_KEY_ID"
SECRET_ACCESS_KEY_VARIABLE = "VPN_EMULATOR_SECRET_ACCESS_KEY"
CONTROL_PREFIX = "/_vpn_emulator/"
ALGORITHM = "AWS4-HMAC-SHA256"
EC2_API_VERSION = "2016-11-15"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")

# Why a request is refused
MISSING, MALFORMED, UNKNOWN_KEY, BAD_TOKEN, SIGNATURE, EXPIRED, PAYLOAD = (
    "missing", "malformed", "unknown key", "bad token", "signature", "expired", "payload")

_SIGNATURE_MESSAGE = ("The request signature we calculated does not match the signature you provided. "
                      "Check your AWS Secret Access Key and signing method. Consult the service documentation "
                      "for details.")
_S3_SIGNATURE_MESSAGE = ("The request signature we calculated does not match the signature you provided. "
                         "Check your key and signing method.")
_INVALID_TOKEN = "The security token included in the request is invalid."
# (HTTP status, code, message) by protocol and reason, from each service's API reference ("Common Errors";
# EC2: "Error codes for the Amazon EC2 API"; S3: "Error responses").
REFUSALS: dict[str, dict[str, tuple[int, str, str]]] = {
    "ec2": {
        MISSING: (401, "MissingAuthenticationToken", "The request must contain valid credentials."),
        MALFORMED: (400, "IncompleteSignature", "The request signature does not conform to AWS standards."),
        UNKNOWN_KEY: (401, "AuthFailure", "AWS was not able to validate the provided access credentials"),
        BAD_TOKEN: (401, "AuthFailure", "AWS was not able to validate the provided access credentials"),
        SIGNATURE: (403, "SignatureDoesNotMatch", _SIGNATURE_MESSAGE),
        EXPIRED: (400, "RequestExpired", "Request has expired."),
        PAYLOAD: (403, "SignatureDoesNotMatch", _SIGNATURE_MESSAGE),
    },
    "query": {  # STS, IAM, SNS, CloudWatch
        MISSING: (403, "MissingAuthenticationToken", "Request is missing Authentication Token"),
        MALFORMED: (400, "IncompleteSignature", "The request signature does not conform to AWS standards."),
        UNKNOWN_KEY: (403, "InvalidClientTokenId", _INVALID_TOKEN),
        BAD_TOKEN: (403, "InvalidClientTokenId", _INVALID_TOKEN),
        SIGNATURE: (403, "SignatureDoesNotMatch", _SIGNATURE_MESSAGE),
        EXPIRED: (400, "RequestExpired", "Request has expired."),
        PAYLOAD: (403, "SignatureDoesNotMatch", _SIGNATURE_MESSAGE),
    },
    "json": {  # Secrets Manager, ACM, CloudWatch Logs, KMS; rpc-v2-cbor (CloudWatch) answers the same
        MISSING: (400, "MissingAuthenticationTokenException", "Missing Authentication Token"),
        MALFORMED: (400, "IncompleteSignatureException", "The request signature does not conform to AWS standards."),
        UNKNOWN_KEY: (400, "UnrecognizedClientException", _INVALID_TOKEN),
        BAD_TOKEN: (400, "UnrecognizedClientException", _INVALID_TOKEN),
        SIGNATURE: (400, "InvalidSignatureException", _SIGNATURE_MESSAGE),
        EXPIRED: (400, "InvalidSignatureException", "Signature expired."),
        PAYLOAD: (400, "InvalidSignatureException", _SIGNATURE_MESSAGE),
    },
    "s3": {
        MISSING: (403, "AccessDenied", "Access Denied"),
        MALFORMED: (400, "AuthorizationHeaderMalformed", "The authorization header is malformed."),
        UNKNOWN_KEY: (403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."),
        BAD_TOKEN: (400, "InvalidToken", "The provided token is malformed or otherwise invalid."),
        SIGNATURE: (403, "SignatureDoesNotMatch", _S3_SIGNATURE_MESSAGE),
        EXPIRED: (403, "AccessDenied", "Request has expired"),
        PAYLOAD: (400, "XAmzContentSHA256Mismatch",
                  "The provided 'x-amz-content-sha256' header does not match what was computed."),
    },
}
REFUSALS["rest-json"] = {reason: (403, code, message) for reason, (_, code, message) in REFUSALS["json"].items()}


@dataclass(frozen=True)
class Secret:
    """What the emulator holds for an access key: its secret, and for temporary credentials their token."""

    secret_access_key: str
    session_token: str | None = None


class Refused(Exception):
    def __init__(self, reason: str, detail: str, key_id: str = "", **context: str):
        super().__init__(detail)
        self.reason = reason
        self.key_id = key_id
        self.context = context


@dataclass(frozen=True)
class Signature:
    """One request's SigV4 signature, from its Authorization header or its presigned query."""

    key_id: str
    scope: str  # DATE/REGION/SERVICE/aws4_request
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    timestamp: str  # X-Amz-Date, 20240101T000000Z
    token: str | None
    presigned: bool
    expires: int | None = None


def signature_of(environ) -> Signature:
    """The request's signature; Refused(MISSING) when it carries none, Refused(MALFORMED) when it is garbled."""
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    if authorization:
        algorithm, _, rest = authorization.strip().partition(" ")
        fields = dict(part.strip().partition("=")[::2] for part in rest.split(","))
        credential, timestamp = fields.get("Credential", ""), environ.get("HTTP_X_AMZ_DATE", "")
        signed, signature = fields.get("SignedHeaders", ""), fields.get("Signature", "")
        token, presigned, expires = environ.get("HTTP_X_AMZ_SECURITY_TOKEN"), False, None
    elif "X-Amz-Credential" in query or "X-Amz-Signature" in query:
        algorithm, credential, timestamp = query.get("X-Amz-Algorithm", ""), query.get("X-Amz-Credential", ""), \
            query.get("X-Amz-Date", "")
        signed, signature = query.get("X-Amz-SignedHeaders", ""), query.get("X-Amz-Signature", "")
        token, presigned = query.get("X-Amz-Security-Token"), True
        expires = int(query["X-Amz-Expires"]) if query.get("X-Amz-Expires", "").isdigit() else None
    else:
        raise Refused(MISSING, "the request carries no signature")
    key_id, _, scope = credential.partition("/")
    scope_parts = scope.split("/")
    if not key_id:
        raise Refused(MALFORMED, "the signature names no access key")
    if algorithm != ALGORITHM or len(scope_parts) != 4 or scope_parts[3] != "aws4_request" or not signed \
            or not signature or not re.fullmatch(r"\d{8}T\d{6}Z", timestamp) or timestamp[:8] != scope_parts[0]:
        raise Refused(MALFORMED, f"not a complete {ALGORITHM} signature", key_id=key_id)
    return Signature(key_id, scope, scope_parts[2], tuple(signed.lower().split(";")), signature.lower(), timestamp,
                     token, presigned, expires)


def request_body(environ) -> bytes:
    """The body, read once and put back for the application."""
    if "vpn_emulator.body" not in environ:
        stream = environ["wsgi.input"]
        length = environ.get("CONTENT_LENGTH") or ""
        if length.isdigit():
            body = stream.read(int(length))
        elif environ.get("wsgi.input_terminated"):
            body = stream.read()
        else:
            body = b""
        environ["wsgi.input"] = io.BytesIO(body)
        environ["vpn_emulator.body"] = body
    return environ["vpn_emulator.body"]


def _header(environ, name: str) -> str:
    if name == "content-type":
        return environ.get("CONTENT_TYPE", "")
    if name == "content-length":
        return environ.get("CONTENT_LENGTH", "")
    return environ.get("HTTP_" + name.upper().replace("-", "_"), "")


def _uri_encode(text: str) -> str:
    return quote(text, safe="-_.~")


def canonical_request(environ, signature: Signature, payload_hash: str) -> str:
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or quote(environ.get("PATH_INFO", "/"))
    if "://" in raw.partition("?")[0]:  # an absolute-form request target
        raw = urlsplit(raw)._replace(scheme="", netloc="").geturl()
    path = raw.partition("?")[0] or "/"
    if signature.service != "s3":  # every service but S3 encodes the (normalized) path a second time
        from botocore.utils import normalize_url_path

        path = quote(normalize_url_path(path), safe="/~")
    pairs = []
    for pair in environ.get("QUERY_STRING", "").split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        key, value = _uri_encode(unquote(key)), _uri_encode(unquote(value))
        if not (signature.presigned and key == "X-Amz-Signature"):
            pairs.append((key, value))
    query = "&".join(f"{key}={value}" for key, value in sorted(pairs))
    headers = "".join(f"{name}:{' '.join(_header(environ, name).split())}\n" for name in signature.signed_headers)
    return "\n".join([environ.get("REQUEST_METHOD", "GET"), path, query, headers,
                      ";".join(signature.signed_headers), payload_hash])


def expected_signature(secret_access_key: str, signature: Signature, canonical: str) -> str:
    to_sign = "\n".join([ALGORITHM, signature.timestamp, signature.scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = f"AWS4{secret_access_key}".encode()
    for part in signature.scope.split("/"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def _payload_hash(environ, signature: Signature) -> str:
    declared = environ.get("HTTP_X_AMZ_CONTENT_SHA256") or (
        UNSIGNED_PAYLOAD if signature.presigned and signature.service == "s3" else "")
    if declared and not _HEX_DIGEST.fullmatch(declared):  # UNSIGNED-PAYLOAD, STREAMING-...
        return declared
    computed = hashlib.sha256(request_body(environ)).hexdigest()
    if declared and declared != computed:
        raise Refused(PAYLOAD, "the payload's SHA-256 is not the declared one", key_id=signature.key_id)
    return declared or computed


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
            return self.refuse(environ, refused, start_response)
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
        canonical = canonical_request(environ, signature, _payload_hash(environ, signature))
        if not hmac.compare_digest(expected_signature(secret.secret_access_key, signature, canonical),
                                   signature.signature):
            raise Refused(SIGNATURE, "the signature does not match", key_id=signature.key_id,
                          canonical_request=canonical)

    @staticmethod
    def refuse(environ, refused: Refused, start_response):
        protocol = protocol_of(environ, refused)
        # rpc-v2-cbor answers as JSON does; the emulator's own routes as a REST JSON service (403)
        status, code, message = REFUSALS[{"cbor": "json", "control": "rest-json"}.get(protocol, protocol)][refused.reason]
        method, path = environ.get("REQUEST_METHOD", "?"), environ.get("PATH_INFO", "")
        key = f" with access key {refused.key_id}" if refused.key_id else ""
        print(f"refused: {method} {path}{key}: {refused} ({code})", file=sys.stderr, flush=True)
        if "canonical_request" in refused.context:  # no secret in it: what to compare with the client's
            print("  the canonical request here:\n" + "\n".join(
                f"  | {line}" for line in refused.context["canonical_request"].split("\n")), file=sys.stderr, flush=True)
        request_id = str(uuid.uuid4())
        content_type, body = _refusal_body(protocol, code, message, request_id, refused, environ)
        headers = [("Content-Type", content_type), ("x-amzn-RequestId", request_id)]
        if protocol in ("json", "rest-json", "cbor", "control"):
            headers.append(("x-amzn-ErrorType", code))
        if protocol == "cbor":
            headers.append(("Smithy-Protocol", "rpc-v2-cbor"))
        if protocol == "s3":
            headers.append(("x-amz-request-id", request_id))
        if environ.get("REQUEST_METHOD") == "HEAD":
            body = b""
        headers.append(("Content-Length", str(len(body))))
        start_response(f"{status} {_REASONS.get(status, 'Error')}", headers)
        return [body]


_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden"}


def protocol_of(environ, refused: Refused | None = None) -> str:
    """Which protocol's error shape answers this request: control, ec2, s3, query, json, cbor or rest-json."""
    if environ.get("PATH_INFO", "").startswith(CONTROL_PREFIX):
        return "control"
    scope = ""
    try:
        scope = signature_of(environ).service
    except Refused:
        found = re.search(r"Credential=[^/,\s]+/\d{8}/[^/]+/([^/,\s]+)/", environ.get("HTTP_AUTHORIZATION", ""))
        scope = found.group(1) if found else ""
    if scope in ("s3", "ec2"):
        return scope
    if environ.get("HTTP_SMITHY_PROTOCOL", "").lower() == "rpc-v2-cbor":
        return "cbor"
    content_type = environ.get("CONTENT_TYPE", "")
    if environ.get("HTTP_X_AMZ_TARGET") or content_type.startswith("application/x-amz-json"):
        return "json"
    if content_type.startswith("application/x-www-form-urlencoded") or "Action=" in environ.get("QUERY_STRING", ""):
        params = dict(parse_qsl(request_body(environ).decode(errors="replace") or environ.get("QUERY_STRING", "")))
        if "Action" in params:
            return "ec2" if not scope and params.get("Version") == EC2_API_VERSION else "query"
    return "rest-json" if scope else "s3"


def _refusal_body(protocol: str, code: str, message: str, request_id: str, refused: Refused, environ) -> tuple[str, bytes]:
    if protocol == "ec2":
        return "text/xml;charset=UTF-8", (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code>'
            f"<Message>{escape(message)}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
        ).encode()
    if protocol == "query":
        return "text/xml", (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{escape(message)}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
    if protocol == "s3":
        extra = f"<AWSAccessKeyId>{escape(refused.key_id)}</AWSAccessKeyId>" if refused.key_id else ""
        return "application/xml", (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{escape(message)}</Message>'
            f"{extra}<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>"
        ).encode()
    if protocol == "cbor":
        return "application/cbor", _cbor_map({"__type": code, "message": message})
    import json

    content_type = environ.get("CONTENT_TYPE", "") if protocol == "json" else ""
    return content_type or "application/json", json.dumps({"__type": code, "message": message}).encode()


def _cbor_map(document: dict[str, str]) -> bytes:
    """A CBOR (RFC 8949) map of text strings: all an rpc-v2-cbor error needs."""
    def head(major: int, length: int) -> bytes:
        if length < 24:
            return bytes([major << 5 | length])
        size = 1 if length < 0x100 else 2 if length < 0x10000 else 4
        return bytes([major << 5 | {1: 24, 2: 25, 4: 26}[size]]) + length.to_bytes(size, "big")

    out = head(5, len(document))
    for key, value in document.items():
        for text in (key.encode(), value.encode()):
            out += head(3, len(text)) + text
    return out
