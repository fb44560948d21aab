"""Crowding tables: measurement locations, aggregated counts (history) and latest state.

An observation's id is ``{location-id}@{start}~{characteristic}~{digest}``, the digest covering
the remaining dimensions (end, unit, statistic, modality, direction, bearing, profile), so the
same count delivered twice is the same row while a count in another direction is another row.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from core.geometry_type import Geometry
from core.types import JsonColumnType, Timestamp


class CrowdingLocation(SQLModel, table=True):
    __tablename__ = "crowding_location"
    model_config = ConfigDict(arbitrary_types_allowed=True)  # type: ignore[assignment]

    id: str = Field(primary_key=True)
    source: str = Field(index=True)
    native_id: str
    name: str | None = None
    kind: str
    geometry: BaseGeometry = Field(sa_column=Column(Geometry(), nullable=False))
    minx: float
    miny: float
    maxx: float
    maxy: float
    positive_bearing: float | None = None
    area: float | None = None
    technique: str | None = None
    capacity: int | None = None
    city: str | None = None
    derived: list[str] = Field(
        default_factory=list, sa_column=Column(JsonColumnType, nullable=False)
    )
    updated_at: datetime = Field(sa_column=Column(Timestamp, nullable=False))


class Count(SQLModel):
    """The columns of one aggregated value (history and latest state alike)."""

    characteristic: str
    count_type: str
    value: float | None = None
    unit: str | None = None
    statistic: str | None = None
    modality: str | None = None
    direction: str | None = None
    bearing: float | None = None
    profile: str | None = None
    technique: str | None = None
    accuracy: float | None = None
    coverage: float | None = None
    estimated: bool | None = None
    level: str | None = None


class CrowdingObservation(Count, table=True):
    __tablename__ = "crowding_observation"
    __table_args__ = (Index("ix_crowding_observation_location_start", "location_id", "start"),)

    id: str = Field(primary_key=True)
    location_id: str = Field(foreign_key="crowding_location.id")
    source: str
    start: datetime = Field(sa_column=Column(Timestamp, nullable=False, index=True))
    end: datetime | None = Field(default=None, sa_column=Column(Timestamp, nullable=True))
    derived: list[str] = Field(
        default_factory=list, sa_column=Column(JsonColumnType, nullable=False)
    )
    received_at: datetime = Field(sa_column=Column(Timestamp, nullable=False))


class CrowdingLocationState(Count, table=True):
    """The newest count of each location (only ever replaced by a newer one)."""

    __tablename__ = "crowding_location_state"

    location_id: str = Field(primary_key=True, foreign_key="crowding_location.id")
    observation_id: str
    start: datetime = Field(sa_column=Column(Timestamp, nullable=False))
    end: datetime | None = Field(default=None, sa_column=Column(Timestamp, nullable=True))


#: What a roll-up bucket is of, besides its location, interval and start: the key columns of
#: :class:`CrowdingRollup` that name the measured quantity (``''`` when not given).
ROLLUP_DIMENSIONS = (
    "characteristic",
    "unit",
    "statistic",
    "modality",
    "direction",
    "bearing_key",
    "profile",
)


class CrowdingRollup(SQLModel, table=True):
    """Counts rolled up into clock-aligned 15-minute and hourly buckets (see ``rollup.py``).

    The dimensions are part of the key, so they are NOT NULL with ``''`` for "not given"
    (a NULL in a key would let the same bucket be stored twice). ``bearing_key`` is the bearing
    rounded to whole degrees (as text). ``value`` is NULL when no input had a usable value;
    ``coverage`` is the fraction of the bucket the inputs covered (NULL: unknown, event counts);
    a gap lowers coverage, it never becomes a zero.

    ``location_id`` has no foreign key: every rollup row comes from observations, which already
    reference their location, and checking it again cost 1.9 s per 667,000 rows written.
    """

    __tablename__ = "crowding_rollup"
    __table_args__ = (Index("ix_crowding_rollup_location_start", "location_id", "start"),)

    location_id: str = Field(primary_key=True)
    interval_minutes: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    start: datetime = Field(sa_column=Column(Timestamp, primary_key=True))
    characteristic: str = Field(primary_key=True)
    unit: str = Field(primary_key=True)
    statistic: str = Field(primary_key=True)
    modality: str = Field(primary_key=True)
    direction: str = Field(primary_key=True)
    bearing_key: str = Field(primary_key=True)
    profile: str = Field(primary_key=True)
    end: datetime = Field(sa_column=Column(Timestamp, nullable=False))
    value: float | None = None
    coverage: float | None = None
    inputs: int
    estimated: bool
    level: str | None = None
    level_rule: str | None = None
    updated_at: datetime = Field(sa_column=Column(Timestamp, nullable=False))


class CrowdingCalibration(SQLModel, table=True):
    """The factor that puts a location's counts on the scale of the location it replaces."""

    __tablename__ = "crowding_calibration"

    location_id: str = Field(primary_key=True, foreign_key="crowding_location.id")
    reference_location_id: str = Field(foreign_key="crowding_location.id")
    overlap_start: datetime = Field(sa_column=Column(Timestamp, nullable=False))
    overlap_end: datetime = Field(sa_column=Column(Timestamp, nullable=False))
    factor: float
    factor_low: float
    factor_high: float
    pairs: int
    created_at: datetime = Field(sa_column=Column(Timestamp, nullable=False))
