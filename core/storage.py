"""Batched, idempotent upserts keyed on each entity's stable id.

PostgreSQL: rows are COPYed into a temporary stage and merged with one
``INSERT .. SELECT .. ON CONFLICT`` (the fastest path PostgreSQL offers for upserts). Rows that
are facts (``ignore``: observations) are first COPYed straight into their table, optimistically:
a new batch, the usual case, then costs one COPY; a batch with a stored id fails at that row,
is rolled back to a savepoint and takes the merge.
SQLite: ``executemany`` with ``ON CONFLICT``. Both report inserted / updated / unchanged so a
re-delivered file or message is visibly a no-op.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from psycopg.errors import UniqueViolation
from sqlalchemy.engine import Connection

from core.column_rows import RowColumns
from core.copying import copy_rows

#: Columns that record bookkeeping, not content: a change in them alone is not an update.
VOLATILE_COLUMNS = frozenset({"received_at", "updated_at", "origin"})


@dataclass
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: UpsertCounts) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged

    @property
    def stored(self) -> int:
        return self.inserted + self.updated


Mode = Literal["update", "merge", "ignore"]


def table_of(model: type[Any]) -> sa.Table:
    """The SQLAlchemy table behind a SQLModel table class (typed, in one place)."""
    table: sa.Table = model.__table__
    return table


def upsert(
    conn: Connection,
    table: sa.Table,
    rows: Sequence[dict[str, Any]] | RowColumns,
    id_column: str = "id",
    mode: Mode = "update",
) -> UpsertCounts:
    """Insert new rows; for stored ids ``mode`` decides.

    ``update`` overwrites rows whose content changed; ``merge`` does the same but never replaces
    a stored value by a missing one (a sensor message without a location keeps the bay's);
    ``ignore`` keeps the first delivery (observations are facts, re-deliveries change nothing).
    Rows may come as :class:`core.column_rows.RowColumns` (the fast lane's blocks).
    """
    if isinstance(rows, RowColumns):  # the fast lane's rows: one COPY when all are new
        appendable = conn.dialect.name == "postgresql" and mode == "ignore"
        if appendable and rows.distinct(id_column) and _append(conn, table, rows):
            return UpsertCounts(inserted=len(rows))
        rows = rows.dicts()
    unique = _unique(rows, id_column, merge=mode == "merge")
    in_batch_repeats = len(rows) - len(unique)
    if not unique:
        return UpsertCounts()
    if conn.dialect.name == "postgresql":
        counts = _upsert_postgres(conn, table, unique, id_column, mode)
    else:
        counts = _upsert_sqlite(conn, table, unique, id_column, mode)
    counts.unchanged += in_batch_repeats
    return counts


def _unique(rows: Sequence[dict[str, Any]], id_column: str, merge: bool) -> list[dict[str, Any]]:
    """One row per id: the last one, or with ``merge`` the last known value of each column."""
    by_id: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = row[id_column]
        if merge and key in by_id:
            by_id[key].update({k: v for k, v in row.items() if v is not None})
        else:
            by_id[key] = dict(row) if merge else row
    return list(by_id.values())


def _content_columns(table: sa.Table, id_column: str) -> list[str]:
    return [c.name for c in table.columns if c.name != id_column and c.name not in VOLATILE_COLUMNS]


def _stage(conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> str:
    """COPY ``rows`` into a session-private stage shaped like ``table``; returns its name."""
    stage = f"_stage_{table.name}"
    conn.exec_driver_sql(
        f'CREATE TEMP TABLE IF NOT EXISTS "{stage}" (LIKE "{table.name}") ON COMMIT DELETE ROWS'
    )
    # Empty already unless used before in this transaction. DELETE, not TRUNCATE: that would
    # give the table a new file every time, which costs more than the rows.
    conn.exec_driver_sql(f'DELETE FROM "{stage}"')
    copy_rows(conn, table, stage, rows)
    return stage


def _append(
    conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]] | RowColumns
) -> bool:
    """COPY ``rows`` straight into ``table``; False (and nothing written) when an id exists."""
    try:
        with conn.begin_nested():
            copy_rows(conn, table, table.name, rows)
    except UniqueViolation:
        return False
    return True


def _upsert_postgres(
    conn: Connection, table: sa.Table, rows: list[dict[str, Any]], id_column: str, mode: Mode
) -> UpsertCounts:
    if mode == "ignore" and _append(conn, table, rows):
        return UpsertCounts(inserted=len(rows))
    columns = [column.name for column in table.columns]
    quoted = ", ".join(f'"{name}"' for name in columns)
    stage = _stage(conn, table, rows)
    if mode == "ignore":
        conflict = "DO NOTHING"
    else:

        def new(name: str) -> str:
            incoming = f'EXCLUDED."{name}"'
            return f'COALESCE({incoming}, t."{name}")' if mode == "merge" else incoming

        content = _content_columns(table, id_column)
        assignments = ", ".join(f'"{name}" = {new(name)}' for name in columns if name != id_column)
        current = ", ".join(f't."{name}"' for name in content)
        incoming = ", ".join(new(name) for name in content)
        conflict = (
            f"DO UPDATE SET {assignments} WHERE ROW({current}) IS DISTINCT FROM ROW({incoming})"
        )
    # Counted in the server: a batch of thousands of rows sends back one row, not thousands.
    inserted, written = conn.exec_driver_sql(
        f'WITH written AS (INSERT INTO "{table.name}" AS t ({quoted}) SELECT {quoted} '
        f'FROM "{stage}" ON CONFLICT ("{id_column}") {conflict} RETURNING (xmax = 0) AS new) '
        "SELECT count(*) FILTER (WHERE new), count(*) FROM written"
    ).one()
    updated = written - inserted
    return UpsertCounts(inserted, updated, len(rows) - inserted - updated)


def _upsert_sqlite(
    conn: Connection, table: sa.Table, rows: list[dict[str, Any]], id_column: str, mode: Mode
) -> UpsertCounts:
    existing = existing_ids(conn, table, [row[id_column] for row in rows], id_column)
    inserted = sum(1 for row in rows if row[id_column] not in existing)
    raw = conn.connection.driver_connection
    before = raw.total_changes  # type: ignore[union-attr]
    statement = _sqlite_statement(table, id_column, mode)
    conn.execute(statement, [_complete(table, row) for row in rows])
    changed = raw.total_changes - before  # type: ignore[union-attr]
    updated = max(changed - inserted, 0)
    return UpsertCounts(inserted, updated, len(rows) - inserted - updated)


def _sqlite_statement(table: sa.Table, id_column: str, mode: Mode) -> Any:
    from sqlalchemy.dialects.sqlite import insert

    statement = insert(table)
    if mode == "ignore":
        return statement.on_conflict_do_nothing(index_elements=[id_column])

    def new(name: str) -> Any:
        incoming = statement.excluded[name]
        return sa.func.coalesce(incoming, table.c[name]) if mode == "merge" else incoming

    content = _content_columns(table, id_column)
    changed = sa.or_(*[table.c[name].is_distinct_from(new(name)) for name in content])
    return statement.on_conflict_do_update(
        index_elements=[id_column],
        set_={c.name: new(c.name) for c in table.columns if c.name != id_column},
        where=changed,
    )


def _complete(table: sa.Table, row: dict[str, Any]) -> dict[str, Any]:
    return {column.name: row.get(column.name) for column in table.columns}


def existing_ids(
    conn: Connection, table: sa.Table, ids: Iterable[str], id_column: str = "id"
) -> set[str]:
    """Which of ``ids`` are already stored."""
    return set(fetch_columns(conn, table, ids, (), id_column))


def fetch_columns(
    conn: Connection,
    table: sa.Table,
    ids: Iterable[str],
    columns: Sequence[str],
    id_column: str = "id",
) -> dict[str, dict[str, Any]]:
    """The named columns of the stored rows among ``ids``, keyed by id (queried in chunks, to
    stay under the backends' bound-parameter limits)."""
    result: dict[str, dict[str, Any]] = {}
    pending = list(ids)
    selected = [table.c[id_column], *(table.c[name] for name in columns)]
    for start in range(0, len(pending), 900):
        chunk = pending[start : start + 900]
        for row in conn.execute(sa.select(*selected).where(table.c[id_column].in_(chunk))):
            mapping = row._mapping
            result[mapping[id_column]] = {name: mapping[name] for name in columns}
    return result


def upsert_if_newer(
    conn: Connection,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    id_column: str,
    time_column: str,
    or_equal: bool = False,
) -> None:
    """Insert rows, or replace stored ones only when ``time_column`` moves forward.

    Used for "latest state" tables: replaying old data can never roll the state back.
    ``or_equal`` also accepts a recomputation for the same time (aggregates of many sensors).
    """
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        newest = _unique(sorted(rows, key=lambda row: row[time_column]), id_column, merge=False)
        stage = _stage(conn, table, newest)
        columns = [column.name for column in table.columns]
        quoted = ", ".join(f'"{name}"' for name in columns)
        assignments = ", ".join(f'"{n}" = EXCLUDED."{n}"' for n in columns if n != id_column)
        compare = "<=" if or_equal else "<"
        conn.exec_driver_sql(
            f'INSERT INTO "{table.name}" AS t ({quoted}) SELECT {quoted} FROM "{stage}" '
            f'ON CONFLICT ("{id_column}") DO UPDATE SET {assignments} '
            f'WHERE t."{time_column}" {compare} EXCLUDED."{time_column}"'
        )
        return
    from sqlalchemy.dialects import sqlite

    statement = sqlite.insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[id_column],
        set_=_replace_all(table, statement, id_column),
        where=(
            table.c[time_column] <= statement.excluded[time_column]
            if or_equal
            else table.c[time_column] < statement.excluded[time_column]
        ),
    )
    conn.execute(statement, [_complete(table, row) for row in rows])


def _replace_all(table: sa.Table, statement: Any, id_column: str) -> dict[str, Any]:
    """``SET col = EXCLUDED.col`` for every column but the id."""
    return {c.name: statement.excluded[c.name] for c in table.columns if c.name != id_column}
