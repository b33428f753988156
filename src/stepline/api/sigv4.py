"""AWS Signature Version 4 verification for ``stepline serve``.

A server-side implementation of the ``Authorization: AWS4-HMAC-SHA256 ...`` header scheme
that AWS SDKs, the AWS CLI and other SigV4 signers use, written from AWS's public
description of the algorithm (hashlib/hmac only):

1. canonical request: method, canonical URI, canonical query string, canonical headers,
   signed headers, hashed payload, each on its own line;
2. string to sign: ``AWS4-HMAC-SHA256``, the request time (ISO 8601 basic format), the
   credential scope ``<yyyymmdd>/<region>/<service>/aws4_request`` and the hex SHA-256 of
   the canonical request;
3. signing key: HMAC-SHA256 chain ``"AWS4" + secret`` -> date -> region -> service ->
   ``aws4_request``; the signature is the hex HMAC of the string to sign with that key.

What is verified, in this order (the first failure is the error answered):

* the ``Authorization`` header is present (else ``MissingAuthenticationTokenException``);
* it uses ``AWS4-HMAC-SHA256`` and has well-formed ``Credential``, ``SignedHeaders`` and
  ``Signature`` parameters, ``host`` and the date header are among the signed headers, a
  request date is present and parses (else ``IncompleteSignatureException``);
* the access key id is known (else ``UnrecognizedClientException``); an
  ``X-Amz-Security-Token`` (session credentials) is accepted for a known key id, but must be
  signed like any header;
* the credential scope's date is the request's date, its region the configured one (any
  region when none is configured) and its service the configured one, the request time is
  within ``max_skew`` of the clock, and the signature matches (else
  ``InvalidSignatureException``).

Status codes: AWS's JSON-protocol services (Step Functions, like DynamoDB, Kinesis or
Cognito, is served by the same front end) answer every one of these authentication failures
with HTTP 400 and the error name in ``__type``; the XML "common errors" tables list
``MissingAuthenticationToken`` as 403, but that is the Query/REST-XML protocols' answer and
API Gateway's. botocore does not depend on the status: any 4xx JSON body with ``__type``
becomes a ``ClientError`` whose ``Error.Code`` is that name. So every ``AuthError`` raised
here has status 400.

The request's ``path`` is the raw path as received on the wire (still percent-encoded,
without the query string) and ``query`` the raw query string (without ``?``). As AWS does
for every service but S3, the path is normalised (RFC 3986 dot segments removed, empty
segments dropped) and then URI-encoded again, so ``%`` becomes ``%25``. Query parameters are
decoded (``+`` read as a space, as an HTML form encoder writes it) and re-encoded with the
SigV4 rules (unreserved characters ``A-Z a-z 0-9 - _ . ~`` kept, every other byte as
``%XX``), then sorted by name and value. Not supported: presigned URLs (query-string
authentication), ``UNSIGNED-PAYLOAD`` and streaming (chunked) payloads, SigV4a.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from types import MappingProxyType
from typing import Final
from urllib.parse import unquote_to_bytes

from stepline.api.auth import AuthError

__all__ = [
    "DEV_CREDENTIALS",
    "CredentialsFileError",
    "SigV4Authenticator",
    "canonical_query_string",
    "canonical_request",
    "canonical_uri",
    "development_credentials",
    "load_credentials",
    "signing_key",
    "string_to_sign",
    "uri_encode",
]

_log = logging.getLogger(__name__)

ALGORITHM: Final = "AWS4-HMAC-SHA256"
TERMINATOR: Final = "aws4_request"
STATUS: Final = 400
_AMZ_DATE_FORMAT: Final = "%Y%m%dT%H%M%SZ"
_AMZ_DATE_RE: Final = re.compile(r"\d{8}T\d{6}Z")
_HEX_SHA256_RE: Final = re.compile(r"[0-9a-f]{64}")
_DISPLAY_NAMES: Final = MappingProxyType(
    {"x-amz-date": "X-Amz-Date", "date": "Date", "x-amz-security-token": "X-Amz-Security-Token"}
)
_UNRESERVED: Final = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
)

MISSING_TOKEN_MESSAGE: Final = "Missing Authentication Token"
UNRECOGNIZED_CLIENT_MESSAGE: Final = "The security token included in the request is invalid."
SIGNATURE_MISMATCH_MESSAGE: Final = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)

DEV_CREDENTIALS: Final[Mapping[str, str]] = MappingProxyType({"stepline": "stepline-secret"})
"""The documented development pair: access key id ``stepline``, secret ``stepline-secret``."""


def development_credentials() -> Mapping[str, str]:
    """The documented development credentials (read-only): ``stepline`` / ``stepline-secret``.

    For local use only: anyone who has read the documentation knows this secret.
    """
    return DEV_CREDENTIALS


def _incomplete(message: str) -> AuthError:
    return AuthError("IncompleteSignatureException", message, STATUS)


def _invalid(message: str) -> AuthError:
    return AuthError("InvalidSignatureException", message, STATUS)


# --------------------------------------------------------------------------- canonical form


def uri_encode(data: bytes | str, *, keep_slash: bool = False) -> str:
    """SigV4 URI encoding: unreserved characters kept, every other byte as ``%XX`` (upper)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    out: list[str] = []
    for byte in raw:
        if byte in _UNRESERVED or (keep_slash and byte == 0x2F):
            out.append(chr(byte))
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def canonical_uri(path: str) -> str:
    """The canonical URI of a raw (percent-encoded) request path, for non-S3 services."""
    if not path:
        return "/"
    segments: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    normalized = "/" + "/".join(segments)
    if path.endswith("/") and segments:
        normalized += "/"
    return uri_encode(normalized, keep_slash=True)


