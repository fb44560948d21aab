"""Rows into PostgreSQL's COPY: binary where every column allows it, text otherwise.

COPY is how every batch reaches PostgreSQL (see :mod:`core.storage`), and turning Python values
into COPY data runs on the writer thread while holding the GIL the next batch's checks need. In
text format psycopg spends ~3 µs on each datetime (two per observation: more than the rest of
the row); in binary format its C dumpers take a fraction of that and PostgreSQL parses nothing.
Binary COPY needs each column's exact type, taken here from the table's SQLAlchemy types; a
table with a type this module does not map (geometry: PostGIS has no binary dumper in psycopg)
keeps the text format, with geometries as EWKB hex and JSON as text.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from psycopg.copy import Copy, FileWriter
from psycopg.types.json import set_json_dumps
from sqlalchemy.engine import Connection

from core.column_rows import RowColumns
from core.geometry_type import Geometry, to_db_value

#: PostgreSQL's binary COPY header (signature, no flags, no extension) and trailer: the rows
#: of several blocks can be sent as one COPY between them.
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_BINARY_TRAILER = b"\xff\xff"
#: Short lists (``derived``: the names of computed terms) repeat row after row; their JSON is
#: cached instead of encoded each time.
_CACHED_LIST_LENGTH = 8


def copy_rows(
    conn: Connection,
    table: sa.Table,
    target: str,
    rows: Sequence[dict[str, Any]] | RowColumns,
) -> None:
    """COPY ``rows`` (dicts keyed by ``table``'s column names, or columns of them) into the
    table ``target``."""
    columns = [column.name for column in table.columns]
    quoted = ", ".join(f'"{name}"' for name in columns)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    types = binary_types(table)
    if types is not None:
        set_json_dumps(json_text, cursor)
        with cursor.copy(f'COPY "{target}" ({quoted}) FROM STDIN (FORMAT BINARY)') as copy:
            copy.set_types(types)
            if isinstance(rows, RowColumns) and rows.copy_data is not None:
                copy.write(_BINARY_HEADER + rows.copy_data + _BINARY_TRAILER)
            elif isinstance(rows, RowColumns):
                _write_columns(copy, table, types, rows)
            else:
                for row in rows:
                    copy.write_row(list(map(row.get, columns)))
        return
    if isinstance(rows, RowColumns):
        rows = rows.dicts()
    converted = [
        (index, convert)
        for index, column in enumerate(table.columns)
        if (convert := _text_converter(column)) is not None
    ]
    with cursor.copy(f'COPY "{target}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            values = list(map(row.get, columns))
            for index, convert in converted:
                values[index] = convert(values[index])
            copy.write_row(values)


def encode_rows(conn: Connection, table: sa.Table, rows: RowColumns) -> RowColumns:
    """``rows`` with their binary COPY data for ``table`` (PostgreSQL; else as they are).

    Why: formatting rows for COPY needs the GIL, and the writer thread that sends them waits
    for it while the next batch is being checked, leaving PostgreSQL idle. Formatted on the
    checking thread instead, the writer just hands PostgreSQL one buffer. ``conn`` only lends
    its type adapters; nothing is sent.
    """
    types = binary_types(table) if conn.dialect.name == "postgresql" else None
    if types is None:
        return rows
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    buffer = io.BytesIO()
    with Copy(cursor, binary=True, writer=FileWriter(buffer)) as copy:
        _write_columns(copy, table, types, rows)
    data = buffer.getvalue()
    if not (data.startswith(_BINARY_HEADER) and data.endswith(_BINARY_TRAILER)):
        return rows  # not the format this module knows: the writer formats them itself
    return replace(rows, copy_data=data[len(_BINARY_HEADER) : -len(_BINARY_TRAILER)])


def _write_columns(copy: Copy, table: sa.Table, types: list[str], rows: RowColumns) -> None:
    """Rows held as columns into a binary COPY of ``table`` (``types``: its binary types)."""
    names = [column.name for column in table.columns]
    held = dict(rows.columns)
    for name, kind in zip(names, types, strict=True):
        if kind == "jsonb" and name in held:
            held[name] = _jsonb_wire(held[name])
    copy.set_types(["text" if kind == "jsonb" else kind for kind in types])
    for row_values in RowColumns(held, rows.length).tuples(names):
        copy.write_row(row_values)


def _jsonb_wire(values: list[Any]) -> list[str | None]:
    """JSON values in jsonb's binary wire form: a version byte (1), then the JSON text.

    Written as text (whose binary form is its UTF-8 bytes, and U+0001 is the byte 1), they
    reach the jsonb column exactly as psycopg's jsonb dumper would send them, but through
    psycopg's C text dumper instead of a Python call per row; each distinct value object is
    encoded once (a block repeats the same few lists).
    """
    encoded: dict[int, str] = {}
    wire: list[str | None] = []
    for value in values:
        if value is None:
            wire.append(None)
            continue
        found = encoded.get(id(value))
        if found is None:
            found = encoded[id(value)] = "\x01" + json_text(value)
        wire.append(found)
    return wire


@lru_cache(maxsize=256)
def binary_types(table: sa.Table) -> list[str] | None:
    """PostgreSQL type names of ``table``'s columns for a binary COPY, or None (use text)."""
    names = [_binary_type(column.type) for column in table.columns]
    return None if None in names else names  # type: ignore[return-value]


def _binary_type(column_type: Any) -> str | None:
    if isinstance(column_type, sa.types.TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, sa.JSON):
        return "jsonb"
    if isinstance(column_type, sa.DateTime):
        return "timestamptz" if column_type.timezone else "timestamp"
    if isinstance(column_type, sa.Boolean):
        return "bool"
    if isinstance(column_type, sa.Float):  # FLOAT without a precision is double precision
        return "float8" if column_type.precision is None else None
    if isinstance(column_type, sa.SmallInteger):
        return "int2"
    if isinstance(column_type, sa.BigInteger):
        return "int8"
    if isinstance(column_type, sa.Integer):
        return "int4"
    if isinstance(column_type, sa.String) and not isinstance(column_type, sa.Enum):
        return "text"  # varchar(n) and text share their binary form
    return None


def json_text(value: Any) -> str:
    """JSON text of a value; short lists of names come from a cache."""
    if isinstance(value, list) and len(value) <= _CACHED_LIST_LENGTH:
        try:
            return _cached_json(tuple(value))
        except TypeError:  # an unhashable member
            pass
    return json.dumps(value)


@lru_cache(maxsize=1024)
def _cached_json(items: tuple[Any, ...]) -> str:
    return json.dumps(list(items))


def _text_converter(column: sa.Column[Any]) -> Callable[[Any], Any] | None:
    """How a column's Python value goes into a text COPY, or None when it goes as it is."""
    if isinstance(column.type, Geometry):
        return lambda value: None if value is None else to_db_value(value, "postgresql")
    if isinstance(column.type, sa.JSON):
        return lambda value: None if value is None else json_text(value)
    return None
