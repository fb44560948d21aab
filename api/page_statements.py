"""The statements of an items request, kept by the request's shape so a repeat only binds values.

Building the bounded page statement (:mod:`api.bounded`) and deriving SQLAlchemy's cache key
for it cost a bbox page about a millisecond of CPU, a fifth of the server's share. What the
statement says depends on the collection, the output, the filters and the order, but not on
the bbox corners, the limit or the offset: those are bound per request (:func:`bound_values`)
and the statements are kept by everything else (:func:`shape_key`). A datetime window, an
equality or a CQL2 filter keeps its values in the statement, so they are part of the key; a
request after a cursor is not kept at all (each cursor is another statement). Bounded, least
recently used out, like the one-feature statements.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import sqlalchemy as sa

from api.paging import Cursor
from api.params import ItemsQuery
from api.statement_cache import StatementCache

#: Statements by (kind, request shape).
PAGES: StatementCache[sa.Select[Any]] = StatementCache()

#: The names the statements bind per request: the bbox corners (CRS84), rows, offset.
BBOX = ("bbox_minx", "bbox_miny", "bbox_maxx", "bbox_maxy")
ROWS = "page_rows"
OFFSET = "page_offset"


def bound_bbox() -> tuple[sa.BindParameter[float], ...]:
    return tuple(sa.bindparam(name, type_=sa.Float()) for name in BBOX)


def bound_rows() -> tuple[sa.BindParameter[int], sa.BindParameter[int]]:
    """LIMIT (one row more than the page holds) and OFFSET, as parameters."""
    return sa.bindparam(ROWS, type_=sa.Integer()), sa.bindparam(OFFSET, type_=sa.Integer())


def bound_values(query: ItemsQuery) -> dict[str, Any]:
    """The values of this request for the parameters above."""
    values: dict[str, Any] = {ROWS: query.page.limit + 1, OFFSET: query.page.offset}
    if query.bbox is not None and query.bbox_crs.is_storage:
        bbox = query.bbox
        values.update(zip(BBOX, (bbox.minx, bbox.miny, bbox.maxx, bbox.maxy), strict=True))
    return values


def shape_key(
    source: Hashable, query: ItemsQuery, cursor: Cursor | None, bound: int
) -> Hashable | None:
    """What the statements of this request depend on besides the bound values; ``None``:
    not worth keeping (after a cursor) or not hashable."""
    if cursor is not None:
        return None
    bbox = None if query.bbox is None or query.bbox_crs.is_storage else query.bbox
    key = (source, query.bbox is None, query.bbox_crs, bbox, query.time, query.equals,
           query.filter, query.sortby, bound)
    try:
        hash(key)
    except TypeError:  # an unhashable value in a filter: build every time
        return None
    return key


class Statements:
    """The statements of one request: taken from :data:`PAGES`, or built (and kept)."""

    def __init__(self, key: Hashable | None) -> None:
        self.key = key

    def get(self, kind: str, build: Callable[[], sa.Select[Any]]) -> sa.Select[Any]:
        if self.key is None:
            return build()
        return PAGES.get((kind, self.key), build)