def canonical_query_string(query: str) -> str:
    """The canonical query string: each name and value decoded, re-encoded, pairs sorted."""
    pairs: list[tuple[str, str]] = []
    for item in query.split("&"):
        if not item:
            continue
        name, _, value = item.partition("=")
        pairs.append((_reencode_query_part(name), _reencode_query_part(value)))
    pairs.sort()
    return "&".join(f"{name}={value}" for name, value in pairs)


def _reencode_query_part(part: str) -> str:
    return uri_encode(unquote_to_bytes(part.replace("+", " ")))


def _lowercase_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Header names lowercased; values of names that differ only in case joined by ``,``."""
    lowered: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower().strip()
        lowered[key] = f"{lowered[key]},{value}" if key in lowered else value
    return lowered


def _canonical_header_value(value: str) -> str:
    """Leading and trailing whitespace trimmed, inner runs collapsed to one space."""
    return " ".join(value.split())


def canonical_request(
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    signed_headers: tuple[str, ...],
    payload_hash: str,
) -> str:
    """The SigV4 canonical request (``headers`` already lowercased)."""
    header_lines = "".join(
        f"{name}:{_canonical_header_value(headers.get(name, ''))}\n"
        for name in sorted(signed_headers)
    )
    return "\n".join(
        (
            method.upper(),
            canonical_uri(path),
            canonical_query_string(query),
            header_lines,
            ";".join(signed_headers),
            payload_hash,
        )
    )


def _hmac_sha256(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    """The derived key: kDate -> kRegion -> kService -> kSigning."""
    k_date = _hmac_sha256(f"AWS4{secret}".encode(), date)
    k_region = _hmac_sha256(k_date, region)
    k_service = _hmac_sha256(k_region, service)
    return _hmac_sha256(k_service, TERMINATOR)


def string_to_sign(request_time: str, scope: str, canonical: str) -> str:
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return "\n".join((ALGORITHM, request_time, scope, digest))


# --------------------------------------------------------------------------- Authorization


@dataclass(frozen=True)
class _Authorization:
    access_key: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/{TERMINATOR}"


def _parse_authorization(header: str, has_date: bool) -> _Authorization:
    value = header.strip()
    algorithm, *remainder = value.split(None, 1)
    rest = remainder[0] if remainder else ""
    if algorithm != ALGORITHM:
        if algorithm.startswith("AWS4-") or algorithm == "AWS":
            raise _incomplete(
                f"Unsupported AWS 'algorithm': '{algorithm}'. "
                f"This service supports '{ALGORITHM}' only."
            )
        rest = ""  # not an AWS scheme: every parameter is missing
    params: dict[str, str] = {}
    # Parameters are separated by commas; AWS also splits on whitespace, so a stray space
    # inside a value (a pasted key id, say) is reported as a component without '='.
    for component in re.split(r"[,\s]+", rest):
        if not component:
            continue
        key, equals, param = component.partition("=")
        if not equals:
            raise _incomplete(
                f"'{component}' not a valid key=value pair (missing equal-sign) "
                f"in Authorization header: '{value}'."
            )
        if key in params:
            raise _incomplete(f"Authorization header has a duplicate '{key}' parameter: '{value}'.")
        params[key] = param
    problems = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not params.get(name)
    ]
    if not has_date:
        problems.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if problems:
        raise _incomplete(" ".join([*problems, f"Authorization={value}"]))

    credential = params["Credential"]
    parts = credential.split("/")
    if len(parts) != 5 or not all(parts):
        raise _incomplete(
            "Credential must have exactly 5 slash-delimited elements, "
            f"e.g. keyid/date/region/service/term, got '{credential}'"
        )
    access_key, date, region, service, terminator = parts
    if terminator != TERMINATOR:
        raise _incomplete(
            f"Credential should be scoped with a valid terminator: '{TERMINATOR}', "
            f"not '{terminator}'."
        )
    signed = tuple(params["SignedHeaders"].split(";"))
    if not all(signed) or len(set(signed)) != len(signed):
        raise _incomplete(
            f"SignedHeaders must be distinct, non-empty header names separated by ';', "
            f"got '{params['SignedHeaders']}'."
        )
    if "host" not in signed:
        raise _incomplete("'Host' must be a 'SignedHeader' in the AWS Authorization.")
    return _Authorization(access_key, date, region, service, signed, params["Signature"])


def _request_time(headers: Mapping[str, str]) -> tuple[str, str, datetime]:
    """(header name, ISO 8601 basic timestamp, aware datetime) of the request date."""
    amz_date = headers.get("x-amz-date")
    if amz_date is not None:
        text = amz_date.strip()
        if _AMZ_DATE_RE.fullmatch(text):
            try:
                when = datetime.strptime(text, _AMZ_DATE_FORMAT).replace(tzinfo=UTC)
            except ValueError:
                pass
            else:
                return "x-amz-date", text, when
        raise _incomplete(f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'.")
    date = headers.get("date", "").strip()
    parsed: datetime | None = None
    if _AMZ_DATE_RE.fullmatch(date):
        try:
            parsed = datetime.strptime(date, _AMZ_DATE_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            parsed = None
    else:
        try:
            parsed = parsedate_to_datetime(date)
        except (TypeError, ValueError, IndexError):
            parsed = None
    if parsed is None:
        raise _incomplete(
            f"Date header must be an HTTP date or ISO-8601 'basic format'. Got '{date}'."
        )
    when = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return "date", when.strftime(_AMZ_DATE_FORMAT), when


def _skew_text(skew: timedelta) -> str:
    seconds = int(skew.total_seconds())
    return f"{seconds // 60} min." if seconds % 60 == 0 else f"{seconds} sec."


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SigV4Authenticator:
    """Verify AWS Signature Version 4 ``Authorization`` headers (see the module docstring).

    ``credentials`` maps access key ids to secret keys. ``region``: the only region accepted
    in the credential scope (``None``: any). ``service``: the service name the scope must
    name (``states`` for Step Functions clients); ``services_by_target``: the service name
    for requests whose X-Amz-Target starts with a prefix (``{"AWSGlue.": "glue"}``: boto3's
    Glue client signs for "glue" on the same endpoint). ``clock`` returns "now" (aware, or naive in
    UTC); ``max_skew`` is how far the request time may differ from it either way.
    """

    def __init__(
        self,
        credentials: Mapping[str, str],
        region: str | None = None,
        service: str = "states",
        clock: Callable[[], datetime] | None = None,
        max_skew: timedelta = timedelta(minutes=15),
        services_by_target: Mapping[str, str] | None = None,
    ) -> None:
        if not credentials:
            raise ValueError("SigV4Authenticator needs at least one access key")
        for access_key, secret in credentials.items():
            if not access_key or "/" in access_key or access_key != access_key.strip():
                raise ValueError(f"invalid access key id {access_key!r}")
            if not secret:
                raise ValueError(f"access key {access_key!r} has an empty secret key")
        if max_skew < timedelta(0):
            raise ValueError("max_skew must not be negative")
        self._credentials: Mapping[str, str] = MappingProxyType(dict(credentials))
        self._region = region
        self._service = service
        self._services_by_target = dict(services_by_target or {})
        self._clock = clock if clock is not None else _utc_now
        self._max_skew = max_skew

    @property
    def access_keys(self) -> frozenset[str]:
        """The access key ids this authenticator accepts."""
        return frozenset(self._credentials)

    def check(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> None:
        """Return when the request is signed by a known key; raise ``AuthError`` otherwise."""
        lowered = _lowercase_headers(headers)
        authorization = lowered.get("authorization")
        if authorization is None or not authorization.strip():
            raise AuthError("MissingAuthenticationTokenException", MISSING_TOKEN_MESSAGE, STATUS)
        has_date = "x-amz-date" in lowered or "date" in lowered
        auth = _parse_authorization(authorization, has_date)
        date_header, request_time, when = _request_time(lowered)
        for required in (date_header, "x-amz-security-token"):
            if required in lowered and required not in auth.signed_headers:
                raise _incomplete(
                    f"'{_DISPLAY_NAMES[required]}' must be a 'SignedHeader' "
                    "in the AWS Authorization."
                )

        secret = self._credentials.get(auth.access_key)
        if secret is None:
            raise AuthError("UnrecognizedClientException", UNRECOGNIZED_CLIENT_MESSAGE, STATUS)

        if auth.date != request_time[:8]:
            raise _invalid(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                f"date from HTTP: '{auth.date}' != '{request_time[:8]}', from '{request_time}'."
            )
        if self._region is not None and auth.region != self._region:
            raise _invalid(f"Credential should be scoped to a valid region, not '{auth.region}'.")
        service = self._service_for(lowered.get("x-amz-target", ""))
        if auth.service != service:
            raise _invalid(f"Credential should be scoped to correct service: '{service}'.")
        self._check_time(when)

        payload_hash = self._payload_hash(lowered, body)
        canonical = canonical_request(
            method, path, query, lowered, auth.signed_headers, payload_hash
        )
        to_sign = string_to_sign(request_time, auth.scope, canonical)
        key = signing_key(secret, auth.date, auth.region, auth.service)
        expected = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected.encode(), auth.signature.encode("utf-8")):
            if _log.isEnabledFor(logging.DEBUG):
                token = lowered.get("x-amz-security-token")
                shown = canonical if not token else canonical.replace(token, "<redacted>")
                _log.debug(
                    "SigV4 signature mismatch for %s; canonical request:\n%s\nstring to sign:\n%s",
                    auth.access_key,
                    shown,
                    to_sign,
                )
            raise _invalid(SIGNATURE_MISMATCH_MESSAGE)

    def _service_for(self, target: str) -> str:
        """The service a request's credential scope must name, by its X-Amz-Target."""
        for prefix, service in self._services_by_target.items():
            if target.startswith(prefix):
                return service
        return self._service

    def _check_time(self, when: datetime) -> None:
        now = self._clock()
        now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
        skew = _skew_text(self._max_skew)
        shown = when.strftime(_AMZ_DATE_FORMAT)
        earliest = now - self._max_skew
        latest = now + self._max_skew
        if when < earliest:
            raise _invalid(
                f"Signature expired: {shown} is now earlier than "
                f"{earliest.strftime(_AMZ_DATE_FORMAT)} "
                f"({now.strftime(_AMZ_DATE_FORMAT)} - {skew})"
            )
        if when > latest:
            raise _invalid(
                f"Signature not yet current: {shown} is still later than "
                f"{latest.strftime(_AMZ_DATE_FORMAT)} "
                f"({now.strftime(_AMZ_DATE_FORMAT)} + {skew})"
            )

    @staticmethod
    def _payload_hash(headers: Mapping[str, str], body: bytes) -> str:
        actual = hashlib.sha256(body).hexdigest()
        declared = headers.get("x-amz-content-sha256")
        if declared is None:
            return actual
        declared = declared.strip()
        if not _HEX_SHA256_RE.fullmatch(declared):
            raise _incomplete(
                "x-amz-content-sha256 must be the lowercase hex SHA-256 of the payload; "
                f"unsigned and streaming payloads are not supported, got '{declared}'."
            )
        if not hmac.compare_digest(declared, actual):
            raise _invalid(
                "The provided 'x-amz-content-sha256' header does not match what was computed."
            )
        return declared


