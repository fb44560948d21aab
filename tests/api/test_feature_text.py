"""Features PostgreSQL writes as text say exactly what the Python rendering says.

Table-style over every property type the collections use (and the edge values of each:
microseconds, NaN, infinities, integral floats, NULLs, quotes in names and values), then over
the seeded parking data in several CRSs and property selections. Equality is strict about
types: ``1.0`` written as ``1`` would fail, as it would change what a typed client reads.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine

from api import values
from api.catalogue import Catalogue
from api.crs import parse_crs
from api.feature_sql import feature_text, value_json
from api.features import Counting, FeatureSource, read_only
from api.params import parse_items_query
from core.db import make_engine
from core.pilot import Registry
from core.runtime import open_database
from core.settings import DatabaseSettings
from core.types import UtcDateTime
from tests.api.conftest import api_settings
from tests.api.seed import seed
from tests.databases import postgis_database

pytestmark = pytest.mark.postgis

METADATA = sa.MetaData()
TYPES = sa.Table(
    "feature_text_types",
    METADATA,
    sa.Column("id", sa.String, primary_key=True),
    sa.Column("aware", UtcDateTime()),
    sa.Column("naive", sa.DateTime()),
    sa.Column("double", sa.Float()),
    sa.Column("single", sa.REAL()),
    sa.Column("decimal", sa.Numeric()),
    sa.Column("whole", sa.Integer()),
    sa.Column("flag", sa.Boolean()),
    sa.Column("text", sa.String()),
    sa.Column("document", JSONB()),
    sa.Column("plain_json", sa.JSON()),
    sa.Column("day", sa.Date()),
    sa.Column('odd "key" 100%', sa.Integer()),
)
ROWS: list[dict[str, Any]] = [
    {"id": "round", "aware": datetime(2026, 11, 4, 12, 0, tzinfo=UTC),
     "naive": datetime(2026, 11, 4, 12, 0), "double": 1.0, "single": 0.1,
     "decimal": Decimal("123.456"), "whole": 7, "flag": True, "text": "plain",
     "document": {"a": [1, 2.5, None]}, "plain_json": ["x"], "day": date(2026, 1, 2),
     'odd "key" 100%': 1},
    {"id": "fractions", "aware": datetime(2026, 11, 4, 12, 0, 0, 123456, tzinfo=UTC),
     "naive": datetime(2026, 11, 4, 12, 0, 0, 120000), "double": -0.0, "single": 3.5,
     "decimal": Decimal("10"), "whole": -3, "flag": False,
     "text": 'quote " backslash \\ newline \n ünïcode \u2603 %s',
     "document": {"nested": {"b": True}}, "plain_json": {"k": 1.5}, "day": date(1999, 12, 31),
     'odd "key" 100%': None},
    {"id": "special", "aware": None, "naive": None, "double": float("nan"),
     "single": float("inf"), "decimal": Decimal("NaN"), "whole": None, "flag": None,
     "text": None, "document": None, "plain_json": None, "day": None, 'odd "key" 100%': 0},
    {"id": "extremes", "aware": datetime(1970, 1, 1, tzinfo=UTC),
     "naive": datetime(2000, 2, 29, 23, 59, 59, 1), "double": float("-inf"),
     "single": -2.0, "decimal": Decimal("0.1"), "whole": 2**31 - 1, "flag": True,
     "text": "", "document": [], "plain_json": 3, "day": date(2000, 2, 29),
     'odd "key" 100%': -1},
    {"id": "numbers", "aware": datetime(2026, 6, 1, 8, 30, 15, 500, tzinfo=UTC),
     "naive": datetime(2026, 6, 1), "double": 1e20, "single": 1e-5,
     "decimal": Decimal("-5.000"), "whole": 0, "flag": False, "text": "0",
     "document": {"big": 12345678901234567}, "plain_json": "s", "day": date(2026, 6, 1),
     'odd "key" 100%': 2},
]
PROPERTIES = [str(column.name) for column in TYPES.columns if column.name != "id"]


@pytest.fixture(scope="module")
def engine(api_database_url: str) -> Iterator[Engine]:
    engine = make_engine(api_database_url)
    METADATA.create_all(engine)
    with engine.begin() as conn:
        conn.execute(TYPES.insert(), ROWS)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def api_database_url() -> Iterator[str]:
    """Only the PostGIS database: text mode exists only there."""
    with postgis_database() as url:
        yield url


def python_json(type_: sa.types.TypeEngine[Any], value: Any) -> Any:
    """What the Python path writes for a value of this type (see FeatureSource._properties)."""
    convert = values.converter(type_)
    return value if value is None or convert is None else convert(value)


def strictly_equal(left: Any, right: Any) -> bool:
    """Equal, and of the same JSON type all the way down (1 is not 1.0 here)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(
            strictly_equal(left[key], right[key]) for key in left
        )
    if isinstance(left, list):
        return len(left) == len(right) and all(map(strictly_equal, left, right))
    return bool(left == right)


