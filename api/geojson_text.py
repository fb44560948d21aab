"""GeoJSON documents put together from feature texts PostgreSQL wrote (:mod:`api.feature_sql`).

The features are joined as they are, never parsed; only the small rest of the document (the
counts, ``timeStamp``, the links) is written by orjson. The members come in the same order as
the dict the Python path writes. The weak ETag covers every byte but the ``timeStamp``, which
changes on every request without changing what the page says, so a page served again
validates (the same rule as :func:`api.routes.items.weak_etag`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import orjson


def feature_collection(
    texts: Sequence[str],
    number_matched: int | None,
    time_stamp: str,
    links: list[dict[str, Any]],
    media_type: str,
) -> tuple[bytes, str]:
    """The FeatureCollection's bytes and its weak ETag."""
    head = ('{"type":"FeatureCollection","features":[' + ",".join(texts) + "]").encode()
    counts: dict[str, Any] = {}
    if number_matched is not None:
        counts["numberMatched"] = number_matched
    counts["numberReturned"] = len(texts)
    middle = b"," + orjson.dumps(counts)[1:-1]
    stamp = b',"timeStamp":' + orjson.dumps(time_stamp)
    tail = b',"links":' + orjson.dumps(links) + b"}"
    return head + middle + stamp + tail, _etag(media_type, head, middle, tail)


def feature(text: str, links: list[dict[str, Any]], media_type: str) -> tuple[bytes, str]:
    """One feature's bytes, with its ``links`` added last, and its weak ETag."""
    body = text.encode()[:-1] + b',"links":' + orjson.dumps(links) + b"}"
    return body, _etag(media_type, body)


def _etag(media_type: str, *parts: bytes) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part)
    digest.update(media_type.encode())
    return f'W/"{digest.hexdigest()}"'
