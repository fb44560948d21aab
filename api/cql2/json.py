"""The CQL2 JSON encoding (``filter-lang=cql2-json``): ``{"op": ..., "args": [...]}`` trees.

Literals are JSON strings, numbers and booleans, ``{"timestamp": ...}``, ``{"date": ...}``,
``{"interval": [a, b]}``, GeoJSON geometries and ``{"bbox": [...]}``; properties are
``{"property": name}``. Operator names are matched case-insensitively.
"""

from __future__ import annotations

import json
from typing import Any

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

_GEOJSON_TYPES = frozenset(
    {
        "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon",
        "GeometryCollection",
    }
)


def parse_json_text(text: str) -> Predicate:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise literals.invalid(f"the filter is not JSON: {error}") from None
    return parse_json(document)


def parse_json(document: Any, depth: int = 0) -> Predicate:
    """The predicate of a cql2-json document; any error is a 400 on ``filter``."""
    if depth > literals.MAX_DEPTH:
        raise literals.invalid("the filter is nested too deeply")
    if isinstance(document, bool):
        return Constant(document)
    if not isinstance(document, dict) or "op" not in document:
        raise literals.invalid(f"expected an object with 'op' and 'args', found {_show(document)}")
    op = str(document["op"]).lower()
    args = document.get("args")
    if not isinstance(args, list):
        raise literals.invalid(f"'{op}' needs a list of 'args'")
    if op in ("and", "or"):
        if len(args) < 2:
            raise literals.invalid(f"'{op}' needs at least two arguments")
        parts = tuple(parse_json(arg, depth + 1) for arg in args)
        return And(parts) if op == "and" else Or(parts)
    if op == "not":
        _arity(op, args, 1)
        return Not(parse_json(args[0], depth + 1))
    return _predicate(op, args)


def _predicate(op: str, args: list[Any]) -> Predicate:
    if op in COMPARISONS:
        _arity(op, args, 2)
        return Comparison(op, expression(args[0]), expression(args[1]))
    if op == "like":
        _arity(op, args, 2)
        return Like(expression(args[0]), expression(args[1]))
    if op == "between":
        _arity(op, args, 3)
        return Between(expression(args[0]), expression(args[1]), expression(args[2]))
    if op == "in":
        _arity(op, args, 2)
        if not isinstance(args[1], list) or not args[1]:
            raise literals.invalid("the second argument of 'in' is a non-empty list")
        return In(expression(args[0]), tuple(expression(item) for item in args[1]))
    if op == "isnull":
        _arity(op, args, 1)
        return IsNull(expression(args[0]))
    if op in SPATIAL_FUNCTIONS:
        _arity(op, args, 2)
        return Spatial(op, expression(args[0]), expression(args[1]))
    if op == DWITHIN:
        if len(args) not in (3, 4):
            raise literals.invalid("'s_dwithin' takes two geometries, a distance and a unit")
        units = args[3] if len(args) == 4 else "meters"
        if not isinstance(units, str):
            raise literals.invalid("the unit of 's_dwithin' is a string such as 'meters'")
        metres = literals.distance(args[2], units)
        return DWithin(expression(args[0]), expression(args[1]), metres)
    if op in TEMPORAL_FUNCTIONS:
        _arity(op, args, 2)
        return Temporal(op, expression(args[0]), expression(args[1]))
    raise literals.invalid(f"unknown operator '{op}'")


def expression(value: Any) -> Expression:  # noqa: C901 - one branch per literal form
    """An operand: a property, a literal, a geometry or an interval."""
    if isinstance(value, bool):
        return Scalar(value, "boolean")
    if isinstance(value, int | float):
        if isinstance(value, float) and value != value:  # NaN
            raise literals.invalid("numbers must be finite")
        return Scalar(value, "number")
    if isinstance(value, str):
        return Scalar(value, "string")
    if not isinstance(value, dict):
        raise literals.invalid(f"unexpected operand {_show(value)}")
    if "property" in value and isinstance(value["property"], str):
        return Property(value["property"])
    if "timestamp" in value and isinstance(value["timestamp"], str):
        return literals.timestamp(value["timestamp"])
    if "date" in value and isinstance(value["date"], str):
        return literals.calendar_date(value["date"])
    if "interval" in value:
        ends = value["interval"]
        if not isinstance(ends, list) or len(ends) != 2:
            raise literals.invalid("an interval is a list of two instants")
        return literals.make_interval(_interval_end(ends[0]), _interval_end(ends[1]))
    if "bbox" in value and isinstance(value["bbox"], list):
        return literals.bbox(value["bbox"])
    if value.get("type") in _GEOJSON_TYPES:
        return literals.geojson(value)
    if "op" in value:
        raise literals.invalid(f"'{value['op']}' is not allowed as an operand here")
    raise literals.invalid(f"unexpected operand {_show(value)}")


def _interval_end(value: Any) -> Scalar | Property | None:
    if isinstance(value, str):
        return literals.instant(value)
    operand = expression(value)
    if isinstance(operand, Scalar | Property):
        return operand
    raise literals.invalid("the ends of an interval are dates, timestamps, '..' or properties")


def _arity(op: str, args: list[Any], count: int) -> None:
    if len(args) != count:
        raise literals.invalid(f"'{op}' takes {count} argument{'s' if count > 1 else ''}")


def _show(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."
