"""Keyset (cursor) paging: ``next``/``prev`` links carry the sort key of the row they continue.

A page is "the first ``limit`` rows after (or before) this key" in the order
``sortby`` then id, so it costs one index range scan however deep it is, and rows inserted or
deleted elsewhere in the table neither repeat nor skip rows at the page boundary (``offset``
paging does both). NULLs sort last in every key, on both backends.

The cursor is base64url JSON: the key values, the direction and the ``sortby`` it was made
for. It is opaque to clients; a cursor that does not decode, or that belongs to another sort
order, is a 400 on ``cursor``. Decoded values are converted to the column's Python type
before binding, so a tampered cursor can never reach the database as the wrong type.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from api.params import SortKey
from api.times import parse_instant
from core.errors import InvalidParameter


@dataclass(frozen=True)
class Key:
    """One ordering key: a column and its direction."""

    column: sa.ColumnElement[Any]
    descending: bool = False
    nullable: bool = True


@dataclass(frozen=True)
class Cursor:
    values: tuple[Any, ...]
    backwards: bool


def signature(sortby: Sequence[SortKey]) -> str:
    return ",".join(("-" if key.descending else "+") + key.name for key in sortby)


def encode(values: Sequence[Any], *, backwards: bool, sortby: Sequence[SortKey]) -> str:
    payload = {
        "k": [_to_json(value) for value in values],
        "b": backwards,
        "s": signature(sortby),
    }
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode(token: str, keys: Sequence[Key], sortby: Sequence[SortKey]) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw)
        values, backwards, made_for = payload["k"], payload["b"], payload["s"]
    except (ValueError, binascii.Error, KeyError, TypeError):
        raise _invalid("it is not a cursor of this API; follow a next or prev link") from None
    if made_for != signature(sortby):
        raise _invalid("the cursor belongs to another sortby; start again from the first page")
    if not isinstance(values, list) or len(values) != len(keys) or not isinstance(backwards, bool):
        raise _invalid("the cursor does not fit this collection")
    typed = tuple(_typed(value, key) for value, key in zip(values, keys, strict=True))
    return Cursor(typed, backwards)


def order_by(keys: Sequence[Key], *, backwards: bool) -> list[sa.ColumnElement[Any]]:
    """ORDER BY: each key with NULLs last (reversed when paging backwards)."""
    clauses: list[sa.ColumnElement[Any]] = []
    for key in keys:
        descending = key.descending != backwards
        if key.nullable:
            nulls = key.column.is_(None)
            clauses.append(nulls.desc() if backwards else nulls.asc())
        clauses.append(key.column.desc() if descending else key.column.asc())
    return clauses


def beyond(keys: Sequence[Key], cursor: Cursor) -> sa.ColumnElement[bool]:
    """Rows strictly after the cursor's row (or before it, for a backwards cursor)."""
    alternatives: list[sa.ColumnElement[bool]] = []
    ties: list[sa.ColumnElement[bool]] = []
    for key, value in zip(keys, cursor.values, strict=True):
        step = _before(key, value) if cursor.backwards else _after(key, value)
        if step is not None:
            alternatives.append(sa.and_(*ties, step))
        ties.append(key.column.is_(None) if value is None else key.column == value)
    return sa.or_(*alternatives) if alternatives else sa.false()


def _after(key: Key, value: Any) -> sa.ColumnElement[bool] | None:
    if value is None:
        return None  # NULLs come last: nothing sorts after a NULL within this key
    beyond_value = key.column < value if key.descending else key.column > value
    return sa.or_(beyond_value, key.column.is_(None)) if key.nullable else beyond_value


def _before(key: Key, value: Any) -> sa.ColumnElement[bool] | None:
    if value is None:
        return key.column.is_not(None)
    before: sa.ColumnElement[bool] = key.column > value if key.descending else key.column < value
    return before


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, Decimal):
        return {"d": str(value)}
    return value


def _typed(value: Any, key: Key) -> Any:
    """The decoded value as the column's Python type, or a 400."""
    if value is None:
        return None
    expected = _python_type(key.column.type)
    if expected is datetime:
        if isinstance(value, dict) and isinstance(value.get("t"), str):
            return parse_instant(value["t"], "cursor")
    elif expected is Decimal:
        if isinstance(value, dict) and isinstance(value.get("d"), str):
            try:
                return Decimal(value["d"])
            except InvalidOperation:
                pass
    elif expected is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    elif isinstance(value, expected) and not (isinstance(value, bool) and expected is not bool):
        return value
    raise _invalid("the cursor does not fit this collection")


def _python_type(type_: Any) -> type[Any]:
    """What a column holds in Python; TypeDecorators and SQLModel's strings say ``object``."""
    if isinstance(type_, sa.types.TypeDecorator):
        type_ = type_.impl_instance
    for sql_type, python in (
        (sa.DateTime, datetime),
        (sa.Boolean, bool),
        (sa.Integer, int),
        (sa.Float, float),
        (sa.Numeric, Decimal),
        (sa.String, str),
    ):
        if isinstance(type_, sql_type):
            return python
    return str


def _invalid(detail: str) -> InvalidParameter:
    return InvalidParameter("cursor", detail)
