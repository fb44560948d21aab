"""GeoJSON features written by PostgreSQL, one compact JSON text per row.

A bbox page of a hundred features cost the server more to turn rows into JSON than anything
else: the driver parsed two JSON values per row (the geometry PostGIS had just written, and
the JSON properties), Python made a dict per feature and a datetime per timestamp, and orjson
wrote it all back out. Here PostgreSQL writes each feature's text itself and the route only
joins the texts, as tipg does.

The text must say exactly what :meth:`api.features.FeatureSource.render` says, so each
property type maps to the SQL that writes its JSON the way :mod:`api.values` does: times as
RFC 3339 in UTC with a ``Z`` (microseconds only when there are any), NaN and infinities as
``null``, decimals as numbers. A column whose type has no such mapping (an enum, an unknown
type) makes :func:`feature_text` return ``None``, and the caller renders in Python as before:
the fast path never guesses. Keys are written (JSON-escaped) by Python when the statement is
built, and everything is concatenated rather than ``json_build_object``-ed, so the output is
as compact as orjson's.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator, TypeEngine

from api.crs import CRS84, Crs

#: What a JSON null is as text.
NULL: sa.ColumnElement[str] = sa.literal_column("'null'", sa.Text)


def feature_text(
    identity: sa.ColumnElement[Any],
    geometry: sa.ColumnElement[Any] | None,
    properties: Sequence[tuple[str, sa.ColumnElement[Any]]],
) -> sa.ColumnElement[str] | None:
    """``{"type":"Feature","id":…,"geometry":…,"properties":{…}}`` as SQL text.

    ``geometry`` is SQL that yields GeoJSON text (``ST_AsGeoJSON``), or ``None`` for
    ``skipGeometry``. ``None`` when some column cannot be written in SQL exactly.
    """
    id_json = value_json(identity)
    if id_json is None:
        return None
    parts: list[sa.ColumnElement[Any]] = [
        _text('{"type":"Feature","id":'), _or_null(id_json), _text(',"geometry":'),
        NULL if geometry is None else _or_null(geometry), _text(',"properties":{'),
    ]
    for number, (name, column) in enumerate(properties):
        written = value_json(column)
        if written is None:
            return None
        key = orjson.dumps(name).decode()
        parts += [_text(("," if number else "") + key + ":"), _or_null(written)]
    parts.append(_text("}}"))
    return sa.func.concat(*parts)


def value_json(column: sa.ColumnElement[Any]) -> sa.ColumnElement[str] | None:
    """SQL writing the column's non-null values as JSON text, or ``None``: no exact mapping."""
    type_: TypeEngine[Any] = column.type
    if isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    if isinstance(type_, sa.Enum):
        return None  # Python writes an enum member's value; SQL would write its name
    if isinstance(type_, sa.DateTime):
        return _rfc3339(column, aware=bool(type_.timezone))
    if isinstance(type_, sa.Numeric | sa.Float):
        # A decimal becomes a float8 as Python's float() makes it; a float4 stays itself,
        # as the driver reads it from its shortest text ("0.1", not 0.10000000149011612).
        number: sa.ColumnElement[Any] = (
            column if isinstance(type_, sa.Float) else sa.cast(column, sa.Double())
        )
        infinite = number.in_([sa.literal_column(f"'{v}'::float8")
                               for v in ("NaN", "Infinity", "-Infinity")])
        written = sa.cast(number, sa.Text)  # what to_json writes, without building a json
        integral = sa.and_(number == sa.func.trunc(number), sa.func.abs(number) < 1e15)
        return sa.case(
            (infinite, sa.null()),
            (integral, written.op("||")(_text(".0"))),  # a float is written 1.0, not 1
            else_=written,
        )
    if isinstance(type_, sa.JSON):
        return sa.cast(column, sa.Text)
    if isinstance(type_, sa.Integer | sa.Boolean):
        return sa.cast(column, sa.Text)  # 42, true, false: JSON as PostgreSQL writes them
    if isinstance(type_, sa.String | sa.Date):
        return sa.cast(sa.func.to_json(column), sa.Text)  # quoted and escaped
    return None


def geojson(geometry: sa.ColumnElement[Any], crs: Crs) -> sa.ColumnElement[str]:
    """The geometry in the output CRS as GeoJSON text, written by PostGIS."""
    if crs.srid != CRS84.srid:
        geometry = sa.func.ST_Transform(geometry, crs.srid)
    if crs.lat_first:
        geometry = sa.func.ST_FlipCoordinates(geometry)
    return sa.func.ST_AsGeoJSON(geometry, 9, 0)


@lru_cache(maxsize=256)
def items_feature_text(
    source: sa.Subquery,
    id_column: str,
    geometry_column: str,
    crs: Crs,
    skip_geometry: bool,
    properties: tuple[str, ...],
) -> sa.ColumnElement[str] | None:
    """:func:`feature_text` over a collection's items subquery, built once per shape:
    building the expression cost more than the one-feature request it serves."""
    return feature_text(
        source.c[id_column],
        None if skip_geometry else geojson(source.c[geometry_column], crs),
        [(name, source.c[name]) for name in properties],
    )


def _rfc3339(column: sa.ColumnElement[Any], *, aware: bool) -> sa.ColumnElement[str]:
    """``"2026-11-04T12:00:00Z"``, with ``.ffffff`` only when there are microseconds, as
    ``datetime.isoformat`` writes; a naive column already holds UTC (the storage convention).
    One ``to_char`` with microseconds, and ``.000000`` dropped (the format has one dot)."""
    utc = sa.func.timezone("UTC", column) if aware else column
    written = sa.func.replace(
        sa.func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS.US'), _text(".000000"), _text("")
    )
    return _text('"').op("||")(written).op("||")(_text('Z"'))  # NULL stays NULL


def _or_null(value: sa.ColumnElement[Any]) -> sa.ColumnElement[str]:
    return sa.func.coalesce(value, NULL)


def _text(value: str) -> sa.ColumnElement[str]:
    """A constant written into the statement (not bound: a page would bind dozens of them)."""
    if "%" in value:  # the driver's placeholder character: let SQLAlchemy bind it instead
        return sa.literal(value, sa.Text)
    return sa.literal_column("'" + value.replace("'", "''") + "'", sa.Text)
