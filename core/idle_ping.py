"""Ping a pooled PostgreSQL connection before use only when it sat idle for a while.

SQLAlchemy's ``pool_pre_ping`` costs one round trip on every checkout: on an API request that
reads one feature that is a third of its database work. A connection in steady use has just
proved itself alive; the ones that die unnoticed are those left idle, when the server was
restarted or a firewall dropped them. So only a connection back in the pool for longer than
:data:`PING_AFTER_IDLE` is pinged; a dead one raises ``DisconnectionError``, and the pool
replaces it before anyone uses it. A server restart in the middle of steady traffic can still
fail the request on each connection that was busy meanwhile, as it could with ``pre_ping``;
SQLAlchemy then invalidates the rest of the pool, so later requests get fresh connections.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, event, exc

#: Seconds a connection may rest in the pool and still be used without a ping.
PING_AFTER_IDLE = 10.0
_RETURNED_AT = "stadspuls_returned_at"


def ping_when_idle(engine: Engine) -> None:
    """Install the checkin/checkout hooks on ``engine``'s pool."""

    @event.listens_for(engine, "checkin")
    def returned(dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def taken(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        returned_at = record.info.pop(_RETURNED_AT, None)
        if returned_at is None or time.monotonic() - returned_at < PING_AFTER_IDLE:
            return  # new, or back from use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError("the idle connection is gone") from error
