"""A small SQL tokenizer for the statements Athena runs through its Hive DDL engine
(``CREATE EXTERNAL TABLE``, ``MSCK REPAIR TABLE``, ``SHOW``...) and for the heads of the
others (``INSERT INTO t``, ``CREATE TABLE t WITH (...) AS``): words, quoted identifiers,
string literals, numbers and one-character symbols, each with its offsets in the text.
Pure: no I/O.

Hive DDL reads backslash escapes in string literals (``FIELDS TERMINATED BY '\\t'``,
``'\\001'``); Trino's SQL does not (``'it''s'`` only). ``tokenize`` takes which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

TokenKind: TypeAlias = Literal["word", "ident", "string", "number", "symbol", "param"]
_SYMBOLS: Final = "(),.=<>:;[]*+-/%|!{}&^~@"
_SIMPLE_ESCAPES: Final = {
    "t": "\t",
    "n": "\n",
    "r": "\r",
    "b": "\b",
    "f": "\f",
    "0": "\0",
    "\\": "\\",
    "'": "'",
    '"': '"',
}


class SqlSyntaxError(ValueError):
    """The text is not a statement we can read; ``offset`` is where (0-based)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str  # as written
    value: str  # words: upper case; identifiers and strings: unquoted; others: the text
    start: int
    end: int

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.value in words

    def is_symbol(self, symbol: str) -> bool:
        return self.kind == "symbol" and self.text == symbol


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of ``offset`` in ``text`` (as Athena's messages count)."""
    before = text[: max(offset, 0)]
    line = before.count("\n") + 1
    return line, offset - (before.rfind("\n") + 1) + 1


def tokenize(text: str, *, backslash_escapes: bool = False) -> list[Token]:
    """The tokens of ``text``; comments and white space are skipped. Raises SqlSyntaxError on
    an unterminated string, identifier or comment."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif text.startswith("--", i):
            newline = text.find("\n", i)
            i = n if newline < 0 else newline + 1
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            if close < 0:
                raise SqlSyntaxError("unterminated /* comment", i)
            i = close + 2
        elif ch == "'":
            value, end = _string(text, i, backslash_escapes)
            tokens.append(Token("string", text[i:end], value, i, end))
            i = end
        elif ch in '"`':
            value, end = _quoted(text, i, ch)
            tokens.append(Token("ident", text[i:end], value, i, end))
            i = end
        elif ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            end = _number_end(text, i)
            tokens.append(Token("number", text[i:end], text[i:end], i, end))
            i = end
        elif ch.isalpha() or ch == "_" or ch == "$":
            end = i + 1
            while end < n and (text[end].isalnum() or text[end] in "_$"):
                end += 1
            word = text[i:end]
            tokens.append(Token("word", word, word.upper(), i, end))
            i = end
        elif ch == "?":
            tokens.append(Token("param", ch, ch, i, i + 1))
            i += 1
        elif ch in _SYMBOLS:
            tokens.append(Token("symbol", ch, ch, i, i + 1))
            i += 1
        else:
            raise SqlSyntaxError(f"unexpected character {ch!r}", i)
    return tokens


def _string(text: str, start: int, backslash_escapes: bool) -> tuple[str, int]:
    out: list[str] = []
    i, n = start + 1, len(text)
    while i < n:
        ch = text[i]
        if ch == "'":
            if i + 1 < n and text[i + 1] == "'":
                out.append("'")
                i += 2
                continue
            return "".join(out), i + 1
        if ch == "\\" and backslash_escapes and i + 1 < n:
            escaped, i = _escape(text, i + 1)
            out.append(escaped)
            continue
        out.append(ch)
        i += 1
    raise SqlSyntaxError("unterminated string literal", start)


def _escape(text: str, i: int) -> tuple[str, int]:
    """A Hive escape after a backslash at ``i - 1``: \\t, \\001 (octal), \\u0001..."""
    ch = text[i]
    if ch in "01234567" and text[i : i + 3].isdigit() and len(text[i : i + 3]) == 3:
        return chr(int(text[i : i + 3], 8)), i + 3
    if ch == "u" and len(text[i + 1 : i + 5]) == 4:
        try:
            return chr(int(text[i + 1 : i + 5], 16)), i + 5
        except ValueError:
            pass
    return _SIMPLE_ESCAPES.get(ch, ch), i + 1


def _quoted(text: str, start: int, quote: str) -> tuple[str, int]:
    out: list[str] = []
    i, n = start + 1, len(text)
    while i < n:
        if text[i] == quote:
            if i + 1 < n and text[i + 1] == quote:
                out.append(quote)
                i += 2
                continue
            return "".join(out), i + 1
        out.append(text[i])
        i += 1
    raise SqlSyntaxError(f"unterminated {quote}quoted{quote} identifier", start)


def _number_end(text: str, i: int) -> int:
    n = len(text)
    while i < n and (text[i].isdigit() or text[i] == "."):
        i += 1
    if i < n and text[i] in "eE":
        j = i + 1
        if j < n and text[j] in "+-":
            j += 1
        if j < n and text[j].isdigit():
            i = j
            while i < n and text[i].isdigit():
                i += 1
    return i


def substitute_parameters(text: str, parameters: tuple[str, ...]) -> str:
    """``text`` with each ``?`` placeholder replaced, in order, by the matching parameter
    (SQL literal text, as Athena's ExecutionParameters are). Raises SqlSyntaxError when the
    counts differ."""
    tokens = [t for t in tokenize(text) if t.kind == "param"]
    if len(tokens) != len(parameters):
        # AWS: Athena refuses a query whose placeholders and parameters do not match.
        offset = tokens[len(parameters)].start if len(tokens) > len(parameters) else 0
        raise SqlSyntaxError(
            f"Incorrect number of parameters: expected {len(tokens)} but found {len(parameters)}",
            offset,
        )
    out, last = [], 0
    for token, value in zip(tokens, parameters, strict=True):
        out.append(text[last : token.start])
        out.append(value)
        last = token.end
    out.append(text[last:])
    return "".join(out)


def split_statements(text: str) -> list[str]:
    """The statements of a script, split at the ``;`` outside strings and comments (empty
    ones dropped). Raises SqlSyntaxError on an unterminated string or comment."""
    statements, start = [], 0
    for token in tokenize(text):
        if token.is_symbol(";"):
            statements.append(text[start : token.start])
            start = token.end
    statements.append(text[start:])
    return [s.strip() for s in statements if tokenize(s)]
