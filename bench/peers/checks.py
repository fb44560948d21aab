"""Before anything is timed: every server gives the same features for every query.

Same ids in the same order (all three order by id when no ``sortby`` is given), so the same
count; a ``numberMatched`` that two servers both report must agree too (Stadspuls leaves it
out above its cap, by design). The single feature must be the same feature with the same
occupancy. A server that disagrees makes the comparison void, and the run stops.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from bench.peers.servers import Server


@dataclass(frozen=True)
class Query:
    key: str
    label: str
    path: str  # appended to the server's collection URL


@dataclass(frozen=True)
class Agreement:
    query: Query
    returned: int
    matched: dict[str, int | None]


def fetch(server: Server, query: Query) -> dict[str, Any]:
    response = httpx.get(server.base + query.path, timeout=120)
    if response.status_code != 200:
        raise SystemExit(f"{server.name} answered {response.status_code} to {query.path}: "
                         f"{response.text[:300]}")
    document: dict[str, Any] = response.json()
    return document


def check(servers: list[Server], query: Query) -> Agreement:
    documents = {server.name: fetch(server, query) for server in servers}
    if all(document.get("type") == "Feature" for document in documents.values()):
        seen = {name: (doc["id"], doc["properties"]["vacant"]) for name, doc in documents.items()}
        if len(set(seen.values())) != 1:
            raise SystemExit(f"{query.label}: the servers return different features: {seen}")
        return Agreement(query, 1, {name: None for name in documents})
    ids = {name: [feature["id"] for feature in doc["features"]]
           for name, doc in documents.items()}
    reference = next(iter(ids.values()))
    for name, found in ids.items():
        if found != reference:
            raise SystemExit(f"{query.label}: {name} returns {len(found)} features, other ids "
                             f"or order than the others ({len(reference)})")
    matched = {name: doc.get("numberMatched") for name, doc in documents.items()}
    reported = {value for value in matched.values() if value is not None}
    if len(reported) > 1:
        raise SystemExit(f"{query.label}: numberMatched differs: {matched}")
    if not reference:
        raise SystemExit(f"{query.label}: no features; the query would measure nothing")
    return Agreement(query, len(reference), matched)
