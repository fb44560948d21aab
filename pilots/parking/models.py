"""Parking tables: sites, their observations (history) and each site's latest state.

Ids are the platform's stable ids: ``{source}:{native-id}`` for sites and
``{site-id}@{UTC time}`` for observations, so a re-delivered record maps onto the same row.
The latest state is kept in its own table so the sites collection never scans the history.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from core.geometry_type import Geometry
from core.types import JsonColumnType, Timestamp

#: Site attributes published as they were delivered (besides id, location and bookkeeping).
SITE_ATTRIBUTES = (
    "name",
    "type",
    "capacity",
    "operator",
    "city",
    "address",
    "opening_info",
    "free_parking",
    "url",
    "description",
    "uri",
)
#: What one observation says about a site; shared by the history and the latest state.
OCCUPANCY_ATTRIBUTES = (
    "capacity",
    "vacant",
    "occupied",
    "occupancy",
    "status",
    "opening_status",
    "trend",
)


class Occupancy(SQLModel):
    """The occupancy columns of an observation (history and latest state alike)."""

    capacity: int | None = None
    vacant: int | None = None
    occupied: int | None = None
    occupancy: float | None = None
    status: str | None = None
    opening_status: str | None = None
    trend: str | None = None


class ParkingSite(SQLModel, table=True):
    __tablename__ = "parking_site"
    model_config = ConfigDict(arbitrary_types_allowed=True)  # type: ignore[assignment]

    id: str = Field(primary_key=True)
    source: str = Field(index=True)
    native_id: str
    name: str | None = None
    type: str | None = None
    capacity: int | None = None
    operator: str | None = None
    city: str | None = Field(default=None, index=True)
    address: str | None = None
    opening_info: str | None = None
    free_parking: bool | None = None
    url: str | None = None
    description: str | None = None
    uri: str | None = None
    geometry: BaseGeometry = Field(sa_column=Column(Geometry(), nullable=False))
    minx: float
    miny: float
    maxx: float
    maxy: float
    derived: list[str] = Field(
        default_factory=list, sa_column=Column(JsonColumnType, nullable=False)
    )
    updated_at: datetime = Field(sa_column=Column(Timestamp, nullable=False))


class ParkingObservation(Occupancy, table=True):
    __tablename__ = "parking_observation"
    #: The id rides along in the (site, time) index on PostGIS, so the observations of the
    #: sites in a bbox are found, sorted and paged from the index alone (migration 0003).
    __table_args__ = (
        Index(
            "ix_parking_observation_site_time", "site_id", "observed_at",
            postgresql_include=["id"],
        ),
    )

    id: str = Field(primary_key=True)
    site_id: str  # no foreign key: checked by the pipeline, see migration parking_0004
    source: str
    observed_at: datetime = Field(sa_column=Column(Timestamp, nullable=False, index=True))
    derived: list[str] = Field(
        default_factory=list, sa_column=Column(JsonColumnType, nullable=False)
    )
    received_at: datetime = Field(sa_column=Column(Timestamp, nullable=False))


class ParkingSiteState(Occupancy, table=True):
    """The newest observation of each site (only ever replaced by a newer one)."""

    __tablename__ = "parking_site_state"

    site_id: str = Field(primary_key=True, foreign_key="parking_site.id")
    observation_id: str
    observed_at: datetime = Field(sa_column=Column(Timestamp, nullable=False))
    derived: list[str] = Field(
        default_factory=list, sa_column=Column(JsonColumnType, nullable=False)
    )


class ParkingBay(SQLModel, table=True):
    """An on-street bay with a sensor; its location may arrive later than its first state."""

    __tablename__ = "parking_bay"
    model_config = ConfigDict(arbitrary_types_allowed=True)  # type: ignore[assignment]

    id: str = Field(primary_key=True)
    source: str = Field(index=True)
    native_id: str
    zone_id: str | None = Field(default=None, foreign_key="parking_site.id", index=True)
    device: str | None = None
    geometry: BaseGeometry | None = Field(default=None, sa_column=Column(Geometry(), nullable=True))
    minx: float | None = None
    miny: float | None = None
    maxx: float | None = None
    maxy: float | None = None
    updated_at: datetime = Field(sa_column=Column(Timestamp, nullable=False))


class ParkingBayObservation(SQLModel, table=True):
    __tablename__ = "parking_bay_observation"
    __table_args__ = (Index("ix_parking_bay_observation_bay_time", "bay_id", "observed_at"),)

    id: str = Field(primary_key=True)
    bay_id: str  # no foreign key: checked by the pipeline, see migration parking_0004
    source: str
    observed_at: datetime = Field(sa_column=Column(Timestamp, nullable=False, index=True))
    status: str
    received_at: datetime = Field(sa_column=Column(Timestamp, nullable=False))


class ParkingBayState(SQLModel, table=True):
    """The newest state of each bay (only ever replaced by a newer one)."""

    __tablename__ = "parking_bay_state"

    bay_id: str = Field(primary_key=True, foreign_key="parking_bay.id")
    observation_id: str
    observed_at: datetime = Field(sa_column=Column(Timestamp, nullable=False))
    status: str
