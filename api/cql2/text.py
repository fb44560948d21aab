"""The CQL2 text encoding (``filter-lang=cql2-text``): a tokenizer and a recursive-descent parser.

Keywords and function names are case-insensitive. Geometry literals are WKT (``POINT(4.4 51)``,
``POLYGON(...)``, ``POINT Z(...)``...) or ``BBOX(minx, miny, maxx, maxy)``; their text is handed
to shapely whole, so every WKT shapely reads is accepted. Errors name the position in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from api.cql2 import literals
from api.cql2.ast import (
    COMPARISONS,
    DWITHIN,
    SPATIAL_FUNCTIONS,
    TEMPORAL_FUNCTIONS,
    And,
    Between,
    Comparison,
    Constant,
    DWithin,
    Expression,
    In,
    IsNull,
    Like,
    Not,
    Or,
    Predicate,
    Property,
    Scalar,
    Spatial,
    Temporal,
)
from core.errors import InvalidParameter

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")+")
  | (?P<number>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_.:]*)
  | (?P<op><>|<=|>=|=|<|>|\(|\)|,)
    """,
    re.VERBOSE,
)
_GEOMETRY_KEYWORDS = frozenset(
    {
        "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON",
        "GEOMETRYCOLLECTION",
    }
)
_RESERVED = frozenset(
    {"AND", "OR", "NOT", "LIKE", "BETWEEN", "IN", "IS", "NULL", "TRUE", "FALSE"}
)


