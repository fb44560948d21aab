"""The parsed form of a CQL2 filter, shared by the text and JSON encodings.

Both parsers produce these nodes and :mod:`api.cql2.sql` translates them; nothing here knows
about a database or a collection, so the parsers are tested on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal as TypingLiteral

from shapely.geometry.base import BaseGeometry

ScalarKind = TypingLiteral["string", "number", "boolean", "timestamp", "date"]

COMPARISONS = ("=", "<>", "<", ">", "<=", ">=")
SPATIAL_FUNCTIONS = (
    "s_intersects",
    "s_equals",
    "s_disjoint",
    "s_touches",
    "s_within",
    "s_overlaps",
    "s_crosses",
    "s_contains",
)
#: Not part of CQL2 1.0: ``S_DWITHIN(a, b, distance, units)``, distance in metres by default.
DWITHIN = "s_dwithin"
TEMPORAL_FUNCTIONS = (
    "t_after",
    "t_before",
    "t_contains",
    "t_disjoint",
    "t_during",
    "t_equals",
    "t_finishedby",
    "t_finishes",
    "t_intersects",
    "t_meets",
    "t_metby",
    "t_overlappedby",
    "t_overlaps",
    "t_startedby",
    "t_starts",
)


@dataclass(frozen=True)
class Property:
    name: str


@dataclass(frozen=True)
class Scalar:
    """A literal: string, number, boolean, timestamp (aware, UTC) or date."""

    value: str | float | int | bool | datetime | date
    kind: ScalarKind


@dataclass(frozen=True)
class GeometryLiteral:
    """A WKT, GeoJSON or BBOX literal, in the filter's CRS (``filter-crs``) as written."""

    geometry: BaseGeometry


@dataclass(frozen=True)
class Interval:
    """``INTERVAL(a, b)``: each end an instant literal, a property, or ``None`` for ``'..'``."""

    start: Scalar | Property | None
    end: Scalar | Property | None


Expression = Property | Scalar | GeometryLiteral | Interval


@dataclass(frozen=True)
class Comparison:
    op: str
    left: Expression
    right: Expression


@dataclass(frozen=True)
class Like:
    value: Expression
    pattern: Expression


@dataclass(frozen=True)
class Between:
    value: Expression
    low: Expression
    high: Expression


@dataclass(frozen=True)
class In:
    value: Expression
    options: tuple[Expression, ...]


@dataclass(frozen=True)
class IsNull:
    value: Expression


@dataclass(frozen=True)
class Spatial:
    op: str
    left: Expression
    right: Expression


@dataclass(frozen=True)
class DWithin:
    left: Expression
    right: Expression
    metres: float


@dataclass(frozen=True)
class Temporal:
    op: str
    left: Expression
    right: Expression


@dataclass(frozen=True)
class And:
    args: tuple[Predicate, ...]


@dataclass(frozen=True)
class Or:
    args: tuple[Predicate, ...]


@dataclass(frozen=True)
class Not:
    arg: Predicate


@dataclass(frozen=True)
class Constant:
    """``TRUE`` or ``FALSE`` as a whole predicate."""

    value: bool


Predicate = (
    Comparison | Like | Between | In | IsNull | Spatial | DWithin | Temporal | And | Or | Not
    | Constant
)

#: Units ``S_DWITHIN`` accepts, in metres.
DISTANCE_UNITS = {
    "m": 1.0,
    "meter": 1.0,
    "meters": 1.0,
    "metre": 1.0,
    "metres": 1.0,
    "km": 1000.0,
    "kilometer": 1000.0,
    "kilometers": 1000.0,
    "kilometre": 1000.0,
    "kilometres": 1000.0,
}
