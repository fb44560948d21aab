"""How the crowding rollup meets rows with their buckets, per backend.

Kept apart from :mod:`pilots.crowding.rollup` so the statement there reads the same for both.

PostgreSQL: the window's buckets come from ``generate_series`` and each is aggregated on its
own in a ``LATERAL`` subquery over the ``start`` index. A bucket of 1,000 locations is a hash
table of 1,000 groups, which fits in the default ``work_mem``; one flat GROUP BY over ten
million rows spills a 1.3 GB hash table (or sort) to disk instead. As the window start is
aligned (checked by the caller), the buckets are exactly ``date_bin``'s from 2000-01-01 UTC.

SQLite: each row's bucket is computed from its epoch seconds (``strftime('%s')``) and formatted
back to SQLAlchemy's SQLite text form ('YYYY-MM-DD HH:MM:SS.ffffff', UTC) so the rollup's key
compares and reads like any other timestamp. Flooring from 1970 gives the same 15- and
60-minute buckets as from 2000.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from core.types import Timestamp

Expr = ColumnElement[Any]


def number(value: float) -> Expr:
    """A float constant written into the SQL (no cast to NUMERIC, and readable in plans)."""
    return sa.literal_column(repr(float(value)), sa.Float)


def integer(value: int) -> Expr:
    """An integer constant written into the SQL: a bound parameter inside a GROUP BY
    expression would not match the same expression in the select list on PostgreSQL."""
    return sa.literal_column(str(int(value)), sa.Integer)


class Buckets:
    """The backend-specific pieces: windows, bucket arithmetic, durations, rounding, any()."""

    def __init__(self, interval_minutes: int, start: datetime, end: datetime) -> None:
        self.interval_minutes, self.start, self.end = interval_minutes, start, end

    def per_bucket(
        self, start: Expr, columns: list[Any], keys: list[Any], conditions: list[Any]
    ) -> sa.Subquery:
        """``columns`` grouped by bucket and ``keys`` over the rows meeting ``conditions``,
        as a subquery with a ``bucket`` column besides them."""
        raise NotImplementedError

    def in_window(self, start: Expr) -> list[Expr]:
        raise NotImplementedError

    def ends_in_bucket(self, start: Expr, end: Expr) -> Expr:
        raise NotImplementedError

    def start_of(self, bucket: Expr) -> Expr:
        raise NotImplementedError

    def end_of(self, bucket: Expr) -> Expr:
        raise NotImplementedError

    def minutes(self, start: Expr, end: Expr) -> Expr:
        raise NotImplementedError

    def bearing_degrees(self, bearing: Expr) -> Expr:
        """The bearing rounded half up to whole degrees, 360 folded to 0; NULL stays NULL."""
        raise NotImplementedError

    def any_true(self, flag: Expr) -> Expr:
        raise NotImplementedError

    def byte_order(self, text: Expr) -> Expr:
        return text


class PostgresBuckets(Buckets):
    """Generated buckets, each aggregated on its own (``LATERAL``)."""

    def __init__(self, interval_minutes: int, start: datetime, end: datetime) -> None:
        super().__init__(interval_minutes, start, end)
        last = end - timedelta(minutes=interval_minutes)
        self.series = (
            sa.func.generate_series(
                sa.literal(start, Timestamp), sa.literal(last, Timestamp), self._interval
            )
            .table_valued(sa.column("bucket", Timestamp))
            .render_derived(name="b")
        )
        self.bucket: Expr = self.series.c.bucket

    @property
    def _interval(self) -> Expr:
        return sa.literal_column(f"INTERVAL '{self.interval_minutes} minutes'", sa.Interval)

    def per_bucket(
        self, start: Expr, columns: list[Any], keys: list[Any], conditions: list[Any]
    ) -> sa.Subquery:
        each = sa.select(*columns).where(*conditions).group_by(*keys).lateral("a")
        joined = self.series.join(each, sa.true())
        return sa.select(self.bucket, each).select_from(joined).subquery("r")

    def in_window(self, start: Expr) -> list[Expr]:
        return [start >= self.bucket, start < self.bucket + self._interval]

    def ends_in_bucket(self, start: Expr, end: Expr) -> Expr:
        return end <= self.bucket + self._interval

    def start_of(self, bucket: Expr) -> Expr:
        return bucket

    def end_of(self, bucket: Expr) -> Expr:
        return bucket + self._interval

    def minutes(self, start: Expr, end: Expr) -> Expr:
        # date_part gives a double; EXTRACT gives numeric since PostgreSQL 14 (slower).
        seconds = sa.func.date_part(sa.literal_column("'epoch'"), end - start, type_=sa.Float)
        return seconds / number(60)

    def bearing_degrees(self, bearing: Expr) -> Expr:
        # floor(x + 0.5): a cast to integer alone would round half to even.
        return sa.cast(sa.func.floor(bearing + number(0.5)), sa.Integer) % integer(360)

    def any_true(self, flag: Expr) -> Expr:
        return sa.func.bool_or(flag, type_=sa.Boolean)

    def byte_order(self, text: Expr) -> Expr:
        # Byte order is key order for our ASCII ids and, unlike the default collation, no
        # (location_id, start) index offers it: the planner sorts the output rows rather than
        # walking that index in random heap order.
        return text.collate("C")


class SqliteBuckets(Buckets):
    """Buckets computed per row from epoch seconds."""

    @property
    def _seconds(self) -> int:
        return self.interval_minutes * 60

    @staticmethod
    def _epoch(moment: Expr) -> Expr:
        return sa.cast(sa.func.strftime("%s", moment), sa.Integer)

    @staticmethod
    def _text(epoch: Expr) -> Expr:
        formatted = sa.func.strftime("%Y-%m-%d %H:%M:%S", epoch, "unixepoch", type_=sa.Text)
        return formatted.concat(".000000")

    def _bucket(self, start: Expr) -> Expr:
        epoch, width = self._epoch(start), self._seconds
        return epoch - ((epoch % width) + width) % width  # floor, also before 1970

    def per_bucket(
        self, start: Expr, columns: list[Any], keys: list[Any], conditions: list[Any]
    ) -> sa.Subquery:
        bucket = self._bucket(start)
        query = sa.select(bucket.label("bucket"), *columns).where(*conditions)
        return query.group_by(bucket, *keys).subquery("r")

    def in_window(self, start: Expr) -> list[Expr]:
        return [start >= self.start, start < self.end]

    def ends_in_bucket(self, start: Expr, end: Expr) -> Expr:
        return self._epoch(end) <= self._bucket(start) + self._seconds

    def start_of(self, bucket: Expr) -> Expr:
        return self._text(bucket)

    def end_of(self, bucket: Expr) -> Expr:
        return self._text(bucket + self._seconds)

    def minutes(self, start: Expr, end: Expr) -> Expr:
        return (self._epoch(end) - self._epoch(start)) / number(60)

    def bearing_degrees(self, bearing: Expr) -> Expr:
        return sa.cast(bearing + number(0.5), sa.Integer) % 360  # bearings are >= 0

    def any_true(self, flag: Expr) -> Expr:
        return sa.func.max(flag, type_=sa.Boolean)
