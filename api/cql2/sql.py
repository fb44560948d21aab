"""CQL2 predicates as SQLAlchemy expressions over a collection's items, with bound parameters.

Every property must be a queryable of the collection, and every operand must have the type
the operator needs (a string is not compared with a number, LIKE takes strings): mistakes are a
400 on ``filter`` naming them, never a database error. Literals only ever reach the database as
bound parameters typed like the column they meet.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from api.cql2 import literals, temporal
from api.cql2.ast import (
    And,
    Between,
    Comparison,
    Constant,
    DWithin,
    Expression,
    GeometryLiteral,
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
from api.crs import Crs, to_storage
from api.spatial import SpatialSql

#: JSON Schema types of queryables → CQL2 types.
QUERYABLE_KINDS = {
    "string": "string",
    "integer": "number",
    "number": "number",
    "boolean": "boolean",
    "date-time": "timestamp",
    "date": "date",
    "geometry": "geometry",
}
_PYTHON_OPS = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


@dataclass(frozen=True)
class Operand:
    """A translated operand: a column, or a Python value still to be bound."""

    kind: str
    column: sa.ColumnElement[Any] | None = None
    value: Any = None

    def sql(self, like: Operand | None = None) -> sa.ColumnElement[Any]:
        if self.column is not None:
            return self.column
        type_ = like.column.type if like is not None and like.column is not None else None
        return sa.literal(self.value, type_)


@dataclass(frozen=True)
class FilterContext:
    """What a filter may refer to: queryables (name → column and CQL2 type) and the geometry."""

    columns: Mapping[str, sa.ColumnElement[Any]]
    kinds: Mapping[str, str]
    spatial: SpatialSql
    crs: Crs
    postgres: bool

    def operand(self, expression: Expression) -> Operand:
        if isinstance(expression, Property):
            kind = self.kinds.get(expression.name)
            if kind is None:
                known = ", ".join(sorted(self.kinds))
                raise literals.invalid(
                    f"unknown property '{expression.name}'; the queryables are {known}"
                )
            return Operand(kind, column=self.columns[expression.name])
        if isinstance(expression, Scalar):
            return Operand(expression.kind, value=expression.value)
        if isinstance(expression, GeometryLiteral):
            return Operand("geometry", value=to_storage(expression.geometry, self.crs))
        return Operand("interval", value=expression)


def to_sql(predicate: Predicate, context: FilterContext) -> sa.ColumnElement[bool]:  # noqa: C901
    """The SQL condition of ``predicate``."""
    if isinstance(predicate, And):
        return sa.and_(*(to_sql(arg, context) for arg in predicate.args))
    if isinstance(predicate, Or):
        return sa.or_(*(to_sql(arg, context) for arg in predicate.args))
    if isinstance(predicate, Not):
        return sa.not_(to_sql(predicate.arg, context))
    if isinstance(predicate, Constant):
        return sa.true() if predicate.value else sa.false()
    if isinstance(predicate, Comparison):
        return _compare(predicate, context)
    if isinstance(predicate, Like):
        return _like(predicate, context)
    if isinstance(predicate, Between):
        value = context.operand(predicate.value)
        low, high = context.operand(predicate.low), context.operand(predicate.high)
        for bound in (low, high):
            _same_kind("BETWEEN", value, bound, ("number", "timestamp", "date", "string"))
        return sa.and_(value.sql(low) >= low.sql(value), value.sql(high) <= high.sql(value))
    if isinstance(predicate, In):
        value = context.operand(predicate.value)
        options = [context.operand(option) for option in predicate.options]
        for option in options:
            _same_kind("IN", value, option, ("number", "string", "boolean", "timestamp", "date"))
        return sa.or_(*(value.sql(option) == option.sql(value) for option in options))
    if isinstance(predicate, IsNull):
        operand = context.operand(predicate.value)
        if operand.column is None:
            return sa.false()
        return operand.column.is_(None)
    if isinstance(predicate, Spatial | DWithin):
        return _spatial(predicate, context)
    if isinstance(predicate, Temporal):
        return temporal.to_sql(predicate, context)
    raise literals.invalid(f"unsupported predicate {predicate!r}")


def _compare(predicate: Comparison, context: FilterContext) -> sa.ColumnElement[bool]:
    left, right = context.operand(predicate.left), context.operand(predicate.right)
    kinds = ("number", "string", "boolean", "timestamp", "date")
    _same_kind(predicate.op, left, right, kinds)
    if left.column is None and right.column is None:
        return sa.true() if _PYTHON_OPS[predicate.op](left.value, right.value) else sa.false()
    op = predicate.op
    a, b = left.sql(right), right.sql(left)
    conditions = {
        "=": lambda: a == b, "<>": lambda: a != b, "<": lambda: a < b, ">": lambda: a > b,
        "<=": lambda: a <= b, ">=": lambda: a >= b,
    }
    return conditions[op]()


def _like(predicate: Like, context: FilterContext) -> sa.ColumnElement[bool]:
    value, pattern = context.operand(predicate.value), context.operand(predicate.pattern)
    if value.kind != "string" or pattern.kind != "string" or pattern.column is not None:
        raise literals.invalid("LIKE compares a string property with a string pattern")
    if value.column is None:
        return sa.true() if _like_matches(str(value.value), str(pattern.value)) else sa.false()
    if context.postgres:
        return value.column.like(sa.literal(pattern.value, sa.String()), escape="\\")
    # SQLite's LIKE ignores case; GLOB does not, as CQL2's LIKE must not
    glob = value.column.op("GLOB", is_comparison=True)
    return glob(sa.literal(glob_pattern(str(pattern.value)), sa.String()))


def glob_pattern(pattern: str) -> str:
    """A CQL2 LIKE pattern (``%``, ``_``, ``\\`` escapes) as an SQLite GLOB pattern."""
    out: list[str] = []
    escaped = False
    for char in pattern:
        if escaped:
            out.append(f"[{char}]" if char in "*?[" else char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append("*")
        elif char == "_":
            out.append("?")
        elif char in "*?[":
            out.append(f"[{char}]")
        else:
            out.append(char)
    if escaped:
        out.append("\\")
    return "".join(out)


def _like_matches(value: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(value, glob_pattern(pattern))


def _spatial(predicate: Spatial | DWithin, context: FilterContext) -> sa.ColumnElement[bool]:
    left, right = context.operand(predicate.left), context.operand(predicate.right)
    name = predicate.op.upper() if isinstance(predicate, Spatial) else "S_DWITHIN"
    if left.kind != "geometry" or right.kind != "geometry":
        raise literals.invalid(f"{name} takes two geometries (the geometry property or literals)")
    if left.column is not None and right.column is not None:
        raise literals.invalid(f"{name} needs a geometry literal")
    function = predicate.op if isinstance(predicate, Spatial) else "s_dwithin"
    if left.column is None and right.column is None:
        return _constant_spatial(function, left.value, right.value, predicate)
    if left.column is None:  # literal first: the converse relation of the column to it
        function = {"s_within": "s_contains", "s_contains": "s_within"}.get(function, function)
        literal = left.value
    else:
        literal = right.value
    if isinstance(predicate, DWithin):
        return context.spatial.within_distance(literal, predicate.metres)
    return context.spatial.relate(function, literal)


def _constant_spatial(
    function: str, a: Any, b: Any, predicate: Spatial | DWithin
) -> sa.ColumnElement[bool]:
    if isinstance(predicate, DWithin):
        raise literals.invalid("S_DWITHIN compares the geometry property with a literal")
    holds = bool(getattr(a, function.removeprefix("s_"))(b))
    return sa.true() if holds else sa.false()


def _same_kind(op: str, a: Operand, b: Operand, allowed: tuple[str, ...]) -> None:
    for operand in (a, b):
        if operand.kind not in allowed:
            raise literals.invalid(f"'{op}' does not apply to a {operand.kind}")
    if a.kind != b.kind:
        raise literals.invalid(f"'{op}' compares a {a.kind} with a {b.kind}")

