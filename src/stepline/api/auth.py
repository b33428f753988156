"""The authentication seam of the HTTP API: one ``check`` per request, before dispatch."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class AuthError(Exception):
    """A request the authenticator refuses; rendered as an AWS error body.

    ``code`` is the AWS ``__type`` (e.g. ``UnrecognizedClientException``,
    ``InvalidSignatureException``, ``MissingAuthenticationTokenException``),
    ``status`` the HTTP status (400 or 403).
    """

    def __init__(self, code: str, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def __repr__(self) -> str:
        return f"AuthError({self.code!r}, {self.message!r}, {self.status})"


class Authenticator(Protocol):
    def check(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> None:
        """Return when the request is authentic; raise ``AuthError`` otherwise."""


class NoAuth:
    """Accept every request (``stepline serve --auth none``)."""

    def check(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> None:
        return None
