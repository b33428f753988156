"""``stepline serve``'s HTTP server: the AWS JSON 1.0 API on ``POST /``, health checks on
``GET /healthz`` and ``GET /readyz``.

Standard library only: a ``ThreadingHTTPServer`` (a thread per connection) speaking
HTTP/1.1 with keep-alive (SDKs reuse their connections), so every response carries a
Content-Length. The request head is parsed by ``http_head`` (``email.parser`` is slow); a
request is read whole, authenticated, then dispatched; each response goes out in one write.
Every answer is JSON, errors in AWS's shape.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final, Protocol, cast

from stepline.api.auth import Authenticator, AuthError
from stepline.api.dispatch import Answer, SfnApi
from stepline.api.http_head import BadHead, Headers, read_headers
from stepline.api.wire import CONTENT_TYPE, encode

MAX_BODY: Final = 8 * 1024 * 1024  # a 1 MiB definition, JSON-escaped, fits with room
_IDLE_SECONDS: Final = 300.0  # an idle keep-alive connection is closed after this
_LOG: Final = logging.getLogger("stepline.api")

# The readiness probe: None when ready, else why not.
Readiness = Callable[[], str | None]


class TargetApi(Protocol):
    """Another AWS JSON API served on ``POST /`` (Glue's), chosen by X-Amz-Target."""

    def handle(self, target: str | None, body: bytes) -> Answer: ...

    def close(self) -> None: ...


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(
        self,
        address: tuple[str, int],
        api: SfnApi,
        auth: Authenticator,
        readiness: Readiness,
        apis: Mapping[str, TargetApi] | None = None,
    ) -> None:
        self.api = api
        self.apis = dict(apis or {})  # X-Amz-Target prefix ("AWSGlue.") -> its API
        self.auth = auth
        self.readiness = readiness
        self._date = (0, "")  # (second, its HTTP date): formatted once a second
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        text = host.decode() if isinstance(host, bytes) else host
        shown = f"[{text}]" if ":" in text else text
        return f"http://{shown}:{port}"

    def http_date(self) -> str:
        second = int(time.time())
        cached_second, text = self._date
        if second != cached_second:
            text = formatdate(second, usegmt=True)
            self._date = (second, text)
        return text


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = _IDLE_SECONDS
    disable_nagle_algorithm = True  # a response is one write; send it now
    raw_requestline: bytes  # set by http.server before parse_request
    request_headers: Headers

    @property
    def _server(self) -> ApiServer:
        return cast(ApiServer, self.server)

    def parse_request(self) -> bool:
        """The request line and headers (``http.server``'s, without ``email.parser``)."""
        self.command = ""
        self.request_version = "HTTP/1.1"  # for the error answers below
        self.close_connection = True
        line = self.raw_requestline.decode("iso-8859-1").rstrip("\r\n")
        self.requestline = line
        words = line.split()
        if len(words) != 3 or words[2] not in ("HTTP/1.0", "HTTP/1.1"):
            self._reply(400, _error("BadRequest", f"not an HTTP/1.x request line: {line[:100]!r}"))
            return False
        self.command, self.path, self.request_version = words
        try:
            self.request_headers = read_headers(self.rfile)
        except BadHead as exc:
            self._reply(exc.status, _error("BadRequest", exc.message))
            return False
        self.headers = self.request_headers  # type: ignore[assignment]  # only .get is used
        connection = (self.request_headers.get("Connection") or "").lower()
        if self.request_version == "HTTP/1.0":
            self.close_connection = connection != "keep-alive"
        else:
            self.close_connection = connection == "close"
        expect = (self.request_headers.get("Expect") or "").lower()
        if expect == "100-continue" and self.request_version == "HTTP/1.1":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return True

    def do_GET(self) -> None:
        path = self.path.partition("?")[0]
        if path == "/healthz":
            self._reply(200, {"status": "ok"})
        elif path == "/readyz":
            reason = self._server.readiness()
            if reason is None:
                self._reply(200, {"status": "ready"})
            else:
                self._reply(503, {"status": "unavailable", "reason": reason})
        else:
            self._reply(404, _error("UnknownOperationException", f"no such resource: {path}"))

    def do_POST(self) -> None:
        body = self._body()
        if body is None:
            return
        path, _, query = self.path.partition("?")
        try:
            self._server.auth.check("POST", path, query, self.request_headers.as_sent(), body)
        except AuthError as exc:
            self._reply(exc.status, _error(exc.code, exc.message))
            return
        if path != "/":
            self._reply(404, _error("UnknownOperationException", f"POST {path}: use POST /"))
            return
        target = self.request_headers.get("X-Amz-Target")
        api: TargetApi = self._server.api
        for prefix, other in self._server.apis.items():
            if target is not None and target.startswith(prefix):
                api = other
        answer = api.handle(target, body)
        self._reply(answer.status, answer.body, answer.content_type, answer.headers)

    def _body(self) -> bytes | None:
        """The request body; None once an error has been answered (the connection then
        closes: what is left of the request cannot be skipped safely)."""
        headers = self.request_headers
        if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True
            self._reply(411, _error("LengthRequired", "send a Content-Length, not chunks"))
            return None
        text = headers.get("Content-Length") or "0"
        length = int(text) if text.isascii() and text.isdigit() else -1
        if length < 0:
            self.close_connection = True
            self._reply(400, _error("SerializationException", f"bad Content-Length {text!r}"))
            return None
        if length > MAX_BODY:
            self.close_connection = True
            message = f"the request body has {length} bytes, more than the {MAX_BODY} accepted"
            self._reply(413, _error("RequestEntityTooLargeException", message))
            return None
        return self.rfile.read(length) if length else b""

    def _reply(
        self,
        status: int,
        body: Any,
        content_type: str = CONTENT_TYPE,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        data = encode(body)
        closing = "Connection: close\r\n" if self.close_connection else ""
        closing += "".join(f"{name}: {value}\r\n" for name, value in headers)
        head = (
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
            f"Content-Type: {content_type}\r\n"
            f"Content-Length: {len(data)}\r\n"
            f"x-amzn-RequestId: {uuid.uuid4()}\r\n"
            f"Date: {self._server.http_date()}\r\n"
            "Server: stepline\r\n"
            f"{closing}\r\n"
        )
        self.wfile.write(head.encode("latin-1") + data)
        if _LOG.isEnabledFor(logging.DEBUG):
            _LOG.debug("%s %s %s %d", self.address_string(), self.requestline, status, len(data))

    def log_message(self, format: str, *args: Any) -> None:
        _LOG.debug("%s - %s", self.address_string(), format % args)


def _error(code: str, message: str) -> dict[str, str]:
    return {"__type": code, "message": message}


def store_readiness(probe: Callable[[], object]) -> Readiness:
    """A readiness check that runs ``probe`` (a trivial store query)."""

    def check() -> str | None:
        try:
            probe()
        except Exception as exc:  # any failure means "not ready", with the reason
            return f"the store does not answer: {type(exc).__name__}: {exc}"
        return None

    return check


__all__ = ["ApiServer", "Readiness", "TargetApi", "store_readiness"]
