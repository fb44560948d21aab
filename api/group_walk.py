"""Bbox pages found group by group, for features that belong to located groups.

The observations of the seven sites inside a 1 km² bbox are 7,000 rows. The bounded page
(:mod:`api.bounded`) collects, counts and sorts all of their keys to return the first hundred:
about 7 ms of PostgreSQL time per request in ``bench/api_peers.py``, most of a bbox request's
cost and the reason its p99 stayed above 100 ms. But each site's observations already lie in
order in the ``(site, time)`` index, and the pilot knows (:class:`core.pilot.GroupWalk`) that
within one site the ids sort like the times. So the first ``n`` of the page can only come from
the first ``n`` of each site in the bbox: one statement finds the sites, walks each one's index
for at most ``n`` matching rows and sorts those few (700 instead of 7,000) by id: 1.6 ms.

The walk is offered only when it is right and cheap:

- on PostgreSQL whose database collation compares text byte by byte (``C``, ``POSIX``,
  ``C.UTF-8``), because "ids sort like the times" is a statement about bytes
  (:func:`compares_bytewise`, asked once per engine); SQLite has no ``LATERAL``;
- for a bbox request ordered by the id alone (either direction, any cursor or offset);
- for at most ``walk_budget`` keys in all (:data:`BUDGET`, bound per request): the statement
  counts the groups in the bbox first and walks nothing when groups times (limit + offset)
  exceeds the budget (a bbox over the whole city). It then returns no row, like a bbox
  without matches, and the caller takes the bounded page, which answers both cases.

The walk never sees all matches, so it cannot count them for free: counting the 7,000 costs
PostgreSQL more (1.7 ms) than the page itself. With ``exact`` counting the statement counts
them beside the page; with ``capped`` counting (the default) ``numberMatched`` is given only
when the first page holds every match, and left out otherwise, as OGC API - Features allows.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from api import paging
from core.pilot import GroupWalk

#: Database collations whose text order is the order of the bytes (UTF-8 code points).
BYTEWISE_COLLATIONS = frozenset({"C", "POSIX", "C.UTF-8", "C.utf8"})

#: The label of the page key and of the match count in :func:`page_statement`'s rows.
KEY = "__key0"
MATCHED = "__matched"
#: The name of the bound budget (bound per request, so a kept statement follows its value).
BUDGET = "walk_budget"

_BYTEWISE: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


#: The database's default collation and (PostgreSQL 15 on) its provider.
COLLATION_SQL = (
    "SELECT datcollate, to_jsonb(d) ->> 'datlocprovider' FROM pg_database d"
    " WHERE datname = current_database()"
)


def compares_bytewise(conn: Connection) -> bool:
    """Whether text in this PostgreSQL database sorts byte by byte; asked once per engine."""
    known = known_bytewise(conn.engine)
    if known is None:
        known = remember_collation(conn.engine, tuple(conn.exec_driver_sql(COLLATION_SQL).one()))
    return known


def known_bytewise(engine: Engine) -> bool | None:
    """What :func:`compares_bytewise` found for ``engine``; ``None``: not asked yet."""
    return _BYTEWISE.get(engine)


def remember_collation(engine: Engine, row: tuple[Any, ...]) -> bool:
    """Keep what :data:`COLLATION_SQL` returned for ``engine``: whether it is bytewise.

    A database created with an ICU default collation (PostgreSQL 15's ``datlocprovider``
    ``i``) does not compare bytewise, whatever ``datcollate`` says.
    """
    known = row[0] in BYTEWISE_COLLATIONS and row[1] in (None, "c")
    _BYTEWISE[engine] = known
    return known


@lru_cache(maxsize=64)
def groups_subquery(walk: GroupWalk) -> sa.Subquery:
    """The walk's groups as the ``groups_all`` subquery, built once (like the items one)."""
    subquery = walk.groups().subquery("groups_all")
    _ = subquery.c
    return subquery


