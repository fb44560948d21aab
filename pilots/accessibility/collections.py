"""The accessibility collection the API publishes: merged, assessed buildings."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from core.pilot import Collection, Translation
from core.storage import table_of
from pilots.accessibility.models import IDENTITY_COLUMNS, PROFILE_COLUMNS, AccessibilityBuilding

PROPERTIES = (
    *IDENTITY_COLUMNS,
    *PROFILE_COLUMNS,
    "profiles",
    "criteria",
    "measurements",
    "conflicts",
    "sources",
    "observed_at",
    "updated_at",
)


def _buildings_query() -> sa.Select[Any]:
    building = table_of(AccessibilityBuilding)
    return sa.select(
        building.c.id,
        building.c.geometry,
        building.c.minx,
        building.c.miny,
        building.c.maxx,
        building.c.maxy,
        *(building.c[name] for name in PROPERTIES),
    )


def accessibility_collections() -> list[Collection]:
    return [
        Collection(
            id="accessibility-buildings",
            title="Accessibility of public buildings",
            description=(
                "Public buildings with their measurements (each with source, method and "
                "original value), the outcome of every assessment criterion, and a level per "
                "user profile (accessible, accessible-with-help, not-accessible, unknown) with "
                "the criteria that decided it."
            ),
            query=_buildings_query,
            properties=PROPERTIES,
            datetime_column="observed_at",
            keywords=("accessibility", "buildings"),
            translations={
                "nl": Translation(
                    "Toegankelijkheid van publieke gebouwen",
                    "Publieke gebouwen met hun metingen (elk met bron, methode en oorspronkelijke "
                    "waarde), de uitkomst van elk beoordelingscriterium, en per gebruikersprofiel "
                    "een niveau (toegankelijk, toegankelijk met hulp, niet toegankelijk, "
                    "onbekend) met de criteria die het bepaalden.",
                    ("toegankelijkheid", "gebouwen"),
                )
            },
            themes=("SOCI", "REGI"),
            update_frequency="IRREG",
            queryables={
                "city": "string",
                "service_kind": "string",
                **{profile: "string" for profile in PROFILE_COLUMNS},
            },
        )
    ]
