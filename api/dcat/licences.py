"""Which licence a dataset is published under, and why.

The rule, first match wins:

1. the operator's override for the collection (``STADSPULS_CATALOG_LICENCES``);
2. the licence every registered source of the collection's pilot declares, when they agree
   (a city that registers all its parking feeds as CC-BY-4.0 publishes them as CC-BY-4.0);
3. the licence the pilot declares for the collection (``Collection.licence``, CC0 by default).

When sources disagree no licence can be derived safely: the collection's own is used and a
warning names the collection, so the operator sets an override.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from core.pilot import Collection

logger = logging.getLogger(__name__)


def dataset_licence(
    collection: Collection, source_licences: Iterable[str], overrides: Mapping[str, str]
) -> str:
    """The licence (SPDX id or URI) of ``collection``'s dataset."""
    if collection.id in overrides:
        return overrides[collection.id]
    declared = set(source_licences)
    if len(declared) == 1:
        return declared.pop()
    if len(declared) > 1:
        logger.warning(
            "the sources of collection '%s' declare different licences (%s); the catalogue "
            "states '%s': set STADSPULS_CATALOG_LICENCES to choose",
            collection.id,
            ", ".join(sorted(declared)),
            collection.licence,
        )
    return collection.licence
