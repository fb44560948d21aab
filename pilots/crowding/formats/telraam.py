"""Telraam API traffic reports (``POST /v1/reports/traffic``, level ``segments``) as counts.

A report item counts road users passing a Telraam camera on one road segment during one
interval. Each mode with a value becomes a ``passages`` observation (``count_type`` interval,
``statistic`` total, ``technique`` camera) of the location ``str(segment_id)``:

* ``date`` is "the UTC time of the reporting interval (beginning of the interval)": ``start``;
  ``end`` = start + 1 h for ``interval`` ``hourly`` (``format`` per-hour) and + 15 min for
  ``quarterly`` (``format`` per-quarter, advanced API). Daily reports do not fit the handbook's
  intervals and are refused. A naive ``date`` is read in the source's declared zone, else UTC;
  the item's ``timezone`` member is the segment's local zone, not the zone of ``date``.
* modes (:data:`MODES`): ``pedestrian`` (people), ``bike`` (Telraam: two-wheelers; bicycle),
  ``car``, ``heavy`` (Telraam's heavy vehicles: trucks and buses; truck) and, when a report has
  it, ``motorbike`` (other); all but pedestrians count vehicles.
* directions: the total is direction ``both``; ``{mode}_lft`` and ``{mode}_rgt`` are the two
  travel directions along the segment. In segment-level reports (``direction`` 1) ``lft`` is the
  traffic moving in the digitised direction of the segment geometry (first to last vertex) and
  ``rgt`` the opposite; the source option ``positive`` (``lft`` default, or ``rgt``) says which
  of them is ``in``. Register the segment with a ``positive_bearing`` that matches.
* ``uptime`` (0 … 1, the part of the interval the camera actually counted) is ``coverage``.
  Telraam extrapolates its counts to the whole interval (a count divided by the uptime), so a
  value with uptime below 1 is ``estimated``.
* an item with uptime 0 (darkness, a fault) carries the API's placeholder zeros, not counts:
  it is refused with that reason, so a gap never becomes zero traffic. A mode whose value is
  null yields no observation.

Report items carry no geometry: no location record is emitted. The segment must be registered
first as a location whose ``id`` is the segment id (e.g. the segment from Telraam's
``segments/id`` GeoJSON, with ``id``, ``kind`` and ``positive_bearing`` properties, through the
canonical ``geojson`` format). Other members (``instance_id``, ``v85``, speed histograms) are
ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from core.ingest.envelope import Canonical, Problem, RecordRejected
from pilots.crowding.formats import choice_option, problem, read_time, rejected

#: ``interval`` values to minutes.
INTERVALS: Mapping[str, int] = {"hourly": 60, "quarterly": 15}
#: Telraam mode to (handbook modality, count unit).
MODES: Mapping[str, tuple[str, str]] = {
    "pedestrian": ("pedestrian", "people"),
    "bike": ("bicycle", "vehicles"),
    "car": ("car", "vehicles"),
    "heavy": ("truck", "vehicles"),
    "motorbike": ("other", "vehicles"),
}
SIDES = {"lft", "rgt"}


class TelraamResponseError(ValueError):
    """The document is no traffic report (an API error answer, a report that is no list)."""


def looks_like_telraam(head: bytes) -> bool:
    """A traffic report item names its ``segment_id`` and ``uptime``."""
    lowered = head.lower()
    return b'"segment_id"' in lowered and b'"uptime"' in lowered


def report_items(document: Any) -> list[Any]:
    """The items of an API response ``{"report": [...]}``, of a list, or a bare item."""
    if isinstance(document, list):
        return [item for part in document for item in report_items(part)]
    if not isinstance(document, dict):
        return [document]
    if "report" in document:
        report = document["report"]
        if not isinstance(report, list):
            raise TelraamResponseError("the response's 'report' is not a list of report items")
        return list(report)
    if "segment_id" not in document and ("status_code" in document or "message" in document):
        code, message = document.get("status_code", "?"), document.get("message", "")
        raise TelraamResponseError(f"the Telraam API answered {code} {message!r}, no report")
    return [document]


def map_telraam(
    item: Any, options: Mapping[str, str] | None = None, timezone: str | None = None
) -> list[Canonical]:
    """The counts of one report item; RecordRejected lists every reason it has none."""
    if not isinstance(item, dict):
        raise rejected(
            "a Telraam report item is a JSON object",
            None,
            type(item).__name__,
            "an object with segment_id, date, interval, uptime and counts",
        )
    positive = choice_option(options or {}, "positive", "lft", SIDES)
    problems: list[Problem] = []
    native = _segment(item.get("segment_id"), problems)
    minutes = _minutes(item.get("interval"), problems)
    if _absent(item.get("date")):
        problems.append(
            problem("the report item has no date", "observation.start", None, "an ISO 8601 time")
        )
    if problems:
        raise RecordRejected(problems)
    assert native is not None and minutes is not None
    start = read_time(item["date"], timezone or "UTC", "date")
    common: dict[str, Any] = {
        "location": native,
        "characteristic": "passages",
        "count_type": "interval",
        "start": start,
        "end": start + timedelta(minutes=minutes),
        "statistic": "total",
        "technique": "camera",
    }
    common.update(_coverage(item.get("uptime")))
    sides = {"_lft": "in", "_rgt": "out"} if positive == "lft" else {"_lft": "out", "_rgt": "in"}
    records: list[Canonical] = []
    for mode, (modality, unit) in MODES.items():
        for suffix, direction in (("", "both"), *sides.items()):
            value = item.get(mode + suffix)
            if _absent(value):
                continue
            values = {**common, "modality": modality, "unit": unit, "direction": direction}
            records.append(Canonical("observation", {**values, "value": value}))
    if not records:
        raise rejected(
            "the report item has no counts: every mode is null",
            "observation.value",
            None,
            "counts for heavy, car, bike or pedestrian",
        )
    return records


def _segment(value: Any, problems: list[Problem]) -> str | None:
    text = "" if _absent(value) else str(value).strip()
    if text.isdigit() and int(text) > 0:
        return text
    hint = " (an instance-level report: request level 'segments')" if text == "-1" else ""
    problems.append(
        problem(
            f"the report item has no segment_id{hint}",
            "observation.location",
            value,
            "the Telraam segment id",
        )
    )
    return None


def _minutes(value: Any, problems: list[Problem]) -> int | None:
    minutes = INTERVALS.get(str(value).strip().lower()) if not _absent(value) else None
    if minutes is None:
        problems.append(
            problem(
                f"interval {value!r} is not hourly or quarterly; request format per-hour or "
                "per-quarter (the handbook's intervals last at most an hour)",
                "observation.end",
                value,
                "hourly or quarterly",
            )
        )
    return minutes


def _coverage(uptime: Any) -> dict[str, Any]:
    """``coverage`` and ``estimated`` from ``uptime``; RecordRejected when the camera was off."""
    if _absent(uptime):
        return {}
    try:
        fraction = float(uptime)
    except (TypeError, ValueError):
        return {"coverage": uptime}  # the validator reports it
    if fraction == 0:
        raise rejected(
            "uptime is 0: the camera did not count in this interval (darkness or a fault) and "
            "the zeros are placeholders; a gap is not stored as zero traffic",
            "observation.coverage",
            uptime,
            "an uptime above 0",
        )
    return {"coverage": uptime, "estimated": fraction < 1}


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
