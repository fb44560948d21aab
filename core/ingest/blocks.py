"""Blocks: many records of one entity read at once as columns, checked as columns.

Why: checking a large status file record by record spends most of its time on per-record
objects (envelopes, dicts, canonical records, row dicts), not on the checks themselves. A
reader that can read a stretch of plain records as columns hands them over as a
:class:`RecordBlock`; the pipeline coerces each column with the handbook's quick coercers (once
per distinct value), resolves references per distinct id, and lets the pilot's
:data:`ColumnLane` for the entity derive values and apply its rules to whole columns.

A lane only ever *accepts*. A record it does not vouch for (or that the reader could not map
plainly) is taken out of the block as an ordinary raw record and goes the per-record way, whose
checks alone say what is wrong; so the problems a supplier sees, the quarantine and the stored
rows are the same as without blocks (``tests/core/test_blocks.py`` and the pilots' lane tests).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from core.column_rows import RowColumns
from core.ingest.envelope import RawRecord


@dataclass(frozen=True)
class RecordBlock:
    """Records of ``entity``: their canonical values per term, and each as a raw record.

    ``columns`` hold what the adapter's ``map`` would give each record (None: absent; values
    hashable: a column is coerced once per distinct value).
    ``declined`` marks records the reader could not map plainly; only :attr:`record` gives
    those. ``record(i)`` is the envelope of record ``i`` (position, content for quarantine).
    """

    entity: str
    columns: Mapping[str, list[Any]]
    declined: Sequence[bool]
    record: Callable[[int], RawRecord]

    def __len__(self) -> int:
        return len(self.declined)


@dataclass(frozen=True)
class LaneOutcome:
    """Which records a lane accepts, and the rows of those (in block order)."""

    accepted: list[bool]
    rows: RowColumns


class ColumnLane(Protocol):
    """A pilot's derivations, rules and rows for whole columns of one entity.

    ``columns`` are coerced term values (None: absent) of the records marked in ``candidates``
    (the others must not be accepted); ``referenced`` holds, per lookup column of the
    referenced entity (a site's capacity), its value for each record. A lane accepts only
    records that the per-record checks accept, with the very rows they would store.
    """

    def __call__(
        self,
        columns: Mapping[str, list[Any]],
        referenced: Mapping[str, list[Any]],
        candidates: list[bool],
        source: str,
    ) -> LaneOutcome: ...
