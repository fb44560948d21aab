"""SenML (RFC 8428) packs from generic counters of parking garages.

A pack is resolved as RFC 8428 section 4.6 says: base name (``bn``), base time (``bt``), base
unit (``bu``) and base value (``bv``) apply to their record and every later one until a record
sets them again; the name is ``bn + n``, the time ``bt + t`` and a numeric value ``bv + v``; a
resolved time below 2**28 is relative to "now" (the time the message arrived).

Naming convention: the resolved name is ``{site}{separator}{term}`` where the separator is the
last ``/``, ``:`` or ``.`` and ``term`` is one of the observation's counting terms
(:data:`TERMS`), so ``{"bn": "garage-12/", "n": "vacant"}`` and ``{"n": "garage-12/vacant"}``
both give site ``garage-12``; ``urn:dev:mac:0024befffe804ff1:vacant`` gives site
``urn:dev:mac:0024befffe804ff1``. A name without a separator uses the source's ``site`` option.
Records of other quantities (temperature, battery) are ignored; a pack in which nothing maps is
refused. Records of one site at one time become one observation.

Units: counts take no unit, ``count`` or ``{spaces}``; occupancy takes ``%`` (also when no unit
is given, the handbook's unit) or the ratio ``/`` (multiplied by 100).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from core.ingest.envelope import Canonical, Problem, RecordRejected

RULE = "parking.mapping"
TERMS = ("vacant", "occupied", "capacity", "occupancy", "status", "opening_status")
COUNT_UNITS = (None, "count", "{spaces}")
RELATIVE_BELOW = 2**28
_SEPARATORS = ("/", ":", ".")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class Resolved:
    """One resolved SenML record (RFC 8428 section 4.6)."""

    name: str
    time: datetime
    unit: str | None
    value: Any  # v (with bv added), else vs, vb or vd; None for a sum-only record


def _problem(
    message: str, term: str | None = None, found: Any = None, expected: str | None = None
) -> Problem:
    return Problem(RULE, message, term, found, expected)


def looks_like_senml(head: bytes, filename: str) -> bool:
    """``.senml`` files, or a JSON array whose first record uses SenML's short labels."""
    if filename.lower().endswith((".senml", ".senml.json", ".senml.jsonl")):
        return True
    start = head.lstrip()[:200]
    return (
        start.startswith(b"[")
        and any(label in start for label in (b'"bn"', b'"bt"', b'"n"'))
        and any(label in head for label in (b'"v"', b'"vs"', b'"vb"'))
    )


def map_senml(pack: Any, now: datetime, default_site: str | None = None) -> list[Canonical]:
    """Observations from one pack; ``now`` resolves relative times."""
    records = resolve(pack, now)
    groups: dict[tuple[str, datetime], dict[str, Any]] = {}
    problems: list[Problem] = []
    for index, record in enumerate(records, start=1):
        site, term = _split(record.name, default_site)
        if term is None:
            continue
        if site is None:
            problems.append(
                _problem(
                    f"record {index} ('{record.name}') names no site: use "
                    "'{site}/{term}' or set the source's 'site' option",
                    "observation.site",
                    record.name,
                    "a name like garage-12/vacant",
                )
            )
            continue
        try:
            value = _value(term, record)
        except ValueError as error:
            problems.append(
                _problem(
                    f"record {index} ('{record.name}'): {error}",
                    f"observation.{term}",
                    _shown(record),
                    _expected_unit(term),
                )
            )
            continue
        values = groups.setdefault((site, record.time), {})
        if term in values:
            problems.append(
                _problem(
                    f"record {index} repeats {term} of {site} at {record.time.isoformat()}",
                    f"observation.{term}",
                    record.value,
                    "one value per term and time",
                )
            )
        values[term] = value
    if problems:
        raise RecordRejected(problems)
    if not groups:
        names = ", ".join(sorted({record.name for record in records})) or "none"
        raise RecordRejected(
            [
                _problem(
                    f"no record of the pack names an observation term ({', '.join(TERMS)}); "
                    f"names found: {names}",
                    None,
                    names,
                    "names ending in /" + ", /".join(TERMS),
                )
            ]
        )
    return [
        Canonical("observation", {"site": site, "observed_at": time, **values})
        for (site, time), values in groups.items()
    ]


