"""The catalogue built from the registry."""

from __future__ import annotations

import pytest

from api.catalogue import Catalogue, Entry
from core.errors import NotFound
from core.pilot import Registry


def test_catalogue_holds_every_collection_of_every_pilot(registry: Registry) -> None:
    catalogue = Catalogue.from_registry(registry)
    expected = [c.id for pilot in registry for c in pilot.collections]
    assert [collection.id for collection in catalogue] == expected
    assert catalogue.get("parking-sites").id == "parking-sites"
    with pytest.raises(NotFound):
        catalogue.get("nope")


def test_two_pilots_may_not_publish_the_same_collection_id(registry: Registry) -> None:
    sites = registry.get("parking").collections[0]
    with pytest.raises(ValueError, match=sites.id):
        Catalogue([Entry("parking", sites), Entry("other", sites)])