def test_every_type_is_written_as_python_writes_it(engine: Engine) -> None:
    text = feature_text(TYPES.c.id, None, [(name, TYPES.c[name]) for name in PROPERTIES])
    assert text is not None
    with engine.connect() as conn:
        written = dict(conn.execute(sa.select(TYPES.c.id, text)).all())
        stored = conn.execute(sa.select(TYPES)).mappings().all()
    assert len(written) == len(ROWS)
    for row in stored:
        expected = {
            "type": "Feature",
            "id": row["id"],
            "geometry": None,
            "properties": {
                name: python_json(TYPES.c[name].type, row[name]) for name in PROPERTIES
            },
        }
        expected = json.loads(_orjson_round_trip(expected))  # as the Python path writes it
        assert strictly_equal(json.loads(written[row["id"]]), expected), row["id"]


def _orjson_round_trip(document: dict[str, Any]) -> str:
    return orjson.dumps(document).decode()


def test_the_text_is_compact_and_keeps_the_member_order(engine: Engine) -> None:
    text = feature_text(TYPES.c.id, None, [("whole", TYPES.c.whole), ("text", TYPES.c.text)])
    assert text is not None
    with engine.connect() as conn:
        written = conn.execute(sa.select(text).where(TYPES.c.id == "round")).scalar_one()
    assert written == (
        '{"type":"Feature","id":"round","geometry":null,"properties":{"whole":7,"text":"plain"}}'
    )


@pytest.mark.parametrize(
    "type_", [sa.Enum("a", "b", name="letters"), sa.LargeBinary(), sa.Uuid(), sa.Time()]
)
def test_a_type_without_an_exact_mapping_falls_back_to_python(
    type_: sa.types.TypeEngine[Any],
) -> None:
    column = sa.column("value", type_)
    assert value_json(column) is None
    assert feature_text(sa.column("id", sa.String()), None, [("value", column)]) is None


def test_every_collection_of_every_pilot_is_written_by_postgresql(registry: Registry) -> None:
    """No collection silently falls back: every property type it has is mapped."""
    for collection in Catalogue.from_registry(registry):
        assert FeatureSource(collection, postgres=True, text=True).text, collection.id
        assert not FeatureSource(collection, postgres=False, text=True).text
        assert not FeatureSource(
            collection, postgres=True, text=True, geometry_form="shapely"
        ).text


SHAPES = [
    [],
    [("crs", "http://www.opengis.net/def/crs/EPSG/0/4326")],
    [("crs", "http://www.opengis.net/def/crs/EPSG/0/31370"), ("properties", "name,capacity")],
    [("skipGeometry", "true")],
    [("sortby", "-name")],
]


@pytest.mark.parametrize("collection_id", ["parking-sites", "parking-observations"])
@pytest.mark.parametrize("shape", SHAPES, ids=lambda shape: "&".join("=".join(p) for p in shape))
def test_seeded_pages_are_the_same_either_way(
    seeded_engine: Engine,
    registry: Registry,
    collection_id: str,
    shape: list[tuple[str, str]],
) -> None:
    collection = Catalogue.from_registry(registry).get(collection_id)
    if collection_id == "parking-observations":
        shape = [(k, "site_id,vacant,observed_at" if k == "properties" else v) for k, v in shape]
        shape = [(k, "-observed_at" if k == "sortby" else v) for k, v in shape]
    query = parse_items_query([*shape, ("limit", "1000")], api_settings(), collection.queryables)

    def page(text: bool) -> list[Any]:
        source = FeatureSource(collection, postgres=True, crs=query.crs, select=query.select,
                               skip_geometry=query.skip_geometry, text=text)
        with read_only(seeded_engine) as conn:
            result = source.fetch_page(conn, query, Counting())
        if result.texts is not None:
            return [json.loads(text) for text in result.texts]
        return json.loads(_orjson_round_trip({"features": result.features}))["features"]

    as_text, as_dicts = page(True), page(False)
    assert as_dicts, "the seed has features"
    assert strictly_equal(as_text, as_dicts)


def test_one_feature_is_the_same_either_way(seeded_engine: Engine, registry: Registry) -> None:
    collection = Catalogue.from_registry(registry).get("parking-sites")
    crs = parse_crs("http://www.opengis.net/def/crs/EPSG/0/3857", "crs")
    with read_only(seeded_engine) as conn:
        first = FeatureSource(collection, postgres=True).fetch_page(
            conn, parse_items_query([], api_settings(), collection.queryables)
        ).features[0]
        as_text = FeatureSource(collection, postgres=True, crs=crs, text=True)
        as_dict = FeatureSource(collection, postgres=True, crs=crs)
        text = as_text.fetch_feature_text(conn, first["id"])
        feature = as_dict.fetch_feature(conn, first["id"])
    assert strictly_equal(json.loads(text), json.loads(_orjson_round_trip(feature)))


@pytest.fixture(scope="module")
def seeded_engine(
    api_database_url: str, registry: Registry, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    engine = open_database(DatabaseSettings(database_url=api_database_url), registry)
    seed(registry.get("parking"), engine, tmp_path_factory.mktemp("feature-text-seed"))
    yield engine
    engine.dispose()
