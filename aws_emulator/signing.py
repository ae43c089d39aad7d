"""AWS Signature Version 4 as the service checks it: the signature a request carries, its canonical request
and the signature its key's secret gives.

AWS's IAM user guide ("AWS Signature Version 4 for API requests", "Create a signed AWS API request"): a
request names its access key in the `Authorization` header (`AWS4-HMAC-SHA256 Credential=KEYID/DATE/REGION/
SERVICE/aws4_request, SignedHeaders=..., Signature=...`) or, presigned, in the `X-Amz-Credential` query
parameter. The service builds the canonical request (method, URI, sorted query, the signed headers, the
payload's SHA-256) and the string to sign, derives the signing key from the key's secret, date, region and
service, and compares signatures. What is wrong with a request is raised as `Refused`, with its reason.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")

# Why a request is refused
MISSING, MALFORMED, UNKNOWN_KEY, BAD_TOKEN, SIGNATURE, EXPIRED, PAYLOAD = (
    "missing", "malformed", "unknown key", "bad token", "signature", "expired", "payload")


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


def payload_hash(environ, signature: Signature) -> str:
    """The payload hash the canonical request ends with; Refused(PAYLOAD) when the body's is not the declared one."""
    declared = environ.get("HTTP_X_AMZ_CONTENT_SHA256") or (
        UNSIGNED_PAYLOAD if signature.presigned and signature.service == "s3" else "")
    if declared and not _HEX_DIGEST.fullmatch(declared):  # UNSIGNED-PAYLOAD, STREAMING-...
        return declared
    computed = hashlib.sha256(request_body(environ)).hexdigest()
    if declared and declared != computed:
        raise Refused(PAYLOAD, "the payload's SHA-256 is not the declared one", key_id=signature.key_id)
    return declared or computed
