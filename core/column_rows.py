"""Rows held as columns: how the fast lane hands a whole block of records to storage.

A dict per row costs about a microsecond to build and another to take apart again for COPY;
for a block of thousands of checked records that is most of what is left to do. Storage writes
these straight into COPY (:mod:`core.copying`) and turns them into dicts only on the rare paths
that need one (a re-delivered id, the embedded database).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any


@dataclass(frozen=True)
class RowColumns:
    """Rows of one table: one list per column name, all of the same length."""

    columns: dict[str, list[Any]]
    length: int
    #: The rows already in PostgreSQL's binary COPY format (rows only, without the format's
    #: header and trailer), in the table's column order (:func:`core.copying.encode_rows`),
    #: so the writer thread only has to send them.
    copy_data: bytes | None = None

    def __len__(self) -> int:
        return self.length

    def tuples(self, names: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """Each row's values in the order of ``names`` (None for a column not held)."""
        held = (self.columns.get(name, repeat(None, self.length)) for name in names)
        return zip(*held, strict=False)  # ``repeat`` is endless; held lists share one length

    def dicts(self) -> list[dict[str, Any]]:
        names = list(self.columns)
        return [dict(zip(names, row, strict=True)) for row in self.tuples(names)]

    def row(self, index: int) -> dict[str, Any]:
        return {name: values[index] for name, values in self.columns.items()}

    def newest(self, key: str, time: str) -> list[dict[str, Any]]:
        """Per value of ``key``, the row with the latest ``time`` (the first of equals)."""
        return [self.row(index) for index in latest_indices(self.columns[key], self.columns[time])]

    def distinct(self, name: str) -> bool:
        """Whether no two rows share a value of column ``name`` (their id, say)."""
        return len(set(self.columns[name])) == self.length


def latest_indices(groups: Sequence[Any], times: Sequence[Any]) -> list[int]:
    """Per distinct group (in order of first appearance), the index of its latest time; the
    first of equal times wins."""
    latest: dict[Any, int] = {}
    for index, (group, moment) in enumerate(zip(groups, times, strict=True)):
        current = latest.get(group)
        if current is None or moment > times[current]:
            latest[group] = index
    return list(latest.values())


def joined(parts: Sequence[RowColumns]) -> RowColumns:
    """Several blocks' rows as one (stored in one COPY, one after-store call)."""
    if len(parts) == 1:
        return parts[0]
    names = list(dict.fromkeys(name for part in parts for name in part.columns))
    columns: dict[str, list[Any]] = {name: [] for name in names}
    for part in parts:
        for name in names:
            columns[name].extend(part.columns.get(name, repeat(None, part.length)))
    data = [part.copy_data for part in parts]
    copy_data = b"".join(data) if None not in data else None  # type: ignore[arg-type]
    return RowColumns(columns, sum(part.length for part in parts), copy_data)


#: Rows as a pilot's after-store hook gets them: dicts, or the columns of a block.
StoredRows = list[dict[str, Any]] | RowColumns


def as_dicts(rows: StoredRows) -> list[dict[str, Any]]:
    """``rows`` as one dict per row, whichever way they came."""
    return rows.dicts() if isinstance(rows, RowColumns) else rows
