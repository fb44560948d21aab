"""Accessibility tables: what each source says of a building, and the merged building.

``accessibility_record`` keeps one row per source and native id, with every characteristic's
value, method and original text (``values``). ``accessibility_building`` is what is published:
the records of one building merged (best value per characteristic, with provenance and
conflicts), assessed per criterion and per profile. A profile's level is also a column of its
own, so the API can filter on it (``?wheelchair=accessible``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from core.geometry_type import Geometry
from core.types import JsonColumnType, Timestamp

#: Profile ids of ``assessment.yaml``; each is a column of the published building.
PROFILE_COLUMNS = ("wheelchair", "wheelchair_assisted", "reduced_mobility", "blind", "deaf")
#: What identifies and places a building, on both tables.
IDENTITY_COLUMNS = ("name", "address", "city", "service_kind", "address_uri", "osm_id")


def _json(default: Any = list) -> Any:
    return Field(default_factory=default, sa_column=Column(JsonColumnType, nullable=False))


class AccessibilityRecord(SQLModel, table=True):
    __tablename__ = "accessibility_record"
    model_config = ConfigDict(arbitrary_types_allowed=True)  # type: ignore[assignment]

    id: str = Field(primary_key=True)
    source: str = Field(index=True)
    native_id: str
    building_id: str | None = Field(default=None, index=True)
    name: str | None = None
    address: str | None = None
    city: str | None = None
    service_kind: str | None = None
    address_uri: str | None = Field(default=None, index=True)
    osm_id: str | None = Field(default=None, index=True)
    geometry: BaseGeometry = Field(sa_column=Column(Geometry(), nullable=False))
    minx: float
    miny: float
    maxx: float
    maxy: float
    observed_at: datetime | None = Field(default=None, sa_column=Column(Timestamp, nullable=True))
    measurements: dict[str, Any] = _json(dict)
    derived: list[str] = _json()
    updated_at: datetime = Field(sa_column=Column(Timestamp, nullable=False))


class AccessibilityBuilding(SQLModel, table=True):
    __tablename__ = "accessibility_building"
    model_config = ConfigDict(arbitrary_types_allowed=True)  # type: ignore[assignment]

    id: str = Field(primary_key=True)
    name: str | None = None
    address: str | None = None
    city: str | None = Field(default=None, index=True)
    service_kind: str | None = None
    address_uri: str | None = None
    osm_id: str | None = None
    geometry: BaseGeometry = Field(sa_column=Column(Geometry(), nullable=False))
    minx: float
    miny: float
    maxx: float
    maxy: float
    wheelchair: str = Field(index=True)
    wheelchair_assisted: str = Field(index=True)
    reduced_mobility: str = Field(index=True)
    blind: str = Field(index=True)
    deaf: str = Field(index=True)
    measurements: dict[str, Any] = _json(dict)
    criteria: dict[str, Any] = _json(dict)
    profiles: dict[str, Any] = _json(dict)
    conflicts: list[Any] = _json()
    sources: list[str] = _json()
    observed_at: datetime | None = Field(default=None, sa_column=Column(Timestamp, nullable=True))
    updated_at: datetime = Field(sa_column=Column(Timestamp, nullable=False))
