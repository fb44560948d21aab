"""Unit conversion into the handbook's units, keeping what the supplier wrote.

Suppliers write lengths in mm, cm or m ("0.85", "850 mm", "85cm"), slopes in percent or degrees
("6%", "3.4°") and forces in N or kgf. Every conversion returns the value in the handbook's unit
and the original text, so a published value can always be traced back to what was delivered.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

_QUANTITY = re.compile(
    r"^\s*(?P<operator>[<>]=?|~)?\s*(?P<number>[+-]?\d+(?:[.,]\d+)?)\s*(?P<unit>[^\d\s].*?)?\s*$"
)

#: Factors into the handbook unit, per handbook unit, by the unit a supplier may write.
_FACTORS: dict[str, dict[str, float]] = {
    "cm": {"mm": 0.1, "millimeter": 0.1, "millimetre": 0.1, "cm": 1.0, "centimeter": 1.0,
           "centimetre": 1.0, "m": 100.0, "meter": 100.0, "metre": 100.0},
    "m": {"mm": 0.001, "cm": 0.01, "m": 1.0, "meter": 1.0, "metre": 1.0, "km": 1000.0},
    "N": {"n": 1.0, "newton": 1.0, "kgf": 9.80665, "kg": 9.80665},
}
_DEGREES = ("°", "deg", "degree", "degrees", "graden")
_PERCENT = ("%", "percent", "procent")


class UnitError(ValueError):
    """A value whose unit cannot be read or converted into the handbook's unit."""


@dataclass(frozen=True)
class Converted:
    value: float
    original: str | None  # what the supplier wrote, when it differs from the value stored


def parse(text: str) -> tuple[float, str | None]:
    """``"0,85 m"`` → ``(0.85, "m")``; a bare number has no unit."""
    match = _QUANTITY.match(text)
    if match is None:
        raise UnitError(f"'{text}' is not a number with an optional unit")
    unit = match["unit"].strip().lower() if match["unit"] else None
    return float(match["number"].replace(",", ".")), unit


def convert(value: Any, target: str, default_unit: str | None = None) -> Converted:
    """``value`` (a number, or text with a unit) in ``target``, the handbook's unit.

    ``default_unit`` is the unit a bare number is in (OSM's ``door:width`` is in metres); without
    it a bare number is taken to be in the target unit already.
    """
    if isinstance(value, bool):
        raise UnitError(f"{value} is not a quantity")
    if isinstance(value, int | float):
        number, unit = float(value), None
        original = None
    else:
        number, unit = parse(str(value))
        original = str(value).strip()
    unit = unit or (default_unit.lower() if default_unit else None)
    if not math.isfinite(number):
        raise UnitError(f"{value} is not a finite number")
    converted = _slope(number, unit) if target == "%" else _scale(number, unit, target)
    if original is None and unit is not None and unit != target.lower():
        original = f"{value:g} {unit}"
    keep = original if original is not None and _differs(original, converted) else None
    return Converted(round(converted, 3), keep)


def _scale(number: float, unit: str | None, target: str) -> float:
    factors = _FACTORS.get(target)
    if unit is None or factors is None:
        if unit is None or unit == target.lower():
            return number
        raise UnitError(f"unit '{unit}' cannot be converted into {target}")
    try:
        return number * factors[unit]
    except KeyError:
        known = ", ".join(sorted(set(factors)))
        raise UnitError(f"unit '{unit}' is not a unit of {target} (one of {known})") from None


def _slope(number: float, unit: str | None) -> float:
    """A slope in percent; degrees are the angle's tangent times 100 (3.4° ≈ 5.9 %)."""
    if unit is None or unit in _PERCENT:
        return abs(number)
    if unit in _DEGREES:
        if not 0 <= abs(number) < 90:
            raise UnitError(f"a slope of {number:g}° is not between 0 and 90 degrees")
        return abs(math.tan(math.radians(number))) * 100
    raise UnitError(f"unit '{unit}' is not a slope unit (% or °)")


def _differs(original: str, converted: float) -> bool:
    try:
        number, unit = parse(original)
    except UnitError:
        return True
    return unit is not None or not math.isclose(number, converted)
