"""What the catalogue says about each collection, gathered from the catalogue, data and sources.

This is the only part of the catalogue that reads the database: the extent of each collection
(cached by :class:`api.catalogue.Catalogue`) and the licences the pilot's sources declare.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Engine

from api.catalogue import Catalogue, Extent
from api.dcat.licences import dataset_licence
from core.handbook import Handbook
from core.pilot import Collection, Registry
from core.sources import list_sources


@dataclass(frozen=True)
class DatasetFacts:
    """One collection as a dataset: its data's extent, its licence and its pilot's handbook."""

    collection: Collection
    extent: Extent
    licence: str
    handbook: Handbook


def gather(
    catalogue: Catalogue, registry: Registry, engine: Engine, overrides: Mapping[str, str]
) -> list[DatasetFacts]:
    """The facts of every published collection, in catalogue order."""
    licences_by_pilot: dict[str, set[str]] = defaultdict(set)
    for source in list_sources(engine):
        if source.licence:
            licences_by_pilot[source.pilot].add(source.licence)
    facts = []
    for collection in catalogue:
        pilot = registry.get(catalogue.pilot_of(collection.id))
        facts.append(
            DatasetFacts(
                collection=collection,
                extent=catalogue.extent(engine, collection),
                licence=dataset_licence(collection, licences_by_pilot[pilot.id], overrides),
                handbook=pilot.handbook,
            )
        )
    return facts
