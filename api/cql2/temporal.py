"""CQL2 temporal functions as SQL: every operand becomes an interval ``[begin, end]``.

An instant (a timestamp property or literal) is the interval ``[t, t]``; a DATE literal is the
whole UTC day; ``INTERVAL(a, b)`` takes literals, properties or ``'..'`` (unbounded) as its
ends. The functions are then Allen's relations on the two intervals, as CQL2 defines them,
written once over comparisons that know about unbounded ends. Instants are accepted wherever
intervals are (CQL2 leaves some functions to intervals only; an instant is a degenerate one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from api.cql2 import literals
from api.cql2.ast import Expression, Interval, Property, Scalar, Temporal

if TYPE_CHECKING:
    from api.cql2.sql import FilterContext

#: An end of an interval: a column, a Python datetime, or ``None`` for unbounded.
End = sa.ColumnElement[Any] | datetime | None


@dataclass(frozen=True)
class Span:
    begin: End
    end: End
    type_: Any  # the column type to bind literals with


Condition = sa.ColumnElement[bool]


#: Each function as conditions that must all hold, on the ends ``a0``/``a1`` (begin/end of
#: the first operand) and ``b0``/``b1``; T_DISJOINT holds when either of its conditions does.
RELATIONS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "t_after": (("a0", ">", "b1"),),
    "t_before": (("a1", "<", "b0"),),
    "t_contains": (("a0", "<", "b0"), ("a1", ">", "b1")),
    "t_disjoint": (("a1", "<", "b0"), ("a0", ">", "b1")),
    "t_during": (("a0", ">", "b0"), ("a1", "<", "b1")),
    "t_equals": (("a0", "=", "b0"), ("a1", "=", "b1")),
    "t_finishedby": (("a0", "<", "b0"), ("a1", "=", "b1")),
    "t_finishes": (("a0", ">", "b0"), ("a1", "=", "b1")),
    "t_intersects": (("a0", "<=", "b1"), ("a1", ">=", "b0")),
    "t_meets": (("a1", "=", "b0"),),
    "t_metby": (("a0", "=", "b1"),),
    "t_overlappedby": (("a0", ">", "b0"), ("a0", "<", "b1"), ("a1", ">", "b1")),
    "t_overlaps": (("a0", "<", "b0"), ("a1", ">", "b0"), ("a1", "<", "b1")),
    "t_startedby": (("a0", "=", "b0"), ("a1", ">", "b1")),
    "t_starts": (("a0", "=", "b0"), ("a1", "<", "b1")),
}


def to_sql(predicate: Temporal, context: FilterContext) -> Condition:
    a, b = _span(predicate.left, context), _span(predicate.right, context)
    compare = _Compare(a.type_ if a.type_ is not None else b.type_)
    ends = {"a0": a.begin, "a1": a.end, "b0": b.begin, "b1": b.end}
    conditions = [
        compare.compare(ends[x], ends[y], op, x_low=x.endswith("0"), y_low=y.endswith("0"))
        for x, op, y in RELATIONS[predicate.op]
    ]
    return sa.or_(*conditions) if predicate.op == "t_disjoint" else sa.and_(*conditions)


def _span(expression: Expression, context: FilterContext) -> Span:
    if isinstance(expression, Interval):
        begin, begin_type = _instant(expression.start, context, start=True)
        end, end_type = _instant(expression.end, context, start=False)
        return Span(begin, end, begin_type if begin_type is not None else end_type)
    if isinstance(expression, Scalar | Property):
        begin, type_ = _instant(expression, context, start=True)
        end, _ = _instant(expression, context, start=False)
        return Span(begin, end, type_)
    raise literals.invalid("temporal functions take timestamps, dates, intervals or properties")


def _instant(
    value: Scalar | Property | None, context: FilterContext, *, start: bool
) -> tuple[End, Any]:
    if value is None:
        return None, None
    operand = context.operand(value)
    if operand.column is not None:
        if operand.kind not in ("timestamp", "date"):
            raise literals.invalid(f"'{value}' is not a temporal property")
        return operand.column, operand.column.type
    if isinstance(operand.value, datetime):
        return operand.value, None
    if isinstance(operand.value, date):
        day = datetime.combine(operand.value, time(), UTC)
        return (day if start else day + timedelta(days=1) - timedelta(microseconds=1)), None
    raise literals.invalid("temporal functions take timestamps, dates, intervals or properties")


class _Compare:
    """Comparisons of interval ends where ``None`` is -∞ (``*_low``, a begin) or else +∞."""

    def __init__(self, type_: Any) -> None:
        self.type_ = type_

    def _value(self, end: End) -> sa.ColumnElement[Any]:
        if isinstance(end, datetime):
            return sa.literal(end, self.type_) if self.type_ is not None else sa.literal(end)
        assert end is not None
        return end

    def compare(self, x: End, y: End, op: str, *, x_low: bool, y_low: bool) -> Condition:
        if x is None or y is None:  # an unbounded end: decided by which infinities meet
            xv = (-1 if x_low else 1) if x is None else 0
            yv = (-1 if y_low else 1) if y is None else 0
            holds = {
                "<": xv < yv, ">": xv > yv, "<=": xv <= yv, ">=": xv >= yv, "=": xv == yv,
            }[op]
            return sa.true() if holds else sa.false()
        if isinstance(x, datetime) and isinstance(y, datetime):
            result = {"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y, "=": x == y}[op]
            return sa.true() if result else sa.false()
        a, b = self._value(x), self._value(y)
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b, "=": a == b}[op]
