"""How long a response may be cached: live data for its update interval, settled history long.

One policy for every endpoint that reads a time window (items with ``datetime``, a feature's
history, downloads), so a client sees the same rule everywhere: data whose window closed more
than :data:`SETTLED_AFTER` ago no longer changes and is cached for
``STADSPULS_API_HISTORY_MAX_AGE``; anything that may still change for the collection's update
interval (else ``STADSPULS_API_MAX_AGE``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.pilot import Collection
from core.settings import ApiSettings

#: A window that ended this long ago holds history that no longer changes (late deliveries
#: and replays from quarantine arrive within hours, not days).
SETTLED_AFTER = timedelta(days=1)


def max_age(settings: ApiSettings, collection: Collection) -> int:
    """Seconds live data of ``collection`` stays fresh: its update interval or the default."""
    interval = collection.update_interval
    return settings.api_max_age if interval is None else interval


def window_cache_control(
    settings: ApiSettings, collection: Collection, end: datetime | None
) -> str:
    """``Cache-Control`` for data up to ``end`` (``None``: open-ended, i.e. live)."""
    if end is not None and end < datetime.now(UTC) - SETTLED_AFTER:
        return f"public, max-age={settings.api_history_max_age}"
    return f"public, max-age={max_age(settings, collection)}"
