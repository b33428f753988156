"""A DQDL (AWS Glue Data Quality Definition Language) subset: text -> frozen rule records.

Pure: no I/O. ``parse_ruleset`` reads ``Rules = [ rule, rule, ... ]``; every problem is a
``DqdlError`` naming its line and column (1-based). What is supported is listed in
docs/quality.md; rule types of Glue's reference that stepline does not evaluate are named as
such ("not supported by stepline"), unknown names as unknown.

# AWS: "A DQDL document is case sensitive": rule type names and ``Rules`` are matched exactly;
# the keywords (and, or, not, between, in, matches, with threshold, where) are lower case in
# AWS's examples and accepted in any case here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

TokenKind: TypeAlias = Literal["word", "string", "number", "op", "punct", "end"]
Operator: TypeAlias = Literal[
    ">", ">=", "<", "<=", "=", "!=", "between", "not between", "in", "not in", "matches",
    "not matches",
]  # fmt: skip
ValueKind: TypeAlias = Literal["number", "string", "null", "empty", "whitespaces", "now"]

# AWS: between is exclusive ("metric > low && metric < high", awslabs/dqdl
# NumberBasedCondition); durations are days or hours in AWS's grammar, minutes are ours.
# The rule types of the "DQDL rule type reference" that stepline evaluates, with how many
# quoted arguments each takes (min, max) and whether an expression follows.
RULE_TYPES: Final[dict[str, tuple[int, int, bool]]] = {
    "RowCount": (0, 0, True),
    "ColumnCount": (0, 0, True),
    "ColumnExists": (1, 1, False),
    "IsComplete": (1, 1, False),
    "Completeness": (1, 1, True),
    "IsUnique": (1, 1, False),
    "Uniqueness": (1, 1, True),
    "IsPrimaryKey": (1, 16, False),
    "DistinctValuesCount": (1, 1, True),
    "ColumnValues": (1, 1, True),
    "ColumnLength": (1, 1, True),
    "DataFreshness": (1, 1, True),
    "CustomSql": (1, 1, True),
    "ReferentialIntegrity": (2, 2, True),
    "Mean": (1, 1, True),
    "Sum": (1, 1, True),
    "StandardDeviation": (1, 1, True),
}
ROW_LEVEL: Final = frozenset({"ColumnValues", "ColumnLength", "DataFreshness"})
UNSUPPORTED: Final = frozenset(
    {
        "AggregateMatch", "ColumnCorrelation", "ColumnDataType", "ColumnNamesMatchPattern",
        "DatasetMatch", "Entropy", "RowCountMatch", "SchemaMatch", "UniqueValueRatio",
        "DetectAnomalies", "FileFreshness", "FileMatch", "FileSize", "FileUniqueness",
    }
)  # fmt: skip
UNITS: Final = {
    "minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400,
}  # fmt: skip
_TOKEN: Final = re.compile(
    r"""(?P<space>[ \t\r\n]+)|(?P<comment>\#[^\n]*)
    |(?P<string>"(?:[^"\\]|\\.)*")|(?P<number>-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
    |(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>>=|<=|!=|>|<|=)|(?P<punct>[\[\](),+-])""",
    re.VERBOSE,
)


class DqdlError(ValueError):
    """A ruleset that cannot be read; the message says where (line and column)."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"line {line}, column {column}: {message}")
        self.reason = message
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str
    offset: int


@dataclass(frozen=True, slots=True)
class Value:
    """A constant of an expression: a number (``seconds`` when it had a time unit), a string,
    NULL / EMPTY / WHITESPACES_ONLY, or ``now()`` shifted by ``seconds``."""

    kind: ValueKind
    number: float = 0.0
    text: str = ""
    seconds: float | None = None  # a duration ("24 hours"), or now()'s offset


@dataclass(frozen=True, slots=True)
class Expression:
    op: Operator
    values: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: its type, its quoted arguments, and its expression / threshold / filter."""

    type: str
    args: tuple[str, ...]
    expression: Expression | None
    text: str  # as written (for results and for a profile's must_pass)
    line: int
    column: int
    threshold: Expression | None = None  # "with threshold > 0.9" (row-level rules)
    where: str | None = None  # "where \"sql condition\""


@dataclass(frozen=True, slots=True)
class Composite:
    """``(rule) and (rule)`` / ``(rule) or (rule)``: each part evaluated, then combined."""

    op: Literal["and", "or"]
    parts: tuple[Node, ...]
    text: str
    line: int
    column: int


Node: TypeAlias = Rule | Composite


@dataclass(frozen=True, slots=True)
class Ruleset:
    rules: tuple[Node, ...]


def normalize(text: str) -> str:
    """A rule's text with white space collapsed (how must_pass names a rule)."""
    return " ".join(text.split())


