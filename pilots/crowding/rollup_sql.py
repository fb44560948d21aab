"""The dialect-specific pieces of the crowding rollup: bucket arithmetic, durations, rounding.

Kept apart from :mod:`pilots.crowding.rollup` so the statement there reads the same for both
backends. PostgreSQL bins timestamptz with ``date_bin`` from an explicit UTC origin (the session
time zone never matters); SQLite, which stores SQLAlchemy timestamps as UTC text
('YYYY-MM-DD HH:MM:SS.ffffff'), works in epoch seconds and formats the bucket back to that text
so the rollup's key compares and reads like any other timestamp.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from core.types import Timestamp

Expr = ColumnElement[Any]


def number(value: float) -> Expr:
    """A float constant written into the SQL (no cast to NUMERIC, and readable in plans)."""
    return sa.literal_column(repr(float(value)), sa.Float)


@dataclass(frozen=True)
class Buckets:
    """The dialect-specific pieces: bucket arithmetic, durations, rounding, any()."""

    interval_minutes: int

    def bucket(self, start: Expr) -> Expr:
        raise NotImplementedError

    def start_of(self, bucket: Expr) -> Expr:
        raise NotImplementedError

    def end_of(self, bucket: Expr) -> Expr:
        raise NotImplementedError

    def ends_within_bucket(self, start: Expr, end: Expr) -> Expr:
        raise NotImplementedError

    def minutes(self, start: Expr, end: Expr) -> Expr:
        raise NotImplementedError

    def bearing_key(self, bearing: Expr) -> Expr:
        raise NotImplementedError

    def any_true(self, flag: Expr) -> Expr:
        raise NotImplementedError


class PostgresBuckets(Buckets):
    """``date_bin`` on timestamptz with an explicit UTC origin (no session time zone involved)."""

    @property
    def _interval(self) -> Expr:
        return sa.literal_column(f"INTERVAL '{self.interval_minutes} minutes'", sa.Interval)

    def bucket(self, start: Expr) -> Expr:
        origin = sa.literal_column("TIMESTAMPTZ '2000-01-01 00:00:00+00'", Timestamp)
        return sa.func.date_bin(self._interval, start, origin, type_=Timestamp)

    def start_of(self, bucket: Expr) -> Expr:
        return bucket

    def end_of(self, bucket: Expr) -> Expr:
        return bucket + self._interval

    def ends_within_bucket(self, start: Expr, end: Expr) -> Expr:
        return end <= self.bucket(start) + self._interval

    def minutes(self, start: Expr, end: Expr) -> Expr:
        # date_part gives a double; EXTRACT gives numeric since PostgreSQL 14 (slower).
        seconds = sa.func.date_part(sa.literal_column("'epoch'"), end - start, type_=sa.Float)
        return seconds / number(60)

    def bearing_key(self, bearing: Expr) -> Expr:
        degrees = sa.cast(sa.func.floor(bearing + number(0.5)), sa.Integer) % 360
        return sa.cast(degrees, sa.Text)

    def any_true(self, flag: Expr) -> Expr:
        return sa.func.bool_or(sa.func.coalesce(flag, sa.false()), type_=sa.Boolean)


class SqliteBuckets(Buckets):
    """Epoch seconds via ``strftime('%s')``; buckets are kept as epochs and formatted back to
    SQLAlchemy's SQLite text form ('YYYY-MM-DD HH:MM:SS.ffffff', UTC) at the end."""

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

    def bucket(self, start: Expr) -> Expr:
        epoch, width = self._epoch(start), self._seconds
        return epoch - ((epoch % width) + width) % width  # floor, also before 1970

    def start_of(self, bucket: Expr) -> Expr:
        return self._text(bucket)

    def end_of(self, bucket: Expr) -> Expr:
        return self._text(bucket + self._seconds)

    def ends_within_bucket(self, start: Expr, end: Expr) -> Expr:
        return self._epoch(end) <= self.bucket(start) + self._seconds

    def minutes(self, start: Expr, end: Expr) -> Expr:
        return (self._epoch(end) - self._epoch(start)) / number(60)

    def bearing_key(self, bearing: Expr) -> Expr:
        return sa.cast(sa.cast(bearing + number(0.5), sa.Integer) % 360, sa.Text)

    def any_true(self, flag: Expr) -> Expr:
        return sa.func.max(sa.func.coalesce(flag, sa.false()), type_=sa.Boolean)
