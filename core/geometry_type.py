"""A geometry column type that is native PostGIS on PostgreSQL and WKB on SQLite.

Why our own type rather than geoalchemy2's: both backends then exchange the same value, a
shapely geometry, and bulk paths (COPY, executemany) can send hex EWKB text that PostGIS casts
implicitly. Geometries are always EPSG:4326 (lon, lat), see :mod:`core.geo`.
"""

from __future__ import annotations

from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import LargeBinary
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine, UserDefinedType

SRID = 4326


class _PostgisGeometry(UserDefinedType[Any]):
    """The PostGIS ``geometry(Geometry, 4326)`` column type."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return f"geometry(Geometry,{SRID})"


class Geometry(TypeDecorator[BaseGeometry]):
    """Shapely geometry in Python; PostGIS geometry or a WKB blob in the database."""

    impl = LargeBinary
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(_PostgisGeometry())
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: BaseGeometry | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return to_db_value(value, dialect.name)

    def process_result_value(self, value: Any, dialect: Dialect) -> BaseGeometry | None:
        if value is None:
            return None
        return shapely.from_wkb(value)


def to_db_value(geometry: BaseGeometry, dialect_name: str) -> str | bytes:
    """Hex EWKB for PostGIS (cast implicitly from text), plain WKB bytes for SQLite."""
    if dialect_name == "postgresql":
        with_srid = shapely.set_srid(geometry, SRID)
        return str(shapely.to_wkb(with_srid, hex=True, include_srid=True))
    return bytes(shapely.to_wkb(geometry))
