"""The parking collections the API publishes, as queries over the parking tables."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from core.pilot import FIXED_WIDTH_YEARS, Collection, GroupWalk, HistorySpec, Translation
from core.storage import table_of
from pilots.parking.models import (
    OCCUPANCY_ATTRIBUTES,
    SITE_ATTRIBUTES,
    ParkingBay,
    ParkingBayState,
    ParkingObservation,
    ParkingSite,
    ParkingSiteState,
)

_STATE = OCCUPANCY_ATTRIBUTES
_SITE = (*(name for name in SITE_ATTRIBUTES if name != "capacity"), "source")


def _sites_query() -> sa.Select[Any]:
    site, state = table_of(ParkingSite), table_of(ParkingSiteState)
    return sa.select(
        site.c.id,
        site.c.geometry,
        site.c.minx,
        site.c.miny,
        site.c.maxx,
        site.c.maxy,
        *(site.c[name] for name in _SITE),
        sa.func.coalesce(state.c.capacity, site.c.capacity).label("capacity"),
        *(state.c[name] for name in _STATE if name != "capacity"),
        state.c.observed_at,
        state.c.derived,
    ).select_from(site.outerjoin(state, state.c.site_id == site.c.id))


def _observations_query() -> sa.Select[Any]:
    site, observation = table_of(ParkingSite), table_of(ParkingObservation)
    return sa.select(
        observation.c.id,
        site.c.geometry,
        site.c.minx,
        site.c.miny,
        site.c.maxx,
        site.c.maxy,
        observation.c.site_id,
        site.c.name,
        observation.c.observed_at,
        *(observation.c[name] for name in _STATE),
        observation.c.derived,
    ).select_from(observation.join(site, site.c.id == observation.c.site_id))


def _site_places_query() -> sa.Select[Any]:
    """The sites as the groups of their observations (see :data:`OBSERVATIONS_BY_SITE`)."""
    site = table_of(ParkingSite)
    return sa.select(site.c.id, site.c.geometry, site.c.minx, site.c.miny, site.c.maxx,
                     site.c.maxy)


#: An observation sits at its site, and its id is ``{site}@{UTC time}`` with the time at a fixed
#: width from the year 1000 on (:func:`pilots.parking.stores.observation_id`), so a site's ids
#: sort like its times.
OBSERVATIONS_BY_SITE = GroupWalk(
    groups=_site_places_query,
    group_column="site_id",
    order_column="observed_at",
    ordered_from=FIXED_WIDTH_YEARS,
)


def _bays_query() -> sa.Select[Any]:
    bay, state = table_of(ParkingBay), table_of(ParkingBayState)
    return (
        sa.select(
            bay.c.id,
            bay.c.geometry,
            bay.c.minx,
            bay.c.miny,
            bay.c.maxx,
            bay.c.maxy,
            bay.c.zone_id,
            bay.c.device,
            bay.c.source,
            sa.func.coalesce(state.c.status, "unknown").label("status"),
            state.c.observed_at,
        )
        .select_from(bay.outerjoin(state, state.c.bay_id == bay.c.id))
        .where(bay.c.geometry.is_not(None))  # a bay shows on the map once its place is known
    )


#: The numbers of an observation a site's history aggregates.
HISTORY_MEASURES = ("vacant", "occupied", "occupancy")


def _site_history_query() -> sa.Select[Any]:
    observation = table_of(ParkingObservation)
    return sa.select(
        observation.c.site_id,
        observation.c.observed_at,
        *(observation.c[name] for name in HISTORY_MEASURES),
    )


SITE_HISTORY = HistorySpec(
    query=_site_history_query,
    measures=HISTORY_MEASURES,
    feature_column="site_id",
    time_column="observed_at",
)


def parking_collections() -> list[Collection]:
    return [
        Collection(
            id="parking-sites",
            title="Parking sites with their latest occupancy",
            description=(
                "Car parks, P+R sites and on-street zones of Flemish cities, each with its most "
                "recent observation: vacant and occupied spaces, occupancy, status."
            ),
            query=_sites_query,
            properties=(
                *_SITE,
                "capacity",
                *(n for n in _STATE if n != "capacity"),
                "observed_at",
                "derived",
            ),
            datetime_column="observed_at",
            keywords=("parking", "occupancy", "real-time"),
            translations={
                "nl": Translation(
                    "Parkeerlocaties met hun laatste bezetting",
                    "Parkeergarages, P+R-terreinen en parkeerzones op straat in Vlaamse steden, "
                    "elk met de meest recente waarneming: vrije en bezette plaatsen, bezetting "
                    "en status.",
                    ("parkeren", "bezetting", "real-time"),
                )
            },
            themes=("TRAN", "REGI"),
            update_frequency="UPDATE_CONT",
            queryables={
                "name": "string",
                "type": "string",
                "city": "string",
                "status": "string",
                "vacant": "integer",
                "occupancy": "number",
            },
            history=SITE_HISTORY,
        ),
        Collection(
            id="parking-observations",
            title="Parking occupancy observations (history)",
            description="Every occupancy observation of every parking site, at its location.",
            query=_observations_query,
            properties=("site_id", "name", "observed_at", *_STATE, "derived"),
            datetime_column="observed_at",
            keywords=("parking", "occupancy", "history"),
            translations={
                "nl": Translation(
                    "Waarnemingen van parkeerbezetting (historiek)",
                    "Elke bezettingswaarneming van elke parkeerlocatie, op haar locatie.",
                    ("parkeren", "bezetting", "historiek"),
                )
            },
            themes=("TRAN", "REGI"),
            update_frequency="UPDATE_CONT",
            queryables={
                "site_id": "string",
                "status": "string",
                "vacant": "integer",
                "occupancy": "number",
            },
            group_walk=OBSERVATIONS_BY_SITE,
        ),
        Collection(
            id="parking-bays",
            title="On-street parking bays and their state",
            description=(
                "On-street bays with a sensor, each with its latest state (free, occupied, "
                "closed, unknown). Bays whose location is not yet known are not listed."
            ),
            query=_bays_query,
            properties=("zone_id", "device", "source", "status", "observed_at"),
            datetime_column="observed_at",
            keywords=("parking", "on-street", "sensor", "real-time"),
            translations={
                "nl": Translation(
                    "Parkeerplaatsen op straat en hun toestand",
                    "Parkeerplaatsen op straat met een sensor, elk met de laatste toestand "
                    "(vrij, bezet, gesloten, onbekend). Plaatsen waarvan de ligging nog niet "
                    "gekend is, staan er niet in.",
                    ("parkeren", "op straat", "sensor", "real-time"),
                )
            },
            themes=("TRAN", "REGI"),
            update_frequency="UPDATE_CONT",
            queryables={"zone_id": "string", "status": "string"},
        ),
    ]
