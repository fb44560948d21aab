"""Bulk downloads: a collection's whole current content as one FlatGeobuf or GeoParquet file.

Why a file on disk and not a body built in memory: a history collection holds millions of
rows. Rows are read from the database in chunks of :data:`CHUNK_ROWS` (a server-side cursor
on PostgreSQL), each chunk becomes an Arrow record batch, and the batches stream into the
writer: GDAL's FlatGeobuf driver (through pyogrio, which builds the spatial index on disk) or
pyarrow's Parquet writer (one row group per chunk). Memory stays at about one chunk; disk
needs the size of the file, in the system's temporary directory.

The columns are the GeoJSON items' ``id`` and properties, typed from the SQL columns;
lists and objects (``derived``) are JSON text, as in CSV. Geometries are the stored CRS84
WKB, written without a round trip through shapely.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from pyogrio.raw import write_arrow
from sqlalchemy import Engine

from api.features import FeatureSource
from api.formats import Format
from core.pilot import Collection

FLATGEOBUF = Format("flatgeobuf", "application/flatgeobuf")
GEOPARQUET = Format("geoparquet", "application/vnd.apache.parquet")
DOWNLOAD_FORMATS = (FLATGEOBUF, GEOPARQUET)
SUFFIXES = {FLATGEOBUF.key: ".fgb", GEOPARQUET.key: ".parquet"}
#: Rows fetched, converted and written at a time.
CHUNK_ROWS = 10_000
GEOMETRY = "geometry"
CRS84_PROJJSON_ID = {"authority": "OGC", "code": "CRS84"}
_WKB_TYPES = {1: "Point", 2: "LineString", 3: "Polygon", 4: "MultiPoint",
              5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}

Converter = Callable[[Any], Any]


@dataclass
class Extent:
    """What GeoParquet's metadata says about the geometries, gathered while they stream by."""

    bounds: list[float] = field(default_factory=lambda: [math.inf, math.inf, -math.inf, -math.inf])
    types: set[str] = field(default_factory=set)

    def add(self, wkbs: Sequence[bytes | None], boxes: Sequence[Sequence[Any]]) -> None:
        for wkb in wkbs:
            if wkb:
                self.types.add(_wkb_type(wkb))
        for box in boxes:
            if box[0] is not None:
                self.bounds = [min(self.bounds[0], box[0]), min(self.bounds[1], box[1]),
                               max(self.bounds[2], box[2]), max(self.bounds[3], box[3])]

    def metadata(self) -> dict[str, Any]:
        column: dict[str, Any] = {"encoding": "WKB", "geometry_types": sorted(self.types)}
        if math.isfinite(self.bounds[0]):
            column["bbox"] = [float(value) for value in self.bounds]
        return {"version": "1.1.0", "primary_column": GEOMETRY, "columns": {GEOMETRY: column}}


def _wkb_type(wkb: bytes) -> str:
    order = "<" if wkb[0] == 1 else ">"
    (code,) = struct.unpack_from(f"{order}I", wkb, 1)
    code &= 0x0FFFFFFF  # EWKB flags
    return _WKB_TYPES.get(code % 1000, "Unknown") + (" Z" if code // 1000 in (1, 3) else "")


def _column_type(type_: Any) -> tuple[pa.DataType, Converter]:
    """The Arrow type of a SQL column and how one value is made to fit it."""
    if isinstance(type_, sa.types.TypeDecorator):
        type_ = type_.impl_instance
    if isinstance(type_, sa.JSON):
        return pa.string(), lambda value: orjson.dumps(value).decode()
    if isinstance(type_, sa.DateTime):
        return pa.timestamp("us", tz="UTC"), _utc
    if isinstance(type_, sa.Date):
        return pa.date32(), lambda value: value
    if isinstance(type_, sa.Boolean):
        return pa.bool_(), bool
    if isinstance(type_, sa.Integer):
        return pa.int64(), int
    if isinstance(type_, sa.Float | sa.Numeric):
        return pa.float64(), _finite
    return pa.string(), _text


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _finite(value: float | Decimal) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _text(value: Any) -> str:
    if isinstance(value, list | dict):
        return orjson.dumps(value).decode()
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


class BulkReader:
    """The collection's rows as Arrow record batches: ``id``, properties, ``geometry`` (WKB)."""

    def __init__(self, collection: Collection, *, postgres: bool) -> None:
        self.source = FeatureSource(collection, postgres=postgres, geometry_form="shapely")
        self.postgres = postgres
        #: A name listed twice is one property in GeoJSON too (the same column), so one column.
        self.properties = tuple(dict.fromkeys(self.source.properties))
        columns = [("id", *_column_type(self.source.id.type))]
        columns += [(name, *_column_type(self.source.source.c[name].type))
                    for name in self.properties]
        self.converters = [convert for _, _, convert in columns]
        fields = [pa.field(name, arrow_type) for name, arrow_type, _ in columns]
        fields.append(pa.field(GEOMETRY, pa.binary()))  # last, as geopandas writes it
        self.schema = pa.schema(fields)
        self.extent = Extent()

    def statement(self) -> sa.Select[Any]:
        geometry = self.source.geometry
        wkb = (sa.func.ST_AsBinary(geometry, type_=sa.LargeBinary) if self.postgres
               else sa.type_coerce(geometry, sa.LargeBinary))
        boxes = [self.source.source.c[name] for name in self.source.collection.bbox_columns]
        properties = [self.source.source.c[name] for name in self.properties]
        return sa.select(self.source.id, wkb, *properties, *boxes).order_by(self.source.id)

    def batches(self, engine: Engine) -> Iterator[pa.RecordBatch]:
        width = 2 + len(self.properties)
        with engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=CHUNK_ROWS).execute(
                self.statement()
            )
            for rows in result.partitions(CHUNK_ROWS):
                wkbs = [None if row[1] is None else bytes(row[1]) for row in rows]
                self.extent.add(wkbs, [row[width:] for row in rows])
                yield self._batch(rows, wkbs)

    def _batch(self, rows: Sequence[Any], wkbs: list[bytes | None]) -> pa.RecordBatch:
        arrays = []
        for position, convert in enumerate(self.converters):
            index = 0 if position == 0 else position + 1  # the row has the WKB second
            arrow_type = self.schema.field(position).type
            values = [None if row[index] is None else convert(row[index]) for row in rows]
            arrays.append(pa.array(values, type=arrow_type))
        arrays.append(pa.array(wkbs, type=pa.binary()))
        return pa.record_batch(arrays, schema=self.schema)


def write_download(engine: Engine, collection: Collection, output: Format, path: Path) -> None:
    """The collection's whole current content written to ``path`` in ``output``'s format."""
    reader = BulkReader(collection, postgres=engine.dialect.name == "postgresql")
    if output is FLATGEOBUF:
        stream = pa.RecordBatchReader.from_batches(reader.schema, reader.batches(engine))
        write_arrow(
            stream,
            str(path),
            layer=collection.id,
            driver="FlatGeobuf",
            geometry_name=GEOMETRY,
            geometry_type="Unknown",
            crs="OGC:CRS84",
            layer_options={"SPATIAL_INDEX": "YES", "TITLE": collection.title},
        )
        return
    # store_schema=False: the Arrow schema would be frozen before the "geo" metadata is known;
    # without it readers take the file's key-value metadata, added once every row is written.
    with pq.ParquetWriter(str(path), reader.schema, compression="zstd", store_schema=False) as out:
        for batch in reader.batches(engine):
            out.write_batch(batch)
        out.add_key_value_metadata({"geo": json.dumps(reader.extent.metadata())})
