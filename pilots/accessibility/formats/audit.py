"""A city's field audit: one row per building, the handbook's term names as columns.

Auditors keep spreadsheets, so a column may carry its unit in the header
(``entrance_door_width [mm]``, ``ramp_slope (°)``) or a cell its unit (``0,85 m``); either is
converted into the handbook's unit and the original is kept. Coordinates are ``lon``/``lat``
(WGS84) or ``x``/``y`` with the CRS declared by ``--crs`` or in a ``crs`` column (Lambert 72:
``EPSG:31370``). Audit values are measured on site; a ``method`` column may say otherwise.
"""

from __future__ import annotations

import re
from typing import Any

from core.coerce import is_absent
from core.handbook import Handbook
from core.ingest.canonical import records_from_values
from core.ingest.envelope import Problem, RecordRejected
from pilots.accessibility.records import ENTITY, BuildingRecord, as_building, whole_day
from pilots.accessibility.units import UnitError, convert

_HEADER_UNIT = re.compile(r"^(?P<name>[^\[\(]+?)\s*[\[\(](?P<unit>[^\]\)]+)[\]\)]\s*$")


def split_header(header: str) -> tuple[str, str | None]:
    """``"entrance_door_width [mm]"`` → ``("entrance_door_width", "mm")``."""
    match = _HEADER_UNIT.match(header.strip())
    if match is None:
        return header.strip(), None
    return match["name"].strip(), match["unit"].strip()


def _bare(cell: Any) -> bool:
    """A number without a unit of its own (the header's unit applies)."""
    if isinstance(cell, int | float):
        return True
    return bool(re.fullmatch(r"\s*[+-]?\d+(?:[.,]\d+)?\s*", str(cell)))


def map_audit_row(handbook: Handbook, row: dict[str, Any]) -> BuildingRecord:
    """One audit row as a building record, with units converted and originals kept."""
    entity = handbook.entities_by_id[ENTITY]
    values: dict[str, Any] = {}
    originals: dict[str, str] = {}
    problems: list[Problem] = []
    crs = None
    for header, cell in row.items():
        if header is None or is_absent(cell):
            continue
        name, unit = split_header(str(header))
        if name.lower() == "crs":
            crs = str(cell).strip()
            continue
        term = entity.terms_by_id.get(name)
        if term is None or term.unit is None or term.datatype not in ("integer", "number"):
            values[name] = whole_day(cell) if name == "observed_at" else cell
            continue
        try:
            converted = convert(cell, term.unit, unit)
        except UnitError as error:
            problems.append(
                Problem("core.datatype", f"{name}: {error}", f"{ENTITY}.{name}", cell, term.unit)
            )
            continue
        values[name] = converted.value
        if unit is not None and _bare(cell):
            originals[name] = f"{cell} {unit}"
        elif converted.original is not None:
            originals[name] = converted.original
    if problems:
        raise RecordRejected(problems)
    (record,) = records_from_values(handbook, values)
    building = as_building(record, "measured")
    building.originals = originals
    building.crs = crs
    return building
