"""SigV4 verification (stepline.api.sigv4), checked against botocore's own signer.

Requests are signed with ``botocore.auth.SigV4Auth`` on ``botocore.awsrequest.AWSRequest``,
prepared as botocore would send them, and handed to ``SigV4Authenticator.check`` the way the
HTTP server does: method, raw path, raw query string, headers (with the ``Host`` the HTTP
client adds) and body. No server is started.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import botocore.session
import pytest
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSPreparedRequest, AWSRequest, AWSResponse
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from stepline.api.auth import AuthError
from stepline.api.sigv4 import (
    DEV_CREDENTIALS,
    SIGNATURE_MISMATCH_MESSAGE,
    CredentialsFileError,
    SigV4Authenticator,
    canonical_query_string,
    canonical_uri,
    development_credentials,
    load_credentials,
    signing_key,
)

ACCESS_KEY = "AKIDSTEPLINE"
SECRET = "s3cr3t/Key+With=Symbols"
REGION = "us-east-1"
ENDPOINT = "http://localhost:8083"
SIGNED_AT = datetime(2024, 5, 6, 7, 8, 9)  # naive UTC, as botocore's clock returns it
SIGNED_AT_TEXT = "20240506T070809Z"
TARGET_HEADERS = {
    "X-Amz-Target": "AWSStepFunctions.ListStateMachines",
    "Content-Type": "application/x-amz-json-1.0",
}
JSON_BODY = b'{"maxResults": 10}'


@dataclass(frozen=True)
class Wire:
    """A request as the server receives it."""

    method: str
    path: str
    query: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def with_header(self, name: str, value: str | None) -> Wire:
        headers = {k: v for k, v in self.headers.items() if k.lower() != name.lower()}
        if value is not None:
            headers[name] = value
        return replace(self, headers=headers)

    def with_authorization(self, transform: Callable[[str], str]) -> Wire:
        return self.with_header("Authorization", transform(self.headers["Authorization"]))


def _wire(prepared: AWSPreparedRequest) -> Wire:
    parts = urlsplit(prepared.url)
    headers = {
        name: value.decode("utf-8") if isinstance(value, bytes) else value
        for name, value in prepared.headers.items()
    }
    headers.setdefault("Host", parts.netloc)  # the HTTP client adds it on the way out
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return Wire(prepared.method, parts.path, parts.query, headers, body)


def sign(
    method: str = "POST",
    url: str = ENDPOINT + "/",
    *,
    params: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    access_key: str = ACCESS_KEY,
    secret: str = SECRET,
    token: str | None = None,
    region: str = REGION,
    service: str = "states",
    at: datetime = SIGNED_AT,
) -> Wire:
    request = AWSRequest(
        method=method, url=url, params=params or [], data=body, headers=dict(headers or {})
    )
    with mock.patch("botocore.auth.get_current_datetime", return_value=at):
        SigV4Auth(Credentials(access_key, secret, token), service, region).add_auth(request)
    return _wire(request.prepare())


def sign_json(headers: dict[str, str] | None = None, **kwargs: Any) -> Wire:
    return sign(body=JSON_BODY, headers={**TARGET_HEADERS, **(headers or {})}, **kwargs)


SIGNED_AT_UTC = SIGNED_AT.replace(tzinfo=UTC)


def authenticator(now: datetime = SIGNED_AT_UTC, **kwargs: Any) -> SigV4Authenticator:
    kwargs.setdefault("region", REGION)
    return SigV4Authenticator(
        {ACCESS_KEY: SECRET, "OTHERKEY": "other"}, clock=lambda: now, **kwargs
    )


def check(wire: Wire, auth: SigV4Authenticator | None = None) -> None:
    (auth or authenticator()).check(wire.method, wire.path, wire.query, wire.headers, wire.body)


def refused(wire: Wire, code: str, auth: SigV4Authenticator | None = None) -> AuthError:
    with pytest.raises(AuthError) as caught:
        check(wire, auth)
    assert caught.value.code == code, caught.value
    assert caught.value.status == 400
    return caught.value


def _replace_param(name: str, value: str) -> Callable[[str], str]:
    return lambda header: re.sub(rf"{name}=[^,]*", f"{name}={value}", header)


# --------------------------------------------------------------------------- accepted requests


def test_post_with_x_amz_target_json_body_passes() -> None:
    wire = sign_json()
    assert wire.headers["X-Amz-Date"] == SIGNED_AT_TEXT
    check(wire)


def test_header_names_are_matched_case_insensitively() -> None:
    wire = sign_json()
    check(replace(wire, headers={k.upper(): v for k, v in wire.headers.items()}))
    check(replace(wire, headers={k.lower(): v for k, v in wire.headers.items()}))


@pytest.mark.parametrize(
    "params",
    [
        [("Action", "ListUsers"), ("Version", "2010-05-08")],
        [("b", "2"), ("a", "1"), ("c", "3")],
        [("key", "b"), ("key", "a"), ("key", "c")],  # repeated keys, sorted by value
        [("empty", ""), ("also-empty", "")],
        [("spaces", "a b  c"), ("lead", " x ")],
        [("special", "!*'();:@&=+$,/?#[]%~"), ("tilde~", "-_.")],
        [("ünïcödé", "välue ✓"), ("emoji", "🙂")],
        [("plus", "1+1=2")],
    ],
    ids=["plain", "unsorted", "repeated", "empty", "spaces", "special", "unicode", "plus"],
)
def test_get_with_query_parameters_passes(params: list[tuple[str, str]]) -> None:
    check(sign("GET", params=params))


@pytest.mark.parametrize(
    "url",
    [
        ENDPOINT + "/?z=last&a=first&m=%20middle",  # already encoded in the URL
        ENDPOINT + "/?flag&a=1",  # a name without '='
        ENDPOINT + "/?a=1&a=0&a=",
        ENDPOINT + "/?%C3%A9t%C3%A9=caf%C3%A9",
    ],
)
def test_get_with_query_in_the_url_passes(url: str) -> None:
    check(sign("GET", url))


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/caf%C3%A9/%E2%9C%93",  # unicode segments, percent-encoded on the wire
        "/with%20space/and%2Bplus",
        "/a/./b/../c",  # dot segments are normalised away
        "//double//slashes",
        "/trailing/",
        "/~user/file.json",
        "/encoded%2Fslash/x",
        "/%E2%80%8B",
    ],
)
def test_paths_are_canonicalised_like_the_sdk(path: str) -> None:
    check(sign("GET", ENDPOINT + path))


def test_request_without_path_is_signed_as_root() -> None:
    wire = sign("GET", ENDPOINT + "/")
    check(replace(wire, path=""))
    assert canonical_uri("") == "/"


def test_canonical_uri_encodes_the_raw_path_again() -> None:
    assert canonical_uri("/caf%C3%A9/a b") == "/caf%25C3%25A9/a%20b"
    assert canonical_uri("/a/./b/../../c//d/") == "/c/d/"
    assert canonical_uri("/../..") == "/"


def test_canonical_query_string_sorts_and_reencodes() -> None:
    assert canonical_query_string("b=2&a=%7e&a=1&c&d=x+y&&") == "a=1&a=~&b=2&c=&d=x%20y"
    assert canonical_query_string("") == ""


def test_session_token_is_accepted_for_a_known_key() -> None:
    wire = sign_json(token="FwoGZXIvYXdzE//session+token==")
    assert wire.headers["X-Amz-Security-Token"] == "FwoGZXIvYXdzE//session+token=="
    check(wire)


def test_date_header_instead_of_x_amz_date_passes() -> None:
    wire = sign_json(headers={"Date": "placeholder"})
    assert "X-Amz-Date" not in wire.headers
    assert wire.headers["Date"].startswith("Mon, 06 May 2024 07:08:09")
    check(wire)


def test_x_amz_content_sha256_header_is_used_when_present() -> None:
    digest = hashlib.sha256(JSON_BODY).hexdigest()
    wire = sign(body=JSON_BODY, headers={**TARGET_HEADERS, "X-Amz-Content-Sha256": digest})
    check(wire)


def test_headers_outside_signed_headers_are_ignored() -> None:
    wire = sign_json().with_header("User-Agent", "added/after-signing")
    check(wire.with_header("X-Forwarded-For", "127.0.0.1"))


def test_header_values_are_trimmed_and_inner_spaces_collapsed() -> None:
    wire = sign_json(headers={"X-Custom": "  a   b \t c  "})
    check(wire)
    check(wire.with_header("X-Custom", "a b c"))  # same canonical value
    refused(wire.with_header("X-Custom", "a bc"), "InvalidSignatureException")


def test_any_region_is_accepted_when_none_is_configured() -> None:
    check(sign_json(region="eu-central-1"), authenticator(region=None))


def test_clock_skew_up_to_the_limit_passes() -> None:
    wire = sign_json()
    at = SIGNED_AT.replace(tzinfo=UTC)
    check(wire, authenticator(at + timedelta(minutes=15)))
    check(wire, authenticator(at - timedelta(minutes=15)))
    check(wire, authenticator(SIGNED_AT + timedelta(minutes=5)))  # naive clock: UTC


def test_aws_documented_example_signature() -> None:
    """The IAM ListUsers example of AWS's SigV4 documentation, built by hand."""
    secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    key = signing_key(secret, "20150830", "us-east-1", "iam")
    assert key.hex() == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
    headers = {
        "Host": "iam.amazonaws.com",
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
        "X-Amz-Date": "20150830T123600Z",
        "Authorization": (
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        ),
    }
    auth = SigV4Authenticator(
        {"AKIDEXAMPLE": secret},
        region="us-east-1",
        service="iam",
        clock=lambda: datetime(2015, 8, 30, 12, 40, tzinfo=UTC),
    )
    auth.check("GET", "/", "Action=ListUsers&Version=2010-05-08", headers, b"")
    with pytest.raises(AuthError):
        auth.check("GET", "/", "Action=ListUsers&Version=2010-05-09", headers, b"")


