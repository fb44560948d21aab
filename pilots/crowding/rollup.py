"""Roll crowding counts up into clock-aligned 15-minute and hourly buckets, carrying coverage.

Why one SQL statement: the history holds millions of 1-minute counts, so the rollup runs where
the rows are. :func:`rollup` issues a single ``INSERT .. SELECT .. GROUP BY .. ON CONFLICT DO
UPDATE`` on both backends; only the bucket arithmetic differs (``date_bin`` on PostgreSQL, epoch
seconds on SQLite, formatted back to the text SQLAlchemy stores there).

What goes in: interval counts that fit inside one bucket (so never longer than it), and
passages events. Crowding levels are labels, not numbers, and are not rolled up; events of
other characteristics (a presence reading sent as an event) are left out too, as the platform
has no agreed meaning for them yet.

What comes out, per location, bucket and series (unit, statistic, modality, direction, bearing
to the degree, profile - a NULL dimension becomes ''):

- ``coverage`` = observed minutes / bucket minutes, capped at 1, where an input observes its
  length x its own coverage (1 when not given). Gaps are never zeros: a missing quarter lowers
  an hour's coverage to 0.75, it adds no 0 value. Passages events carry no uptime, so a series
  of events only has coverage NULL (unknown).
- ``value`` of passages (statistic total or none) and of any ``total``: the raw sum of what was
  counted (events count their value, 1 when none). It is NOT extrapolated: a consumer wanting
  an estimate for the whole bucket divides by coverage and should call the result estimated.
- ``value`` of ``instant`` readings: the plain mean of the instants in the bucket.
- ``value`` of presence, density (mean or no statistic), dwell time and medians: the mean of the
  inputs weighted by their observed minutes (a half-covered quarter weighs half). For dwell
  time and medians that is an approximation (a median of medians is not the median; a mean
  dwell time should weigh by visitors, which we do not know), so those rows are ``estimated``.
- ``estimated`` is also true when any input was estimated; ``inputs`` counts the input rows.

Idempotent: each run recomputes every bucket of its window from all of that bucket's inputs,
so the window must cover whole buckets (start and end aligned to the interval, else
ValueError). A rerun rewrites nothing: rows are only updated when a value changed. A series
delivered at two granularities at once (1-minute and 15-minute rows) would be counted twice;
suppliers deliver one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from core.types import Timestamp
from pilots.crowding.models import CrowdingObservation, CrowdingRollup
from pilots.crowding.rollup_sql import Buckets, PostgresBuckets, SqliteBuckets, number

INTERVALS = (15, 60)
#: Buckets are aligned to the clock in UTC, counted from this origin (as ``date_bin``'s).
ORIGIN = datetime(2000, 1, 1, tzinfo=UTC)
_KEYS = ("characteristic", "unit", "statistic", "modality", "direction", "profile")
_RESULTS = ("end", "value", "coverage", "inputs", "estimated")


def rollup(
    conn: Connection,
    interval_minutes: int,
    start: datetime,
    end: datetime,
    location_ids: list[str] | None = None,
) -> int:
    """Roll the counts starting in [start, end) into ``interval_minutes`` buckets.

    Returns how many rollup rows were inserted or changed (0 for a rerun over unchanged input).
    """
    _check_window(interval_minutes, start, end)
    obs: sa.Table = CrowdingObservation.__table__  # type: ignore[attr-defined]
    target: sa.Table = CrowdingRollup.__table__  # type: ignore[attr-defined]
    postgres = conn.dialect.name == "postgresql"
    sql = (PostgresBuckets if postgres else SqliteBuckets)(interval_minutes)
    inputs = _inputs(obs, sql, start, end, location_ids).subquery("o")
    select = _aggregate(inputs, sql, interval_minutes)
    insert = (postgresql.insert if postgres else sqlite.insert)(target)
    statement = insert.from_select([c.name for c in select.selected_columns], select)
    excluded = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=[c.name for c in target.primary_key.columns],
        set_={**{name: excluded[name] for name in _RESULTS}, "updated_at": excluded.updated_at},
        where=sa.or_(*(target.c[name].is_distinct_from(excluded[name]) for name in _RESULTS)),
    )
    # preserve_rowcount: SQLAlchemy only memoises rowcount for UPDATE/DELETE by default.
    return conn.execute(statement.execution_options(preserve_rowcount=True)).rowcount


def _check_window(interval_minutes: int, start: datetime, end: datetime) -> None:
    if interval_minutes not in INTERVALS:
        raise ValueError(f"a rollup interval is 15 or 60 minutes, not {interval_minutes}")
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("the rollup window needs timezone-aware times")
    if end <= start:
        raise ValueError(f"the rollup window ends ({end}) before it starts ({start})")
    step = timedelta(minutes=interval_minutes)
    for name, moment in (("start", start), ("end", end)):
        if (moment - ORIGIN) % step:
            raise ValueError(
                f"the window {name} {moment.isoformat()} is not on a {interval_minutes}-minute "
                "boundary: a rollup recomputes whole buckets, so align the window to them"
            )


def _inputs(
    obs: sa.Table, sql: Buckets, start: datetime, end: datetime, location_ids: list[str] | None
) -> sa.Select[Any]:
    """One row per usable input: its bucket, its series keys, value and observed minutes."""
    is_event = obs.c.count_type == "event"
    inside_one_bucket = sa.and_(
        obs.c.count_type == "interval",
        obs.c.characteristic != "crowding-level",
        obs.c.end > obs.c.start,
        sql.ends_within_bucket(obs.c.start, obs.c.end),
    )
    observed = sa.case(
        (is_event, sa.null()),
        else_=sql.minutes(obs.c.start, obs.c.end) * sa.func.coalesce(obs.c.coverage, number(1)),
    )
    query = sa.select(
        obs.c.location_id,
        sql.bucket(obs.c.start).label("bucket"),
        *(sa.func.coalesce(obs.c[name], "").label(name) for name in _KEYS),
        sa.func.coalesce(sql.bearing_key(obs.c.bearing), "").label("bearing_key"),
        sa.case((is_event, sa.func.coalesce(obs.c.value, number(1))), else_=obs.c.value).label(
            "value"
        ),
        observed.label("observed"),
        obs.c.estimated,
    ).where(
        obs.c.start >= start,
        obs.c.start < end,
        sa.or_(inside_one_bucket, sa.and_(is_event, obs.c.characteristic == "passages")),
    )
    if location_ids is not None:
        query = query.where(obs.c.location_id.in_(location_ids))
    return query


def _aggregate(o: sa.Subquery, sql: Buckets, interval_minutes: int) -> sa.Select[Any]:
    """The GROUP BY over the inputs, columns in the rollup table's order."""
    statistic, observed = o.c.statistic, o.c.observed
    weighted = sa.func.sum(o.c.value * observed) / sa.func.nullif(
        sa.func.sum(observed), number(0), type_=sa.Float
    )
    value = sa.case(
        (statistic == "instant", sa.func.avg(o.c.value)),
        (
            sa.or_(
                statistic == "total", sa.and_(o.c.characteristic == "passages", statistic == "")
            ),
            sa.func.sum(o.c.value),
        ),
        else_=weighted,
    )
    fraction = sa.func.sum(observed, type_=sa.Float) / number(interval_minutes)
    coverage = sa.case((fraction > number(1), number(1)), else_=fraction)
    approximate = sa.or_(o.c.characteristic == "dwell-time", statistic == "median")
    keys = [o.c.location_id, o.c.bucket, *(o.c[name] for name in _KEYS), o.c.bearing_key]
    return sa.select(
        o.c.location_id,
        sa.literal_column(str(interval_minutes), sa.Integer).label("interval_minutes"),
        sql.start_of(o.c.bucket).label("start"),
        *(o.c[name] for name in _KEYS),
        o.c.bearing_key,
        sql.end_of(o.c.bucket).label("end"),
        value.label("value"),
        coverage.label("coverage"),
        sa.func.count().label("inputs"),
        sa.or_(sql.any_true(o.c.estimated), approximate).label("estimated"),
        sa.bindparam("updated_at", datetime.now(UTC), type_=Timestamp).label("updated_at"),
    ).group_by(*keys)
