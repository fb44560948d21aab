"""How parking canonical records become rows, and how the latest state is kept current."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Connection

from core.column_rows import StoredRows
from core.ingest.envelope import Canonical, stable_id
from core.pilot import AfterStore, EntityStore
from core.rows import located_row, newest
from core.storage import table_of, upsert_if_newer
from pilots.parking.bays import bay_observation_row, bay_row, update_bay_states
from pilots.parking.models import (
    OCCUPANCY_ATTRIBUTES,
    SITE_ATTRIBUTES,
    ParkingBay,
    ParkingBayObservation,
    ParkingObservation,
    ParkingSite,
    ParkingSiteState,
)


def site_row(source: str, record: Canonical) -> dict[str, Any]:
    return {**located_row(source, record, SITE_ATTRIBUTES), "derived": sorted(record.derived)}


#: The one spelling of an observation id, from the site id and the time's UTC stamp.
_OBSERVATION_ID = "{}@{}".format


def observation_id(site_id: str, observed_at: datetime) -> str:
    """``{site}@{UTC time to the second}``, e.g. ``gent:P01@20250101T120000Z``."""
    return _OBSERVATION_ID(site_id, _utc_stamp(observed_at))


def observation_ids(site_ids: list[str], times: list[datetime]) -> list[str]:
    """:func:`observation_id` of each site and time (a block of records; times repeat)."""
    stamps = {moment: _utc_stamp(moment) for moment in set(times)}
    return list(map(_OBSERVATION_ID, site_ids, map(stamps.__getitem__, times)))


@lru_cache(maxsize=4096)
def _utc_stamp(observed_at: datetime) -> str:
    """The id's time part. Cached: a feed reports many sites at the same few instants.

    Built with %-formatting rather than ``strftime``, which costs about three times as much.
    Years before 1000 (which strftime does not pad on every platform) keep the strftime
    rendering, so ids never change.
    """
    moment = observed_at if observed_at.tzinfo is UTC else observed_at.astimezone(UTC)
    if moment.year < 1000:
        return f"{moment:%Y%m%dT%H%M%SZ}"
    return "%04d%02d%02dT%02d%02d%02dZ" % (  # noqa: UP031 (the fastest rendering)
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second
    )


def observation_row(source: str, record: Canonical) -> dict[str, Any]:
    values = record.values
    site_id = stable_id(source, values["site"])
    observed_at = values["observed_at"]
    row = dict(zip(OCCUPANCY_ATTRIBUTES, map(values.get, OCCUPANCY_ATTRIBUTES), strict=True))
    row["id"] = observation_id(site_id, observed_at)
    row["site_id"] = site_id
    row["source"] = source
    row["observed_at"] = observed_at
    row["derived"] = sorted(record.derived)
    row["received_at"] = datetime.now(UTC)
    return row


def update_latest_state(conn: Connection, entity: str, rows: StoredRows) -> None:
    """Move each site's state forward to its newest observation; older ones never overwrite."""
    if entity != "observation" or not len(rows):
        return
    states = [
        {
            "site_id": row["site_id"],
            "observation_id": row["id"],
            "observed_at": row["observed_at"],
            "derived": row["derived"],
            **{term: row[term] for term in OCCUPANCY_ATTRIBUTES},
        }
        for row in newest(rows, "site_id", "observed_at")
    ]
    upsert_if_newer(conn, table_of(ParkingSiteState), states, "site_id", "observed_at")


def parking_stores() -> list[EntityStore]:
    """In storage order: what is referred to comes before what refers to it."""
    return [
        EntityStore(
            entity="site",
            table=table_of(ParkingSite),
            to_row=site_row,
            on_conflict="update",
            lookup_columns=("capacity",),
        ),
        EntityStore(
            entity="observation",
            table=table_of(ParkingObservation),
            to_row=observation_row,
            on_conflict="ignore",
        ),
        EntityStore(
            entity="bay",
            table=table_of(ParkingBay),
            to_row=bay_row,
            on_conflict="merge",
        ),
        EntityStore(
            entity="bay_observation",
            table=table_of(ParkingBayObservation),
            to_row=bay_observation_row,
            on_conflict="ignore",
        ),
    ]


def after_store(stale_after: float) -> AfterStore:
    """The pilot's hook after each stored batch: keep latest states (and zones) current."""

    def hook(conn: Connection, entity: str, rows: StoredRows) -> None:
        if entity == "observation":
            update_latest_state(conn, entity, rows)
        elif entity == "bay_observation":
            update_bay_states(conn, rows, stale_after)

    return hook
