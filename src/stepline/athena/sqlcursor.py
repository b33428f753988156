"""A cursor over a statement's tokens, for the hand-written parts of the parser. Pure."""

from __future__ import annotations

from stepline.athena import statements as s
from stepline.athena.tokens import SqlSyntaxError, Token


class TokenCursor:
    """Reads a statement's tokens left to right; errors say what was expected where."""

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.i = 0

    def peek(self, ahead: int = 0) -> Token | None:
        index = self.i + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def fail(self, expecting: str) -> SqlSyntaxError:
        token = self.peek()
        text, offset = ("<EOF>", len(self.text)) if token is None else (token.text, token.start)
        return SqlSyntaxError(f"mismatched input '{text}'. Expecting: {expecting}", offset)

    def accept(self, *words: str) -> bool:
        """Consume ``words`` (in sequence) when they come next."""
        for ahead, word in enumerate(words):
            token = self.peek(ahead)
            if token is None or not token.is_word(word):
                return False
        self.i += len(words)
        return True

    def expect(self, *words: str) -> None:
        if not self.accept(*words):
            raise self.fail(" ".join(words))

    def accept_symbol(self, symbol: str) -> bool:
        token = self.peek()
        if token is not None and token.is_symbol(symbol):
            self.i += 1
            return True
        return False

    def expect_symbol(self, symbol: str) -> None:
        if not self.accept_symbol(symbol):
            raise self.fail(f"'{symbol}'")

    def name(self, what: str = "an identifier") -> str:
        token = self.peek()
        if token is None or token.kind not in ("word", "ident"):
            raise self.fail(what)
        self.i += 1
        return token.value.lower() if token.kind == "ident" else token.text.lower()

    def string(self, what: str = "a string literal") -> str:
        token = self.peek()
        if token is None or token.kind != "string":
            raise self.fail(what)
        self.i += 1
        return token.value

    def at_symbol(self, symbol: str) -> bool:
        token = self.peek()
        return token is not None and token.is_symbol(symbol)

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.is_word(*words)

    def next_word(self) -> str:
        token = self.peek()
        return token.value if token is not None else ""

    def end(self) -> None:
        if self.peek() is not None:
            raise self.fail("<EOF>")

    def if_exists(self) -> bool:
        return self.accept("IF", "EXISTS")

    def if_not_exists(self) -> bool:
        return self.accept("IF", "NOT", "EXISTS")

    def table_name(self) -> s.TableName:
        first = self.name("a table name")
        if self.accept_symbol("."):
            second = self.name("a table name")
            if self.accept_symbol("."):  # catalog.database.table
                return s.TableName(second, self.name("a table name"))
            return s.TableName(first, second)
        return s.TableName(None, first)

    def rest(self) -> tuple[str, int]:
        """The text from the current token to the end, and its offset."""
        token = self.peek()
        if token is None:
            raise self.fail("a query")
        end = self.tokens[-1].end
        return self.text[token.start : end], token.start