# --------------------------------------------------------------------------- credentials file


class CredentialsFileError(ValueError):
    """A credentials file that cannot be read or does not have the expected shape."""


_ENTRY_KEYS: Final = frozenset({"access_key", "secret_key"})
_ENTRY_HEADER_RE: Final = re.compile(r"^\s*\[\[\s*credentials\s*\]\]\s*(#.*)?$")


def load_credentials(path: str | os.PathLike[str]) -> Mapping[str, str]:
    """Read access key id -> secret key pairs from a TOML file (read-only mapping).

    The format::

        [[credentials]]
        access_key = "AKIDEXAMPLE"
        secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

    one ``[[credentials]]`` table per key pair; no other keys are allowed. Raises
    ``CredentialsFileError`` naming the file and the line or key at fault.
    """
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise CredentialsFileError(f"{name}: credentials file not found") from None
    except OSError as error:
        raise CredentialsFileError(
            f"{name}: cannot read credentials file: {error.strerror or error}"
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise CredentialsFileError(f"{name}: line {line}: not valid UTF-8") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CredentialsFileError(f"{name}: invalid TOML: {error}") from None

    unknown = sorted(set(document) - {"credentials"})
    if unknown:
        raise CredentialsFileError(
            f"{name}: unknown top-level key {unknown[0]!r} (expected only [[credentials]] tables)"
        )
    entries = document.get("credentials")
    if entries is None:
        raise CredentialsFileError(f"{name}: no [[credentials]] tables (at least one is needed)")
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise CredentialsFileError(
            f"{name}: 'credentials' must be an array of tables, written [[credentials]]"
        )
    if not entries:
        raise CredentialsFileError(f"{name}: no [[credentials]] tables (at least one is needed)")

    header_lines = [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if _ENTRY_HEADER_RE.match(line)
    ]

    def where(index: int) -> str:
        if len(header_lines) == len(entries):
            return f"{name}: line {header_lines[index]}: [[credentials]] #{index + 1}"
        return f"{name}: [[credentials]] #{index + 1}"

    result: dict[str, str] = {}
    for index, entry in enumerate(entries):
        extra = sorted(set(entry) - _ENTRY_KEYS)
        if extra:
            raise CredentialsFileError(
                f"{where(index)}: unknown key {extra[0]!r} (expected 'access_key' and 'secret_key')"
            )
        for key in sorted(_ENTRY_KEYS):
            if key not in entry:
                raise CredentialsFileError(f"{where(index)}: missing key {key!r}")
            value = entry[key]
            if not isinstance(value, str) or not value:
                raise CredentialsFileError(f"{where(index)}: {key!r} must be a non-empty string")
        access_key = entry["access_key"]
        if "/" in access_key or access_key != access_key.strip() or " " in access_key:
            raise CredentialsFileError(
                f"{where(index)}: 'access_key' {access_key!r} must not contain '/' or spaces"
            )
        if access_key in result:
            raise CredentialsFileError(f"{where(index)}: duplicate 'access_key' {access_key!r}")
        result[access_key] = entry["secret_key"]
    return MappingProxyType(result)