def position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    offset = 0
    while offset < len(text):
        match = _TOKEN.match(text, offset)
        if match is None:
            line, column = position(text, offset)
            raise DqdlError(f"unexpected character {text[offset]!r}", line, column)
        kind = match.lastgroup or ""
        if kind not in ("space", "comment"):
            tokens.append(Token(kind, match.group(), offset))  # type: ignore[arg-type]
        offset = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def parse_ruleset(text: str) -> Ruleset:
    """``Rules = [ ... ]`` -> a Ruleset; DqdlError (with line and column) when it is not."""
    return _Parser(text).ruleset()


def _unquote(token: Token) -> str:
    return re.sub(r"\\(.)", r"\1", token.text[1:-1])


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    # ---- helpers ------------------------------------------------------------------------
    @property
    def token(self) -> Token:
        return self.tokens[self.i]

    def error(self, message: str, token: Token | None = None) -> DqdlError:
        line, column = position(self.text, (token or self.token).offset)
        return DqdlError(message, line, column)

    def shown(self, token: Token | None = None) -> str:
        token = token or self.token
        return "the end of the ruleset" if token.kind == "end" else repr(token.text)

    def at_end(self) -> bool:
        return self.tokens[self.i].kind == "end"

    def take(self) -> Token:
        token = self.token
        self.i += 1
        return token

    def is_keyword(self, *words: str) -> bool:
        return self.token.kind == "word" and self.token.text.lower() in words

    def expect(self, kind: TokenKind, text: str, what: str) -> Token:
        token = self.token
        if token.kind != kind or (text and token.text != text):
            raise self.error(f"expected {what}, found {self.shown()}")
        return self.take()

    # ---- the grammar --------------------------------------------------------------------
    def ruleset(self) -> Ruleset:
        head = self.token
        if head.kind != "word" or head.text != "Rules":
            raise self.error(f"a ruleset starts with 'Rules = [', found {self.shown()}")
        self.take()
        self.expect("op", "=", "'=' after Rules")
        self.expect("punct", "[", "'[' after 'Rules ='")
        rules: list[Node] = []
        while not (self.token.kind == "punct" and self.token.text == "]"):
            rules.append(self.composite())
            if self.token.kind == "punct" and self.token.text == ",":
                self.take()
            elif not (self.token.kind == "punct" and self.token.text == "]"):
                raise self.error(f"expected ',' or ']' after a rule, found {self.shown()}")
        self.take()
        if not rules:
            raise self.error("the ruleset has no rules", head)
        if not self.at_end():
            raise self.error(f"unexpected {self.shown()} after the rules' closing ']'")
        return Ruleset(tuple(rules))

    def composite(self) -> Node:
        start = self.token
        parts = [self.term()]
        ops: set[str] = set()
        while self.is_keyword("and", "or"):
            ops.add(self.token.text.lower())
            if len(ops) > 1:
                raise self.error("mixing 'and' and 'or' needs parentheses around each group")
            self.take()
            if not (self.token.kind == "punct" and self.token.text == "("):
                # AWS: "Each rule that you connect ... must be surrounded by parentheses."
                raise self.error("each rule joined by 'and'/'or' must be in parentheses")
            parts.append(self.term())
        if len(parts) == 1:
            return parts[0]
        end = self.tokens[self.i - 1]
        line, column = position(self.text, start.offset)
        text = self.text[start.offset : end.offset + len(end.text)]
        op: Literal["and", "or"] = "and" if ops == {"and"} else "or"
        return Composite(op, tuple(parts), normalize(text), line, column)

    def term(self) -> Node:
        if self.token.kind == "punct" and self.token.text == "(":
            self.take()
            node = self.composite()
            self.expect("punct", ")", "')'")
            return node
        return self.rule()

    def rule(self) -> Rule:
        start = self.token
        if start.kind != "word":
            raise self.error(f"expected a rule type, found {self.shown()}")
        name = start.text
        if name not in RULE_TYPES:
            if name in UNSUPPORTED:
                raise self.error(f"rule type {name} is not supported by stepline")
            known = ", ".join(sorted(RULE_TYPES))
            raise self.error(f"unknown rule type {name!r} (supported: {known})")
        self.take()
        low, high, wants_expression = RULE_TYPES[name]
        args: list[str] = []
        while self.token.kind == "string" and len(args) < high:
            args.append(_unquote(self.take()))
        if name == "IsPrimaryKey" and len(args) == 1 and "," in args[0]:
            args = [a.strip() for a in args[0].split(",")]  # also written "a,b" in one string
        if len(args) < low:
            what = "a quoted column name" if name != "CustomSql" else "a quoted SQL statement"
            count = f"{low} quoted arguments" if low > 1 else what
            raise self.error(f"{name} needs {count}, found {self.shown()}")
        if any(not a.strip() for a in args):
            raise self.error(f"{name}'s quoted arguments must not be empty", start)
        expression = None
        if wants_expression:
            if (
                self.token.kind == "end"
                or self.is_keyword("where", "with")
                or (self.token.kind == "punct" and self.token.text in ",])")
            ):
                hint = " (row-level CustomSql is not supported)" if name == "CustomSql" else ""
                raise self.error(f"{name} needs an expression such as '> 0'{hint}")
            expression = self.expression(name)
        threshold, where = None, None
        while self.is_keyword("with", "where"):
            keyword = self.take()
            if keyword.text.lower() == "where":
                if where is not None:
                    raise self.error("a rule has at most one where clause")
                where = _unquote(self.expect("string", "", 'a quoted condition after "where"'))
                continue
            if not (self.token.kind == "word" and self.token.text.lower() == "threshold"):
                raise self.error(f"expected 'threshold' after 'with', found {self.shown()}")
            self.take()
            if name not in ROW_LEVEL:
                applies = ", ".join(sorted(ROW_LEVEL))
                raise self.error(f"'with threshold' applies to {applies}, not {name}", keyword)
            threshold = self.expression("threshold")
        end = self.tokens[self.i - 1]
        line, column = position(self.text, start.offset)
        text = normalize(self.text[start.offset : end.offset + len(end.text)])
        return Rule(name, tuple(args), expression, text, line, column, threshold, where)

    def expression(self, rule: str) -> Expression:
        token = self.token
        if token.kind == "op":
            self.take()
            return Expression(token.text, (self.value(rule),))  # type: ignore[arg-type]
        negated = self.is_keyword("not")
        if negated:
            self.take()
        if self.is_keyword("between"):
            self.take()
            low = self.value(rule)
            if not self.is_keyword("and"):
                raise self.error(f"expected 'and' in 'between ... and ...', found {self.shown()}")
            self.take()
            high = self.value(rule)
            return Expression("not between" if negated else "between", (low, high))
        if self.is_keyword("in"):
            self.take()
            return Expression("not in" if negated else "in", self.value_list(rule))
        if self.is_keyword("matches"):
            self.take()
            pattern = self.expect("string", "", "a quoted regular expression after 'matches'")
            try:
                re.compile(_unquote(pattern))
            except re.error as error:
                raise self.error(f"invalid regular expression: {error}", pattern) from None
            kind: Operator = "not matches" if negated else "matches"
            return Expression(kind, (Value("string", text=_unquote(pattern)),))
        raise self.error(
            "expected an expression (> >= < <= = != n, between a and b, in [...], "
            f'matches "regex"), found {self.shown()}'
        )

    def value_list(self, rule: str) -> tuple[Value, ...]:
        self.expect("punct", "[", "'[' after 'in'")
        values = [self.value(rule)]
        while self.token.kind == "punct" and self.token.text == ",":
            self.take()
            values.append(self.value(rule))
        self.expect("punct", "]", "',' or ']' in the list")
        return tuple(values)

    def value(self, rule: str) -> Value:
        token = self.token
        if token.kind == "number":
            self.take()
            number = float(token.text)
            if self.token.kind == "word" and self.token.text.lower() in UNITS:
                return Value("number", number, seconds=number * UNITS[self.take().text.lower()])
            if rule == "DataFreshness":
                raise self.error("DataFreshness needs a time unit (minutes, hours or days)", token)
            return Value("number", number)
        if token.kind == "string":
            self.take()
            return Value("string", text=_unquote(token))
        if token.kind == "word" and token.text in ("NULL", "EMPTY", "WHITESPACES_ONLY"):
            self.take()
            kinds: dict[str, ValueKind] = {
                "NULL": "null", "EMPTY": "empty", "WHITESPACES_ONLY": "whitespaces",
            }  # fmt: skip
            return Value(kinds[token.text])
        if token.kind == "word" and token.text.lower() == "now":
            return self.now()
        if token.kind == "punct" and token.text == "(":
            self.take()
            if not self.is_keyword("now"):
                raise self.error(f"expected now() inside '(', found {self.shown()}")
            value = self.now()
            glued = self.token.kind == "number" and self.token.text.startswith("-")
            if glued or (self.token.kind == "punct" and self.token.text in "+-"):
                sign = -1 if glued or self.take().text == "-" else 1
                amount = self.expect("number", "", "a number of minutes, hours or days")
                unit = self.token
                if unit.kind != "word" or unit.text.lower() not in UNITS:
                    raise self.error(f"expected minutes, hours or days, found {self.shown()}")
                self.take()
                seconds = sign * abs(float(amount.text)) * UNITS[unit.text.lower()]
                value = Value("now", seconds=seconds)
            self.expect("punct", ")", "')'")
            return value
        raise self.error(f"expected a value, found {self.shown()}")

    def now(self) -> Value:
        self.take()
        self.expect("punct", "(", "'(' after now")
        self.expect("punct", ")", "')' after now(")
        return Value("now", seconds=0.0)
