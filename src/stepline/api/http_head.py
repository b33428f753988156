"""A request head read straight off the socket: the header block parsed in a few string
operations instead of through ``email.parser`` (which ``http.server`` uses, at several
times the cost of a whole StartExecution's JSON handling)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final, Protocol

MAX_LINE: Final = 65_536
MAX_HEADERS: Final = 100


class Lines(Protocol):
    def readline(self, size: int, /) -> bytes: ...


class BadHead(Exception):
    """A request head we cannot read: ``status`` is 400 or 431."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Headers(Mapping[str, str]):
    """Request headers, looked up without regard to case; a repeated header's values are
    joined by commas (RFC 9110, and as SigV4 canonicalises them)."""

    __slots__ = ("_names", "_values")

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._values: dict[str, str] = {}
        self._names: dict[str, str] = {}  # lower-case -> as first sent
        for name, value in pairs:
            key = name.lower()
            if key in self._values:
                self._values[key] = f"{self._values[key]},{value}"
            else:
                self._values[key] = value
                self._names[key] = name

    def __getitem__(self, name: str) -> str:
        return self._values[name.lower()]

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return self._values.get(name.lower(), default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names.values())

    def __len__(self) -> int:
        return len(self._values)

    def as_sent(self) -> dict[str, str]:
        """Names as the client wrote them, values joined."""
        return {self._names[key]: value for key, value in self._values.items()}


def read_headers(stream: Lines) -> Headers:
    """The header lines up to the empty line that ends the head."""
    pairs: list[tuple[str, str]] = []
    while True:
        raw = stream.readline(MAX_LINE + 1)
        if len(raw) > MAX_LINE:
            raise BadHead(431, "a header line is longer than 65536 bytes")
        if raw in (b"\r\n", b"\n", b""):
            return Headers(pairs)
        if len(pairs) >= MAX_HEADERS:
            raise BadHead(431, f"more than {MAX_HEADERS} headers")
        line = raw.decode("iso-8859-1").rstrip("\r\n")
        if line[0] in " \t" and pairs:  # obsolete line folding: continues the last value
            name, value = pairs[-1]
            pairs[-1] = (name, f"{value} {line.strip()}")
            continue
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise BadHead(400, f"malformed header line {line[:80]!r}")
        pairs.append((name, value.strip()))