# --------------------------------------------------------------------------- refused requests


def test_tampered_body_is_refused() -> None:
    error = refused(replace(sign_json(), body=b'{"maxResults": 11}'), "InvalidSignatureException")
    assert error.message == SIGNATURE_MISMATCH_MESSAGE
    assert error.message == (
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. "
        "Consult the service documentation for details."
    )


@pytest.mark.parametrize(
    "tamper",
    [
        lambda w: w.with_header("X-Amz-Target", "AWSStepFunctions.DeleteStateMachine"),
        lambda w: w.with_header("Content-Type", "application/json"),
        lambda w: w.with_header("Host", "localhost:9999"),
        lambda w: w.with_header("Host", None),
        lambda w: replace(w, method="PUT"),
        lambda w: replace(w, path="/other"),
        lambda w: replace(w, query="x=1"),
        lambda w: w.with_authorization(lambda h: h[:-1] + ("0" if h[-1] != "0" else "1")),
        lambda w: w.with_authorization(_replace_param("Signature", "ü" * 64)),
        lambda w: w.with_authorization(_replace_param("Signature", "abc")),
    ],
    ids=[
        "target",
        "content-type",
        "host",
        "host-dropped",
        "method",
        "path",
        "query",
        "signature",
        "non-ascii-signature",
        "short-signature",
    ],
)
def test_tampered_request_is_refused(tamper: Callable[[Wire], Wire]) -> None:
    wire = sign_json()
    check(wire)
    error = refused(tamper(wire), "InvalidSignatureException")
    assert error.message == SIGNATURE_MISMATCH_MESSAGE