def resolve(pack: Any, now: datetime) -> list[Resolved]:
    """The pack's resolved records; RecordRejected names every malformed record."""
    if not isinstance(pack, list):
        raise RecordRejected(
            [
                _problem(
                    "a SenML pack is a JSON array of records",
                    None,
                    type(pack).__name__,
                    "a JSON array",
                )
            ]
        )
    base: dict[str, Any] = {"bn": "", "bt": 0, "bu": None, "bv": 0}
    resolved: list[Resolved] = []
    problems: list[str] = []
    for index, record in enumerate(pack, start=1):
        if not isinstance(record, dict):
            problems.append(f"record {index} is not a JSON object")
            continue
        wrong = _wrong_types(record)
        if wrong:
            problems.append(f"record {index}: {wrong}")
            continue
        base.update({key: record[key] for key in ("bn", "bt", "bu", "bv") if key in record})
        name = base["bn"] + record.get("n", "")
        if not name:
            problems.append(f"record {index} has no name (n or bn)")
            continue
        seconds = base["bt"] + record.get("t", 0)
        try:
            time = (now if seconds < RELATIVE_BELOW else _EPOCH) + timedelta(seconds=seconds)
        except (OverflowError, ValueError):
            problems.append(f"record {index}: time {seconds} is out of range")
            continue
        resolved.append(Resolved(name, time, record.get("u", base["bu"]), _raw_value(record, base)))
    if problems:
        raise RecordRejected([_problem(message) for message in problems])
    return resolved


def _wrong_types(record: dict[str, Any]) -> str | None:
    for key in ("bt", "bv", "t", "v"):
        if key in record and (
            isinstance(record[key], bool) or not isinstance(record[key], int | float)
        ):
            return f"'{key}' is not a number"
    for key in ("bn", "n", "bu", "u", "vs"):
        if key in record and not isinstance(record[key], str):
            return f"'{key}' is not a string"
    return None


def _raw_value(record: dict[str, Any], base: dict[str, Any]) -> Any:
    if "v" in record:
        return base["bv"] + record["v"]
    return next((record[key] for key in ("vs", "vb", "vd") if key in record), None)


def _split(name: str, default_site: str | None) -> tuple[str | None, str | None]:
    """(site, term) of a resolved name; term None when the name is no observation term."""
    cut = max(name.rfind(separator) for separator in _SEPARATORS)
    term = name[cut + 1 :].strip().lower()
    if term not in TERMS:
        return None, None
    site = name[:cut].rstrip("".join(_SEPARATORS)).strip() if cut >= 0 else ""
    return (site or default_site), term


def _value(term: str, record: Resolved) -> Any:
    if record.value is None:
        raise ValueError("has no value")
    if term in ("status", "opening_status"):
        return record.value
    if term == "occupancy":
        if record.unit in (None, "%"):
            return record.value
        if record.unit == "/" and isinstance(record.value, int | float):
            return round(100.0 * record.value, 2)
    elif record.unit in COUNT_UNITS:
        return int(record.value) if _whole(record.value) else record.value
    raise ValueError(f"unit '{record.unit}' does not fit {term} (expected {_expected_unit(term)})")


def _expected_unit(term: str) -> str:
    if term == "occupancy":
        return "% or / (ratio)"
    return "no unit" if term in ("status", "opening_status") else "count, {spaces} or no unit"


def _shown(record: Resolved) -> str:
    return " ".join(str(part) for part in (record.value, record.unit) if part is not None)


def _whole(value: Any) -> bool:
    return isinstance(value, float) and value.is_integer()
