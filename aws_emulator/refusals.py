"""How a refused request is answered: in the error shape of the protocol it was sent in.

Each service's API reference ("Common Errors"; EC2: "Error codes for the Amazon EC2 API"; S3: "Error
responses") gives the HTTP status, code and message: EC2 `AuthFailure` (401), S3 `InvalidAccessKeyId` (403),
the query services' `InvalidClientTokenId` (403), the JSON services' `UnrecognizedClientException` (400); a
request with no signature gets `MissingAuthenticationToken` (S3: `AccessDenied`). The emulator's own routes
(`/_vpn_emulator/...`) answer as a REST JSON service.
"""

from __future__ import annotations

import re
import sys
import uuid
from urllib.parse import parse_qsl
from xml.sax.saxutils import escape

from aws_emulator.signing import (
    BAD_TOKEN,
    EXPIRED,
    MALFORMED,
    MISSING,
    PAYLOAD,
    SIGNATURE,
    UNKNOWN_KEY,
    Refused,
    request_body,
    signature_of,
)

CONTROL_PREFIX = "/_vpn_emulator/"
EC2_API_VERSION = "2016-11-15"

_SIGNATURE_MESSAGE = ("The request signature we calculated does not match the signature you provided. "
                      "Check your AWS Secret Access Key and signing method. Consult the service documentation "
                      "for details.")
_S3_SIGNATURE_MESSAGE = ("The request signature we calculated does not match the signature you provided. "
                         "Check your key and signing method.")
_INVALID_TOKEN = "The security token included in the request is invalid."
_INCOMPLETE = "The request signature does not conform to AWS standards."


def _by_reason(missing, malformed, unknown_key, signature, expired, *, bad_token=None, payload=None) -> dict:
    """A protocol's (HTTP status, code, message) by reason. Temporary credentials without their token are
    answered as an unknown key, and a payload that is not the declared one as a wrong signature, unless the
    protocol answers them otherwise (S3 does)."""
    return {MISSING: missing, MALFORMED: malformed, UNKNOWN_KEY: unknown_key, BAD_TOKEN: bad_token or unknown_key,
            SIGNATURE: signature, EXPIRED: expired, PAYLOAD: payload or signature}


# EC2 and the other query services answer a garbled, wrong or expired signature alike.
_QUERY_SIGNATURE_REFUSALS = {
    "malformed": (400, "IncompleteSignature", _INCOMPLETE),
    "signature": (403, "SignatureDoesNotMatch", _SIGNATURE_MESSAGE),
    "expired": (400, "RequestExpired", "Request has expired."),
}
REFUSALS: dict[str, dict[str, tuple[int, str, str]]] = {
    "ec2": _by_reason(
        missing=(401, "MissingAuthenticationToken", "The request must contain valid credentials."),
        unknown_key=(401, "AuthFailure", "AWS was not able to validate the provided access credentials"),
        **_QUERY_SIGNATURE_REFUSALS),
    "query": _by_reason(  # STS, IAM, SNS, CloudWatch
        missing=(403, "MissingAuthenticationToken", "Request is missing Authentication Token"),
        unknown_key=(403, "InvalidClientTokenId", _INVALID_TOKEN),
        **_QUERY_SIGNATURE_REFUSALS),
    "json": _by_reason(  # Secrets Manager, ACM, CloudWatch Logs, KMS; rpc-v2-cbor (CloudWatch) answers the same
        missing=(400, "MissingAuthenticationTokenException", "Missing Authentication Token"),
        malformed=(400, "IncompleteSignatureException", _INCOMPLETE),
        unknown_key=(400, "UnrecognizedClientException", _INVALID_TOKEN),
        signature=(400, "InvalidSignatureException", _SIGNATURE_MESSAGE),
        expired=(400, "InvalidSignatureException", "Signature expired.")),
    "s3": _by_reason(
        missing=(403, "AccessDenied", "Access Denied"),
        malformed=(400, "AuthorizationHeaderMalformed", "The authorization header is malformed."),
        unknown_key=(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."),
        signature=(403, "SignatureDoesNotMatch", _S3_SIGNATURE_MESSAGE),
        expired=(403, "AccessDenied", "Request has expired"),
        bad_token=(400, "InvalidToken", "The provided token is malformed or otherwise invalid."),
        payload=(400, "XAmzContentSHA256Mismatch",
                 "The provided 'x-amz-content-sha256' header does not match what was computed.")),
}
REFUSALS["rest-json"] = {reason: (403, code, message) for reason, (_, code, message) in REFUSALS["json"].items()}
_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden"}


def refuse(environ, refused: Refused, start_response):
    """Logs the refusal (with the canonical request, which holds no secret, when the signature was wrong) and
    answers it as the request's protocol does."""
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