def test_tampered_query_value_is_refused() -> None:
    wire = sign("GET", params=[("a", "1"), ("b", "two words")])
    check(wire)
    refused(replace(wire, query=wire.query.replace("two", "three")), "InvalidSignatureException")


def test_wrong_secret_is_refused() -> None:
    refused(sign_json(secret="not-the-secret"), "InvalidSignatureException")


def test_another_keys_secret_is_refused() -> None:
    refused(sign_json(access_key="OTHERKEY"), "InvalidSignatureException")
    check(sign_json(access_key="OTHERKEY", secret="other"))


def test_unknown_access_key_is_unrecognized() -> None:
    error = refused(sign_json(access_key="AKIDUNKNOWN"), "UnrecognizedClientException")
    assert error.message == "The security token included in the request is invalid."


def test_unknown_access_key_with_session_token_is_unrecognized() -> None:
    refused(sign_json(access_key="AKIDUNKNOWN", token="tok"), "UnrecognizedClientException")


def test_tampered_session_token_is_refused() -> None:
    wire = sign_json(token="session-token")
    refused(wire.with_header("X-Amz-Security-Token", "other-token"), "InvalidSignatureException")


def test_mismatch_is_logged_at_debug_without_the_session_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    wire = sign_json(secret="wrong", token="very-secret-session-token")
    with caplog.at_level("DEBUG", logger="stepline.api.sigv4"):
        refused(wire, "InvalidSignatureException")
    assert "canonical request:\nPOST\n/\n\ncontent-type:application/x-amz-json-1.0" in caplog.text
    assert "x-amz-security-token:<redacted>" in caplog.text
    assert "very-secret-session-token" not in caplog.text


