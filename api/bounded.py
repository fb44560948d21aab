"""Pages of a filtered result that has few matches: sort the matches' keys, then fetch the page.

A filtered page is "the first ``limit`` matches in key order". The planner can walk an index
in key order and test each row against the filter, or find the matches through the filter's
index and sort them. It estimates the first as cheap whenever it expects many matches spread
evenly along the key, which real data seldom is: observations of the few sites inside a small
bbox lie far apart in id order, and walking the primary key to find a hundred of them read
120,000 rows in the benchmark (``bench/api_peers.py``), 140 ms instead of 3 ms.

So when a request filters, one statement asks for at most ``bound + 1`` matches, keys only,
behind a ``MATERIALIZED`` fence the planner cannot see through (PostgreSQL and SQLite both
honour it). It then orders just those keys, cuts the page, and reads the page's rows by id.
The same statement counts the matches, so when there are at most ``bound`` the page and its
``numberMatched`` come from one round trip. When there are more, the page it returns is not
the right one and the caller walks the key order instead, which is then the good plan: with
that many matches the walk soon finds a page of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from api import paging

#: The label of the match count in :func:`page_statement`'s rows.
MATCHED = "__matched"


def page_statement(
    columns: Sequence[sa.ColumnElement[Any]],
    source: sa.FromClause,
    identity: sa.ColumnElement[Any],
    conditions: Sequence[sa.ColumnElement[bool]],
    keys: Sequence[paging.Key],
    *,
    rows_offset: tuple[sa.ColumnElement[int], sa.ColumnElement[int]],
    cursor: paging.Cursor | None,
    bound: int,
) -> sa.Select[Any]:
    """``columns`` of the page's rows, their keys ``__key<n>``, and the count of matches.

    ``rows_offset`` are the page's LIMIT (one row more than it holds) and OFFSET, as SQL
    (bound parameters, see :mod:`api.page_statements`). ``keys`` end with the (unique) id,
    which is what joins the page back to ``source``. The count is that of all matches up to
    ``bound + 1``, whatever the cursor. A page without rows
    yields no row, so no count either: on a first page that means no match at all, after a
    cursor or offset it may also mean that the page lies beyond the first ``bound + 1``.
    """
    names = [f"__key{k}" for k in range(len(keys))]
    matches = (
        sa.select(*(key.column.label(name) for key, name in zip(keys, names, strict=True)))
        .where(*conditions)
        .limit(bound + 1)
        .cte("matches")
        .prefix_with("MATERIALIZED")
    )
    fenced = [
        paging.Key(matches.c[name], key.descending, key.nullable)
        for key, name in zip(keys, names, strict=True)
    ]
    backwards = cursor is not None and cursor.backwards
    page_keys = sa.select(matches)
    if cursor is not None:
        page_keys = page_keys.where(paging.beyond(fenced, cursor))
    page = (
        page_keys.order_by(*paging.order_by(fenced, backwards=backwards))
        .limit(rows_offset[0])
        .offset(rows_offset[1])
        .subquery("page")
    )
    ordered = [
        paging.Key(page.c[name], key.descending, key.nullable)
        for key, name in zip(keys, names, strict=True)
    ]
    matched = sa.select(sa.func.count()).select_from(matches).scalar_subquery().label(MATCHED)
    return (
        sa.select(*columns, *(page.c[name] for name in names), matched)
        .select_from(source.join(page, identity == page.c[names[-1]]))
        .order_by(*paging.order_by(ordered, backwards=backwards))
    )