def page_statement(
    columns: Sequence[sa.ColumnElement[Any]],
    source: sa.FromClause,
    key: paging.Key,
    walk: GroupWalk,
    groups_in_bbox: sa.ColumnElement[bool],
    conditions: Sequence[sa.ColumnElement[bool]],
    *,
    rows_offset: tuple[sa.ColumnElement[int], sa.ColumnElement[int]],
    cursor: paging.Cursor | None,
    count: sa.Select[Any] | None,
) -> sa.Select[Any]:
    """``columns`` of the page's rows, the key ``__key0`` and ``__matched`` (``count``'s
    result, NULL without one).

    ``key`` is the id, the collection's whole order; ``groups_in_bbox`` the bbox condition on
    :func:`groups_subquery`'s columns; ``conditions`` every condition of the request on
    ``source`` (the bbox included, harmless: a group's features share its geometry).
    """
    rows, offset = rows_offset
    walked = rows + offset
    budget = sa.bindparam(BUDGET, type_=sa.Integer())
    groups_all = groups_subquery(walk)
    groups = (
        sa.select(groups_all.c.id)
        .where(groups_in_bbox)
        .limit(budget + 1)
        .cte("groups")
        .prefix_with("MATERIALIZED")
    )
    backwards = cursor is not None and cursor.backwards
    descending = key.descending != backwards
    order = source.c[walk.order_column]
    beyond = [paging.beyond([key], cursor)] if cursor is not None else []

    def first_keys(
        *where: sa.ColumnElement[bool], by: tuple[sa.ColumnElement[Any], ...]
    ) -> sa.Select[Any]:
        """The keys of the first ``walked`` matches that also satisfy ``where``, in ``by``."""
        return (
            sa.select(key.column.label(KEY))
            .select_from(source)
            .where(*conditions, *beyond, *where)
            .order_by(*(c.desc() if descending else c.asc() for c in by))
            .limit(walked)
        )

    in_group = source.c[walk.group_column] == groups.c.id
    if walk.ordered_from is None:
        group_page, ancient = first_keys(in_group, by=(order, key.column)), None
    else:
        # Written into the SQL (a constant of the pilot's, not a request's value): as a bound
        # parameter it would need SQLAlchemy's conversion, which keeps the statement off the
        # event loop (api.async_pages).
        start = sa.literal_column(
            f"TIMESTAMP WITH TIME ZONE '{walk.ordered_from.isoformat()}'", order.type
        )
        group_page = first_keys(in_group, order >= start, by=(order, key.column))
        # The rows before it (normally none: one index probe per group) by their own id order,
        # once for all groups rather than as a second branch in every group's walk.
        in_any_group = source.c[walk.group_column].in_(sa.select(groups.c.id))
        ancient = first_keys(in_any_group, order < start, by=(key.column,))
    walked_groups = group_page.correlate(groups).lateral("walk")
    candidates: sa.Select[Any] | sa.CompoundSelect[Any] = sa.select(
        walked_groups.c[KEY]
    ).select_from(groups.join(walked_groups, sa.true()))
    if ancient is not None:
        candidates = sa.union_all(candidates, ancient)
    found = candidates.subquery("found")
    group_count = sa.select(sa.func.count()).select_from(groups).correlate(None)
    fits = group_count.scalar_subquery() * walked <= budget
    found_key = paging.Key(found.c[KEY], key.descending, nullable=False)
    page = (
        sa.select(found.c[KEY])
        .where(fits)
        .order_by(*paging.order_by([found_key], backwards=backwards))
        .limit(rows)
        .offset(offset)
        .subquery("page")
    )
    page_key = paging.Key(page.c[KEY], key.descending, nullable=False)
    matched = (
        count.correlate(None).scalar_subquery() if count is not None else sa.null()
    ).label(MATCHED)
    return (
        sa.select(*columns, page.c[KEY], matched)
        .select_from(source.join(page, key.column == page.c[KEY]))
        .order_by(*paging.order_by([page_key], backwards=backwards))
    )