def test_unsigned_session_token_is_refused() -> None:
    wire = sign_json().with_header("X-Amz-Security-Token", "added-after-signing")
    error = refused(wire, "IncompleteSignatureException")
    assert error.message == (
        "'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization."
    )


def test_wrong_region_is_refused() -> None:
    error = refused(sign_json(region="eu-west-1"), "InvalidSignatureException")
    assert error.message == "Credential should be scoped to a valid region, not 'eu-west-1'."


def test_wrong_service_is_refused() -> None:
    error = refused(sign_json(service="lambda"), "InvalidSignatureException")
    assert error.message == "Credential should be scoped to correct service: 'states'."


def test_other_configured_service_is_enforced() -> None:
    check(sign_json(service="lambda"), authenticator(service="lambda"))
    refused(sign_json(), "InvalidSignatureException", authenticator(service="lambda"))


def test_credential_scope_date_must_match_request_date() -> None:
    wire = sign_json().with_authorization(lambda h: h.replace("/20240506/", "/20240505/"))
    error = refused(wire, "InvalidSignatureException")
    assert error.message == (
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
        "from HTTP: '20240505' != '20240506', from '20240506T070809Z'."
    )


def test_x_amz_date_is_part_of_the_signature() -> None:
    wire = sign_json().with_header("X-Amz-Date", "20240506T070810Z")
    refused(wire, "InvalidSignatureException")


def test_host_must_be_a_signed_header() -> None:
    wire = sign_json().with_authorization(
        _replace_param("SignedHeaders", "content-type;x-amz-date;x-amz-target")
    )
    error = refused(wire, "IncompleteSignatureException")
    assert error.message == "'Host' must be a 'SignedHeader' in the AWS Authorization."


def test_date_header_must_be_signed() -> None:
    wire = sign_json().with_authorization(
        _replace_param("SignedHeaders", "content-type;host;x-amz-target")
    )
    error = refused(wire, "IncompleteSignatureException")
    assert error.message == "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."


def test_request_older_than_the_skew_is_expired() -> None:
    now = SIGNED_AT.replace(tzinfo=UTC) + timedelta(minutes=15, seconds=1)
    error = refused(sign_json(), "InvalidSignatureException", authenticator(now))
    assert error.message == (
        "Signature expired: 20240506T070809Z is now earlier than 20240506T070810Z "
        "(20240506T072310Z - 15 min.)"
    )