@dataclass(frozen=True)
class Token:
    kind: str  # string, quoted, number, name, op, end
    text: str
    position: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "name" else self.text


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise literals.invalid(f"unexpected character {text[position]!r} at {position + 1}")
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(Token(kind, match.group(), position))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def parse_text(text: str) -> Predicate:
    """The predicate a cql2-text filter expresses; any error is a 400 on ``filter``."""
    if not text.strip():
        raise literals.invalid("the filter is empty")
    return _Parser(text).parse()


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    # -- token helpers -----------------------------------------------------------------------

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def accept(self, *words: str) -> bool:
        if self.current.kind in ("name", "op") and self.current.upper in words:
            self.index += 1
            return True
        return False

    def expect(self, word: str) -> None:
        if not self.accept(word):
            raise self.error(f"expected '{word}'")

    def error(self, detail: str) -> InvalidParameter:
        token = self.current
        found = "the end of the filter" if token.kind == "end" else f"'{token.text}'"
        return literals.invalid(f"{detail} at position {token.position + 1}, found {found}")

    # -- boolean structure -------------------------------------------------------------------

    def parse(self) -> Predicate:
        predicate = self.disjunction()
        if self.current.kind != "end":
            raise self.error("expected AND, OR or the end of the filter")
        return predicate

    def disjunction(self) -> Predicate:
        args = [self.conjunction()]
        while self.accept("OR"):
            args.append(self.conjunction())
        return args[0] if len(args) == 1 else Or(tuple(args))

    def conjunction(self) -> Predicate:
        args = [self.negation()]
        while self.accept("AND"):
            args.append(self.negation())
        return args[0] if len(args) == 1 else And(tuple(args))

    def negation(self) -> Predicate:
        if self.accept("NOT"):
            return Not(self.negation())
        return self.primary()

    def primary(self) -> Predicate:
        self.depth += 1
        if self.depth > literals.MAX_DEPTH:
            raise self.error("the filter is nested too deeply")
        try:
            if self.accept("("):
                inner = self.disjunction()
                self.expect(")")
                return inner
            name = self.current.upper if self.current.kind == "name" else ""
            if name.lower() in (*SPATIAL_FUNCTIONS, *TEMPORAL_FUNCTIONS, DWITHIN):
                return self.function()
            return self.predicate()
        finally:
            self.depth -= 1

    # -- predicates --------------------------------------------------------------------------

    def function(self) -> Predicate:
        name = self.advance().text.lower()
        self.expect("(")
        left = self.operand()
        self.expect(",")
        right = self.operand()
        if name == DWITHIN:
            self.expect(",")
            number = self.current
            if number.kind != "number":
                raise self.error("expected the distance of S_DWITHIN")
            self.advance()
            units = "meters"
            if self.accept(","):
                units = self.unit()
            self.expect(")")
            return DWithin(left, right, literals.distance(float(number.text), units))
        self.expect(")")
        if name in SPATIAL_FUNCTIONS:
            return Spatial(name, left, right)
        return Temporal(name, left, right)

    def unit(self) -> str:
        token = self.advance()
        if token.kind == "string":
            return token.text[1:-1]
        if token.kind == "name":
            return token.text
        self.index -= 1
        raise self.error("expected a distance unit such as meters")

    def predicate(self) -> Predicate:
        left = self.operand()
        negated = self.accept("NOT")
        if self.accept("LIKE"):
            return _maybe_not(Like(left, self.operand()), negated)
        if self.accept("BETWEEN"):
            low = self.operand()
            self.expect("AND")
            return _maybe_not(Between(left, low, self.operand()), negated)
        if self.accept("IN"):
            return _maybe_not(In(left, self.option_list()), negated)
        if negated:
            raise self.error("expected LIKE, BETWEEN or IN after NOT")
        if self.accept("IS"):
            negated = self.accept("NOT")
            self.expect("NULL")
            return _maybe_not(IsNull(left), negated)
        if self.current.kind == "op" and self.current.text in COMPARISONS:
            op = self.advance().text
            return Comparison(op, left, self.operand())
        if isinstance(left, Scalar) and left.kind == "boolean":
            return Constant(bool(left.value))
        raise self.error("expected a comparison, LIKE, BETWEEN, IN or IS NULL")

    def option_list(self) -> tuple[Expression, ...]:
        self.expect("(")
        options = [self.operand()]
        while self.accept(","):
            options.append(self.operand())
        self.expect(")")
        return tuple(options)

    # -- operands ----------------------------------------------------------------------------

    def operand(self) -> Expression:
        token = self.current
        if token.kind == "string":
            self.advance()
            return Scalar(token.text[1:-1].replace("''", "'"), "string")
        if token.kind == "number":
            self.advance()
            number = float(token.text)
            is_integer = number.is_integer() and re.fullmatch(r"[+-]?\d+", token.text)
            return Scalar(int(token.text) if is_integer else number, "number")
        if token.kind == "quoted":
            self.advance()
            return Property(token.text[1:-1].replace('""', '"'))
        if token.kind != "name":
            raise self.error("expected a property, a literal or a geometry")
        word = token.upper
        if word in ("TRUE", "FALSE"):
            self.advance()
            return Scalar(word == "TRUE", "boolean")
        if word in ("TIMESTAMP", "DATE") and self.peek_is("("):
            return self.temporal_literal(word)
        if word == "INTERVAL" and self.peek_is("("):
            return self.interval()
        if word in ("BBOX", "ENVELOPE") and self.peek_is("("):
            return self.bbox()
        if word in _GEOMETRY_KEYWORDS:
            return self.wkt()
        if word in _RESERVED:
            raise self.error("expected a property, a literal or a geometry")
        self.advance()
        return Property(token.text)

    def peek_is(self, text: str) -> bool:
        return self.tokens[self.index + 1].text == text

    def string_argument(self) -> str:
        token = self.advance()
        if token.kind != "string":
            self.index -= 1
            raise self.error("expected a quoted string")
        return token.text[1:-1].replace("''", "'")

    def temporal_literal(self, word: str) -> Scalar:
        self.advance()
        self.expect("(")
        value = self.string_argument()
        self.expect(")")
        return literals.timestamp(value) if word == "TIMESTAMP" else literals.calendar_date(value)

    def interval(self) -> Expression:
        self.advance()
        self.expect("(")
        start = self.interval_end()
        self.expect(",")
        end = self.interval_end()
        self.expect(")")
        return literals.make_interval(start, end)

    def interval_end(self) -> Scalar | Property | None:
        token = self.current
        if token.kind == "string":
            self.advance()
            return literals.instant(token.text[1:-1])
        value = self.operand()
        if isinstance(value, Scalar | Property):
            return value
        raise self.error("expected a date, a timestamp, '..' or a property")

    def bbox(self) -> Expression:
        self.advance()
        self.expect("(")
        numbers: list[float] = []
        while True:
            token = self.advance()
            if token.kind != "number":
                self.index -= 1
                raise self.error("expected a number of the BBOX")
            numbers.append(float(token.text))
            if not self.accept(","):
                break
        self.expect(")")
        return literals.bbox(numbers)

    def wkt(self) -> Expression:
        """From the keyword to its matching ')' (or ``EMPTY``), read by shapely."""
        start = self.current.position
        depth = 0
        while True:
            token = self.advance()
            if token.kind == "end":
                self.index -= 1
                raise self.error("unterminated geometry")
            if token.text == "(":
                depth += 1
            elif token.text == ")":
                depth -= 1
                if depth == 0:
                    break
            elif depth == 0 and token.upper == "EMPTY":
                break
        end = token.position + len(token.text)
        return literals.wkt(self.text[start:end])


def _maybe_not(predicate: Predicate, negated: bool) -> Predicate:
    return Not(predicate) if negated else predicate
