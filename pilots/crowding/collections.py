"""The crowding collections the API publishes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from core.pilot import Collection, HistorySpec, Translation
from core.storage import table_of
from pilots.crowding.models import (
    CrowdingCalibration,
    CrowdingLocation,
    CrowdingLocationState,
    CrowdingObservation,
    CrowdingRollup,
)
from pilots.crowding.rollup_collection import rollup_collection
from pilots.crowding.stores import COUNT_ATTRIBUTES, LOCATION_ATTRIBUTES


def _density(value: Any, characteristic: Any, area: Any) -> Any:
    """People per m² of a presence count at a zone with a known area (else null)."""
    return sa.case(
        (characteristic == "presence", value / sa.func.nullif(area, 0)), else_=None
    ).label("density")


def _latest_level(location: Any) -> Any:
    """The level of the location's newest hourly roll-up that has one, and its rule."""
    rollup = table_of(CrowdingRollup)
    newest = (
        sa.select(rollup.c.level, rollup.c.level_rule)
        .where(
            rollup.c.location_id == location.c.id,
            rollup.c.interval_minutes == 60,
            rollup.c.level.is_not(None),
        )
        .order_by(rollup.c.start.desc())
        .limit(1)
    )
    return newest


def _locations_query() -> sa.Select[Any]:
    location, state = table_of(CrowdingLocation), table_of(CrowdingLocationState)
    calibration = table_of(CrowdingCalibration)
    latest = _latest_level(location)
    return sa.select(
        location.c.id,
        location.c.geometry,
        location.c.minx,
        location.c.miny,
        location.c.maxx,
        location.c.maxy,
        *(location.c[name] for name in LOCATION_ATTRIBUTES),
        location.c.source,
        state.c.start,
        state.c.end,
        *(state.c[name] for name in COUNT_ATTRIBUTES),
        _density(state.c.value, state.c.characteristic, location.c.area),
        latest.with_only_columns(table_of(CrowdingRollup).c.level)
        .scalar_subquery()
        .label("hourly_level"),
        latest.with_only_columns(table_of(CrowdingRollup).c.level_rule)
        .scalar_subquery()
        .label("hourly_level_rule"),
        calibration.c.factor.label("calibration_factor"),
        calibration.c.factor_low.label("calibration_factor_low"),
        calibration.c.factor_high.label("calibration_factor_high"),
        calibration.c.reference_location_id.label("calibrated_to"),
    ).select_from(
        location.outerjoin(state, state.c.location_id == location.c.id).outerjoin(
            calibration, calibration.c.location_id == location.c.id
        )
    )


def _observations_query() -> sa.Select[Any]:
    location, observation = table_of(CrowdingLocation), table_of(CrowdingObservation)
    return sa.select(
        observation.c.id,
        location.c.geometry,
        location.c.minx,
        location.c.miny,
        location.c.maxx,
        location.c.maxy,
        observation.c.location_id,
        location.c.name,
        observation.c.start,
        observation.c.end,
        *(observation.c[name] for name in COUNT_ATTRIBUTES),
        observation.c.derived,
        _density(observation.c.value, observation.c.characteristic, location.c.area),
    ).select_from(observation.join(location, location.c.id == observation.c.location_id))


#: What tells one series of a location's counts from another: values of different
#: characteristics, units, statistics, modalities or directions are never aggregated together.
HISTORY_SERIES = ("characteristic", "unit", "statistic", "modality", "direction")


def _location_history_query() -> sa.Select[Any]:
    """Counts with a number: crowding levels are labels, and an event without a value has no
    number to aggregate (the rollup counts it as 1; the history leaves it to the rollups)."""
    observation = table_of(CrowdingObservation)
    return sa.select(
        observation.c.location_id,
        observation.c.start,
        observation.c.value,
        *(observation.c[name] for name in HISTORY_SERIES),
    ).where(observation.c.value.is_not(None), observation.c.characteristic != "crowding-level")


LOCATION_HISTORY = HistorySpec(
    query=_location_history_query,
    measures=("value",),
    feature_column="location_id",
    time_column="start",
    series_columns=HISTORY_SERIES,
)


def crowding_collections() -> list[Collection]:
    return [
        Collection(
            id="crowding-locations",
            title="Crowding measurement locations with their latest count",
            description=(
                "Counting lines, zones and detection areas, each with its most recent "
                "aggregated count (characteristic, value, unit, coverage, level)."
            ),
            query=_locations_query,
            properties=(
                *LOCATION_ATTRIBUTES,
                "source",
                "start",
                "end",
                *COUNT_ATTRIBUTES,
                "density",
                "hourly_level",
                "hourly_level_rule",
                "calibration_factor",
                "calibration_factor_low",
                "calibration_factor_high",
                "calibrated_to",
            ),
            datetime_column="start",
            keywords=("crowding", "counts"),
            translations={
                "nl": Translation(
                    "Meetlocaties voor drukte met hun laatste telling",
                    "Tellijnen, zones en detectiegebieden, elk met de meest recente "
                    "geaggregeerde telling (kenmerk, waarde, eenheid, dekking, niveau).",
                    ("drukte", "tellingen"),
                )
            },
            themes=("REGI", "TRAN"),
            update_frequency="HOURLY",
            queryables={
                "kind": "string",
                "city": "string",
                "characteristic": "string",
                "level": "string",
                "value": "number",
            },
            history=LOCATION_HISTORY,
        ),
        Collection(
            id="crowding-observations",
            title="Crowding counts (history)",
            description=(
                "Aggregated counts per interval: passages, presence, density, dwell time and "
                "crowding level, at their location, with unit, modality, direction and quality."
            ),
            query=_observations_query,
            properties=(
                "location_id",
                "name",
                "start",
                "end",
                *COUNT_ATTRIBUTES,
                "derived",
                "density",
            ),
            datetime_column="start",
            keywords=("crowding", "counts", "history"),
            translations={
                "nl": Translation(
                    "Drukte-tellingen (historiek)",
                    "Geaggregeerde tellingen per interval: passages, aanwezigheid, dichtheid, "
                    "verblijfsduur en drukteniveau, op hun locatie, met eenheid, modaliteit, "
                    "richting en kwaliteit.",
                    ("drukte", "tellingen", "historiek"),
                )
            },
            themes=("REGI", "TRAN"),
            update_frequency="HOURLY",
            queryables={
                "location_id": "string",
                "characteristic": "string",
                "modality": "string",
                "direction": "string",
                "unit": "string",
                "value": "number",
            },
        ),
        rollup_collection(),
    ]