def test_request_later_than_the_skew_is_not_yet_current() -> None:
    now = SIGNED_AT.replace(tzinfo=UTC) - timedelta(minutes=16)
    error = refused(sign_json(), "InvalidSignatureException", authenticator(now))
    assert error.message == (
        "Signature not yet current: 20240506T070809Z is still later than 20240506T070709Z "
        "(20240506T065209Z + 15 min.)"
    )


def test_custom_max_skew() -> None:
    wire = sign_json()
    now = SIGNED_AT.replace(tzinfo=UTC) + timedelta(minutes=6)
    check(wire, authenticator(now))
    error = refused(
        wire, "InvalidSignatureException", authenticator(now, max_skew=timedelta(minutes=5))
    )
    assert error.message.endswith("- 5 min.)")


def test_skew_is_checked_for_the_date_header_too() -> None:
    wire = sign_json(headers={"Date": "placeholder"})
    now = SIGNED_AT.replace(tzinfo=UTC) + timedelta(hours=1)
    error = refused(wire, "InvalidSignatureException", authenticator(now))
    assert error.message.startswith("Signature expired: 20240506T070809Z")


def test_declared_payload_hash_must_match_the_body() -> None:
    digest = hashlib.sha256(JSON_BODY).hexdigest()
    wire = sign(body=JSON_BODY, headers={**TARGET_HEADERS, "X-Amz-Content-Sha256": digest})
    error = refused(replace(wire, body=b"{}"), "InvalidSignatureException")
    assert "x-amz-content-sha256" in error.message


def test_unsigned_payload_is_not_supported() -> None:
    wire = sign(
        body=JSON_BODY, headers={**TARGET_HEADERS, "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"}
    )
    error = refused(wire, "IncompleteSignatureException")
    assert "UNSIGNED-PAYLOAD" in error.message


@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_authorization_is_missing_authentication_token(value: str | None) -> None:
    wire = sign_json().with_header("Authorization", value)
    error = refused(wire, "MissingAuthenticationTokenException")
    assert error.message == "Missing Authentication Token"


@pytest.mark.parametrize(
    ("transform", "expected"),
    [
        (
            lambda h: "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x",
            "Authorization header requires 'Credential' parameter. Authorization header "
            "requires 'Signature' parameter. Authorization header requires 'SignedHeaders' "
            "parameter. Authorization=Bearer eyJhbGciOiJIUzI1NiJ9.e30.x",
        ),
        (
            lambda h: "AWS4-HMAC-SHA256",
            "Authorization header requires 'Credential' parameter.",
        ),
        (
            lambda h: re.sub(r",\s*Signature=\w+", "", h),
            "Authorization header requires 'Signature' parameter. Authorization=",
        ),
        (
            lambda h: re.sub(r",\s*SignedHeaders=[^,]+", "", h),
            "Authorization header requires 'SignedHeaders' parameter.",
        ),
        (_replace_param("Signature", ""), "requires 'Signature' parameter"),
        (
            lambda h: h.replace(ACCESS_KEY + "/", ACCESS_KEY + " /"),
            "'/20240506/us-east-1/states/aws4_request' not a valid key=value pair "
            "(missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential=",
        ),
        (
            lambda h: h.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512"),
            "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'.",
        ),
        (
            _replace_param("Credential", f"{ACCESS_KEY}/20240506/us-east-1/states"),
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            "keyid/date/region/service/term, got 'AKIDSTEPLINE/20240506/us-east-1/states'",
        ),
        (
            _replace_param("Credential", f"{ACCESS_KEY}/20240506//states/aws4_request"),
            "Credential must have exactly 5 slash-delimited elements",
        ),
        (
            lambda h: h.replace("aws4_request", "aws5_request"),
            "Credential should be scoped with a valid terminator: 'aws4_request', "
            "not 'aws5_request'.",
        ),
        (
            lambda h: h + ", Signature=" + "0" * 64,
            "Authorization header has a duplicate 'Signature' parameter",
        ),
        (
            _replace_param("SignedHeaders", "host;;x-amz-date"),
            "SignedHeaders must be distinct, non-empty header names",
        ),
        (
            _replace_param("SignedHeaders", "host;host;x-amz-date"),
            "SignedHeaders must be distinct, non-empty header names",
        ),
    ],
    ids=[
        "other-scheme",
        "algorithm-only",
        "no-signature",
        "no-signed-headers",
        "empty-signature",
        "space-in-credential",
        "other-algorithm",
        "short-credential",
        "empty-scope-element",
        "bad-terminator",
        "duplicate-parameter",
        "empty-signed-header",
        "duplicate-signed-header",
    ],
)
def test_malformed_authorization_is_incomplete_signature(
    transform: Callable[[str], str], expected: str
) -> None:
    error = refused(sign_json().with_authorization(transform), "IncompleteSignatureException")
    assert expected in error.message


