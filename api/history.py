"""A feature's time series: observations bucketed on the UTC clock and aggregated in SQL.

Why in SQL: a site's history grows by one row every few minutes for years, so only the buckets
travel to the API, never the rows. Buckets are counted in whole seconds since the Unix epoch,
``floor(epoch / step)``, which is the UTC clock: no time zone or daylight-saving rule enters,
so a day bucket is always 86,400 s from 00:00 UTC, also on the days Brussels changes its
clocks. The same statement runs on PostGIS and SQLite; only how a timestamp becomes epoch
seconds differs. Every value reaches the database as a bound parameter.

The requested window is widened to whole buckets and is half-open, ``[start, end)``, so
consecutive windows tile without counting a row twice. Every bucket of the window is in the
answer (dense): a bucket without observations has ``observations: 0`` and null values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from api.params import parse_datetime
from core.errors import InvalidParameter
from core.pilot import HistorySpec

#: ``interval`` values and their length in seconds.
INTERVALS = {"15m": 900, "1h": 3600, "1d": 86_400}
AGGREGATIONS = ("mean", "min", "max", "sum", "last")
HISTORY_PARAMETERS = ("datetime", "interval", "agg", "f")
DEFAULT_INTERVAL = "1h"
DEFAULT_AGGREGATION = "mean"
#: The window without ``datetime``: the span before now, by interval.
DEFAULT_SPAN = {"15m": timedelta(days=1), "1h": timedelta(days=7), "1d": timedelta(days=30)}
#: At most this many buckets per series, so one request stays one bounded answer.
MAX_BUCKETS = 10_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class HistoryQuery:
    """A window of whole buckets, ``[start, end)``, and how each bucket is aggregated."""

    start: datetime
    end: datetime
    interval: str
    aggregation: str
    format: str | None = None

    @property
    def step(self) -> int:
        return INTERVALS[self.interval]

    @property
    def buckets(self) -> int:
        return int((self.end - self.start).total_seconds()) // self.step

    def bucket_start(self, index: int) -> datetime:
        return self.start + timedelta(seconds=index * self.step)

    @property
    def datetime_text(self) -> str:
        return f"{_rfc3339(self.start)}/{_rfc3339(self.end)}"


def parse_history_query(params: Sequence[tuple[str, str]], now: datetime) -> HistoryQuery:
    """The history request from its query string; unknown, repeated or bad values are 400s."""
    given: dict[str, str] = {}
    for key, value in params:
        if key not in HISTORY_PARAMETERS:
            known = ", ".join(HISTORY_PARAMETERS)
            raise InvalidParameter(key, f"unknown query parameter; this endpoint takes {known}")
        if key in given:
            raise InvalidParameter(key, "given more than once")
        given[key] = value
    interval = given.get("interval", DEFAULT_INTERVAL).strip()
    if interval not in INTERVALS:
        raise InvalidParameter("interval", f"'{interval}' is not one of {', '.join(INTERVALS)}")
    aggregation = given.get("agg", DEFAULT_AGGREGATION).strip().lower()
    if aggregation not in AGGREGATIONS:
        raise InvalidParameter("agg", f"'{aggregation}' is not one of {', '.join(AGGREGATIONS)}")
    start, end = _window(given.get("datetime"), interval, now)
    query = HistoryQuery(start, end, interval, aggregation, given.get("f"))
    if query.buckets > MAX_BUCKETS:
        raise InvalidParameter(
            "datetime",
            f"the window holds {query.buckets} buckets of {interval}; at most {MAX_BUCKETS} "
            "are served at once: shorten datetime or choose a longer interval",
        )
    return query


def _window(value: str | None, interval: str, now: datetime) -> tuple[datetime, datetime]:
    """``[start, end)`` widened to whole buckets; an instant is the bucket that holds it."""
    step = INTERVALS[interval]
    if value is None:
        end = _ceil(now, step)
        return _floor(end - DEFAULT_SPAN[interval], step), end
    time = parse_datetime(value)
    if time.start is None:
        raise InvalidParameter(
            "datetime", "a history needs a start: give an instant, a/b or a/.. (to now)"
        )
    start = _floor(time.start, step)
    end = _ceil(time.end if time.end is not None else now, step)
    if end <= start:
        end = start + timedelta(seconds=step)
    return start, end


def _floor(moment: datetime, step: int) -> datetime:
    seconds = (moment - _EPOCH) // timedelta(seconds=1)
    return _EPOCH + timedelta(seconds=seconds - seconds % step)


def _ceil(moment: datetime, step: int) -> datetime:
    floor = _floor(moment, step)
    return floor if floor == moment else floor + timedelta(seconds=step)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# -- SQL ---------------------------------------------------------------------------------------

_BUCKET = "__bucket"
_AT = "__at"
_OBSERVATIONS = "__observations"
_FUNCTIONS: dict[str, Callable[[sa.ColumnElement[Any]], sa.ColumnElement[Any]]] = {
    "mean": sa.func.avg,
    "min": sa.func.min,
    "max": sa.func.max,
    "sum": sa.func.sum,
    "last": sa.func.max,  # over the newest value of each bucket, see _latest
}


def history_statement(
    spec: HistorySpec, feature_id: str, query: HistoryQuery, *, postgres: bool
) -> sa.Select[Any]:
    """One row per series and non-empty bucket: series values, bucket index, count, measures."""
    rows = spec.query().subquery("observations")
    time = rows.c[spec.time_column]
    start = sa.bindparam("window_start_epoch", int(query.start.timestamp()), type_=sa.BigInteger)
    step = sa.bindparam("bucket_seconds", query.step, type_=sa.BigInteger)
    seconds: sa.ColumnElement[int]
    if postgres:
        seconds = sa.cast(sa.func.floor(sa.extract("epoch", time)), sa.BigInteger)
    else:
        seconds = sa.cast(sa.func.strftime("%s", time), sa.BigInteger)
    # rows are at or after the window start, so integer division is the floor on both backends
    bucket = (seconds - start) // step
    bucketed = (
        sa.select(
            *(rows.c[name] for name in spec.series_columns),
            bucket.label(_BUCKET),
            time.label(_AT),
            *(rows.c[name] for name in spec.measures),
        )
        .where(
            rows.c[spec.feature_column] == feature_id,
            time >= query.start,
            time < query.end,
        )
        .subquery("bucketed")
    )
    source = _latest(bucketed, spec) if query.aggregation == "last" else bucketed
    function = _FUNCTIONS[query.aggregation]
    keys = [*(source.c[name] for name in spec.series_columns), source.c[_BUCKET]]
    return sa.select(
        *keys,
        sa.func.count().label(_OBSERVATIONS),
        *(function(source.c[name]).label(name) for name in spec.measures),
    ).group_by(*keys)


def _latest(bucketed: sa.Subquery, spec: HistorySpec) -> sa.Subquery:
    """Each row with, per measure, the newest non-null value of its bucket (``agg=last``).

    A window function, so it is one pass on both backends; ties in time are broken by the
    larger value, which keeps the answer deterministic.
    """
    partition = [*(bucketed.c[name] for name in spec.series_columns), bucketed.c[_BUCKET]]

    def newest(name: str) -> sa.ColumnElement[Any]:
        value = bucketed.c[name]
        order = [sa.case((value.is_(None), 1), else_=0), bucketed.c[_AT].desc(), value.desc()]
        return sa.func.first_value(value).over(partition_by=partition, order_by=order).label(name)

    return sa.select(*partition, *(newest(name) for name in spec.measures)).subquery("latest")


def fetch_history(
    conn: Connection, spec: HistorySpec, feature_id: str, query: HistoryQuery, *, postgres: bool
) -> list[dict[str, Any]]:
    """The series of the feature in the window, each with every bucket (dense, in time order).

    Without ``series_columns`` there is exactly one series, even when it has no observation.
    """
    statement = history_statement(spec, feature_id, query, postgres=postgres)
    width = len(spec.series_columns)
    found: dict[tuple[Any, ...], dict[int, tuple[int, tuple[Any, ...]]]] = {}
    for row in conn.execute(statement):
        key, index = tuple(row[:width]), int(row[width])
        found.setdefault(key, {})[index] = (int(row[width + 1]), tuple(row[width + 2 :]))
    if not spec.series_columns:
        found.setdefault((), {})
    return [
        {
            "key": dict(zip(spec.series_columns, key, strict=True)),
            "buckets": _dense(found[key], spec.measures, query),
        }
        for key in sorted(found, key=_series_order)
    ]


def _dense(
    found: dict[int, tuple[int, tuple[Any, ...]]], measures: Sequence[str], query: HistoryQuery
) -> list[dict[str, Any]]:
    buckets = []
    empty = tuple(None for _ in measures)
    for index in range(query.buckets):
        count, values = found.get(index, (0, empty))
        start = query.bucket_start(index)
        buckets.append(
            {
                "start": start,
                "end": start + timedelta(seconds=query.step),
                "observations": count,
                "values": dict(zip(measures, values, strict=True)),
            }
        )
    return buckets


def _series_order(key: tuple[Any, ...]) -> tuple[tuple[bool, str], ...]:
    """Series sorted by their values, a missing (null) value first, the same on both backends."""
    return tuple((value is not None, "" if value is None else str(value)) for value in key)
