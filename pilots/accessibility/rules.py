"""Accessibility derivations and record rules (ids and meaning live in the handbook).

The thresholds of the assessment are not validation rules: a door of 78 cm is a valid
measurement of an inaccessible door. Validation only refuses what cannot be a building record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.ingest.envelope import Canonical
from core.validation import PilotRules, RuleCheck
from pilots.accessibility.records import characteristics

ADDRESS_REGISTER = ("https://data.vlaanderen.be/id/adres/", "http://data.vlaanderen.be/id/adres/")


def derive(record: Canonical, referenced: Mapping[str, Any] | None) -> None:
    """The ramp's rise from its length and slope (the slope limit depends on it)."""
    values = record.values
    length, slope = values.get("ramp_length"), values.get("ramp_slope")
    if values.get("ramp_rise") is None and length is not None and slope is not None:
        values["ramp_rise"] = round(float(length) * float(slope) / 100, 1)
        record.derived.add("ramp_rise")


def _address_uri(record: Canonical) -> str | None:
    uri = record.values.get("address_uri")
    if uri is None or str(uri).startswith(ADDRESS_REGISTER):
        return None
    return f"'{uri}' is not an address of the Flemish address register"


def _has_measurement(record: Canonical) -> str | None:
    if characteristics(record.values):
        return None
    return "the record carries no accessibility characteristic, only identity"


CHECKS: dict[str, RuleCheck] = {
    "accessibility.address-uri": _address_uri,
    "accessibility.has-measurement": _has_measurement,
}


def accessibility_rules() -> PilotRules:
    return PilotRules(derive=derive, checks=CHECKS)