def test_missing_request_date_is_incomplete_signature() -> None:
    error = refused(sign_json().with_header("X-Amz-Date", None), "IncompleteSignatureException")
    assert error.message.startswith(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        "Authorization=AWS4-HMAC-SHA256 Credential="
    )


@pytest.mark.parametrize("value", ["2024-05-06T07:08:09Z", "20240506T070809", "20241306T070809Z"])
def test_malformed_x_amz_date_is_incomplete_signature(value: str) -> None:
    error = refused(sign_json().with_header("X-Amz-Date", value), "IncompleteSignatureException")
    assert error.message == f"Date must be in ISO-8601 'basic format'. Got '{value}'."


def test_malformed_date_header_is_incomplete_signature() -> None:
    wire = sign_json(headers={"Date": "placeholder"})
    error = refused(wire.with_header("Date", "yesterday"), "IncompleteSignatureException")
    assert "Got 'yesterday'" in error.message


def test_garbage_authorization_only_ever_raises_auth_error() -> None:
    wire = sign_json()
    pieces = [
        "AWS4-HMAC-SHA256", "Credential=", "SignedHeaders=", "Signature=", "=", ",", " ",
        "/", ";", "host", "x-amz-date", ACCESS_KEY, "20240506", "us-east-1", "states",
        "aws4_request", "\t", "ü", "\x00", "==", "%", "0" * 64,
    ]  # fmt: skip
    rng = random.Random(20240506)
    for _ in range(2000):
        header = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        try:
            check(wire.with_header("Authorization", header))
        except AuthError as error:
            assert error.status == 400
            assert error.code in {
                "MissingAuthenticationTokenException",
                "IncompleteSignatureException",
                "UnrecognizedClientException",
                "InvalidSignatureException",
            }
        else:  # pragma: no cover - a random header that verifies would be a bug
            pytest.fail(f"accepted garbage Authorization {header!r}")


# --------------------------------------------------------------------------- constructor


