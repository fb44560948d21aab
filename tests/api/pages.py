"""Reading pages the way a client follows links: every page forwards, then back again."""

from __future__ import annotations

from sqlalchemy import Engine

from api.features import Counting, FeaturePage, FeatureSource, read_only
from api.params import ItemsQuery, parse_items_query
from core.pilot import Collection
from tests.api.conftest import api_settings


def features_query(collection: Collection, params: list[tuple[str, str]]) -> ItemsQuery:
    return parse_items_query(params, api_settings(), collection.queryables)


def read_page(
    engine: Engine,
    collection: Collection,
    params: list[tuple[str, str]],
    counting: Counting = Counting(),
) -> FeaturePage:
    source = FeatureSource(collection, postgres=engine.dialect.name == "postgresql")
    with read_only(engine) as conn:
        return source.fetch_page(conn, features_query(collection, params), counting)


def every_page(
    engine: Engine,
    collection: Collection,
    params: list[tuple[str, str]],
    counting: Counting = Counting(),
) -> list[FeaturePage]:
    """Every page forwards from the first, then every page backwards from the last."""
    pages = [read_page(engine, collection, params, counting)]
    while pages[-1].next_cursor is not None:
        pages.append(read_page(engine, collection,
                               [*params, ("cursor", pages[-1].next_cursor)], counting))
        assert len(pages) < 50
    back = [pages[-1]]
    while back[-1].prev_cursor is not None:
        back.append(read_page(engine, collection,
                              [*params, ("cursor", back[-1].prev_cursor)], counting))
        assert len(back) < 50
    return pages + back