@pytest.mark.parametrize(
    "credentials",
    [{}, {"": "secret"}, {"a/b": "secret"}, {" key": "secret"}, {"key": ""}],
    ids=["empty", "empty-key", "slash", "space", "empty-secret"],
)
def test_invalid_credentials_are_rejected(credentials: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        SigV4Authenticator(credentials)


def test_negative_skew_is_rejected() -> None:
    with pytest.raises(ValueError, match="max_skew"):
        SigV4Authenticator({"k": "s"}, max_skew=timedelta(seconds=-1))


def test_credentials_are_copied() -> None:
    credentials = {ACCESS_KEY: SECRET}
    auth = SigV4Authenticator(credentials, clock=lambda: SIGNED_AT)
    credentials[ACCESS_KEY] = "changed"
    check(sign_json(), auth)
    assert auth.access_keys == frozenset({ACCESS_KEY})


def test_development_credentials() -> None:
    credentials = development_credentials()
    assert dict(credentials) == {"stepline": "stepline-secret"}
    assert credentials is DEV_CREDENTIALS
    with pytest.raises(TypeError):
        credentials["other"] = "x"  # type: ignore[index]
    auth = SigV4Authenticator(credentials, clock=lambda: SIGNED_AT)
    check(sign_json(access_key="stepline", secret="stepline-secret"), auth)


# --------------------------------------------------------------------------- botocore client


class _Raw:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


@pytest.fixture(autouse=True)
def _isolated_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS profile, config file or credential from the machine reaches the clients."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    for name in ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never ask the network
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


def _client(auth: SigV4Authenticator, **credentials: Any) -> Any:
    """A real botocore Step Functions client whose HTTP layer is ``auth`` plus a stub."""

    def send(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        wire = _wire(request)
        try:
            check(wire, auth)
        except AuthError as error:
            status = error.status
            body: dict[str, Any] = {"__type": error.code, "message": error.message}
        else:
            status, body = 200, {"activities": []}
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "r-1"}
        return AWSResponse(request.url, status, headers, _Raw(json.dumps(body).encode()))

    session = botocore.session.get_session()
    config = Config(retries={"total_max_attempts": 1, "mode": "standard"})
    if not credentials:  # an unsigned client: no credential is looked up at all
        config = config.merge(Config(signature_version=UNSIGNED))
        credentials = {"aws_access_key_id": "unused", "aws_secret_access_key": "unused"}
    client = session.create_client(
        "stepfunctions", region_name=REGION, endpoint_url=ENDPOINT, config=config, **credentials
    )
    client.meta.events.register("before-send.sfn", send)
    return client


def _client_error(client: Any) -> ClientError:
    with pytest.raises(ClientError) as caught:
        client.list_activities()
    return caught.value


def test_botocore_client_signed_request_passes() -> None:
    client = _client(
        SigV4Authenticator({ACCESS_KEY: SECRET}, region=REGION),
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET,
    )
    assert client.list_activities()["activities"] == []


def test_botocore_client_with_session_token_passes() -> None:
    client = _client(
        SigV4Authenticator({ACCESS_KEY: SECRET}, region=REGION),
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET,
        aws_session_token="session-token",
    )
    assert client.list_activities()["activities"] == []


@pytest.mark.parametrize(
    ("credentials", "auth_kwargs", "code", "message"),
    [
        (
            {"aws_access_key_id": ACCESS_KEY, "aws_secret_access_key": "wrong"},
            {},
            "InvalidSignatureException",
            SIGNATURE_MISMATCH_MESSAGE,
        ),
        (
            {"aws_access_key_id": "AKIDUNKNOWN", "aws_secret_access_key": SECRET},
            {},
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ),
        ({}, {}, "MissingAuthenticationTokenException", "Missing Authentication Token"),
        (
            {"aws_access_key_id": ACCESS_KEY, "aws_secret_access_key": SECRET},
            {"region": "eu-west-3"},
            "InvalidSignatureException",
            f"Credential should be scoped to a valid region, not '{REGION}'.",
        ),
        (
            {"aws_access_key_id": ACCESS_KEY, "aws_secret_access_key": SECRET},
            {"clock": lambda: datetime.now(UTC) + timedelta(minutes=20)},
            "InvalidSignatureException",
            "Signature expired: ",
        ),
    ],
    ids=["wrong-secret", "unknown-key", "unsigned", "wrong-region", "clock-skew"],
)
def test_botocore_client_raises_client_error_with_the_aws_code(
    credentials: dict[str, str], auth_kwargs: dict[str, Any], code: str, message: str
) -> None:
    auth_kwargs = {"region": REGION, **auth_kwargs}
    client = _client(SigV4Authenticator({ACCESS_KEY: SECRET}, **auth_kwargs), **credentials)
    error = _client_error(client)
    assert error.response["Error"]["Code"] == code
    assert error.response["Error"]["Message"].startswith(message)
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400


# --------------------------------------------------------------------------- credentials file


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "credentials.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_load_credentials_reads_every_pair(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '# local keys\n[[credentials]]\naccess_key = "AKID1"\nsecret_key = "one"\n\n'
        '[[credentials]]\naccess_key = "AKID2"\nsecret_key = "two/+="\n',
    )
    credentials = load_credentials(path)
    assert dict(credentials) == {"AKID1": "one", "AKID2": "two/+="}
    with pytest.raises(TypeError):
        credentials["AKID3"] = "three"  # type: ignore[index]
    auth = SigV4Authenticator(credentials, clock=lambda: SIGNED_AT)
    check(sign_json(access_key="AKID2", secret="two/+="), auth)


def test_load_credentials_accepts_a_str_path_and_inline_tables(tmp_path: Path) -> None:
    path = _write(tmp_path, 'credentials = [{access_key = "A", secret_key = "s"}]\n')
    assert dict(load_credentials(str(path))) == {"A": "s"}


def _load_error(path: Path) -> str:
    with pytest.raises(CredentialsFileError) as caught:
        load_credentials(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    return message


def test_missing_credentials_file(tmp_path: Path) -> None:
    message = _load_error(tmp_path / "absent.toml")
    assert message.endswith("credentials file not found")


def test_unreadable_credentials_file(tmp_path: Path) -> None:
    assert "cannot read credentials file" in _load_error(tmp_path)


def test_bad_toml_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '[[credentials]]\naccess_key = "A"\nsecret_key = oops\n')
    message = _load_error(path)
    assert "invalid TOML" in message
    assert "line 3" in message


def test_non_utf8_file_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, b'[[credentials]]\naccess_key = "A"\nsecret_key = "\xff"\n')
    assert _load_error(path) == f"{path}: line 3: not valid UTF-8"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "no [[credentials]] tables"),
        ("credentials = []\n", "no [[credentials]] tables"),
        ('credentials = "AKID"\n', "'credentials' must be an array of tables"),
        ('[credentials]\naccess_key = "A"\n', "'credentials' must be an array of tables"),
        ('[[credential]]\naccess_key = "A"\n', "unknown top-level key 'credential'"),
        (
            '[[credentials]]\naccess_key = "A"\nsecret_key = "s"\n\n'
            '[[credentials]]\naccess_key = "B"\n',
            "line 5: [[credentials]] #2: missing key 'secret_key'",
        ),
        ('[[credentials]]\nsecret_key = "s"\n', "line 1: [[credentials]] #1: missing key "),
        (
            '[[credentials]]\naccess_key = "A"\nsecret_key = 5\n',
            "line 1: [[credentials]] #1: 'secret_key' must be a non-empty string",
        ),
        (
            '[[credentials]]\naccess_key = ""\nsecret_key = "s"\n',
            "'access_key' must be a non-empty string",
        ),
        (
            '[[credentials]]\naccess_key = "A"\nsecret_key = "s"\nsecret = "x"\n',
            "[[credentials]] #1: unknown key 'secret'",
        ),
        (
            '[[credentials]]\naccess_key = "A/B"\nsecret_key = "s"\n',
            "'access_key' 'A/B' must not contain '/' or spaces",
        ),
        (
            '[[credentials]]\naccess_key = "A"\nsecret_key = "s"\n'
            '[[credentials]]\naccess_key = "A"\nsecret_key = "t"\n',
            "line 4: [[credentials]] #2: duplicate 'access_key' 'A'",
        ),
        (
            'credentials = [{access_key = "A"}]\n',
            "[[credentials]] #1: missing key 'secret_key'",
        ),
    ],
    ids=[
        "empty-file",
        "empty-array",
        "string",
        "single-table",
        "typo",
        "missing-secret",
        "missing-access-key",
        "wrong-type",
        "empty-access-key",
        "unknown-entry-key",
        "slash-in-key",
        "duplicate",
        "inline-missing-secret",
    ],
)
def test_bad_credentials_file(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in _load_error(_write(tmp_path, text))
