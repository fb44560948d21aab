"""Unit conversion into the handbook's units, with the supplier's original kept."""

from __future__ import annotations

import pytest

from pilots.accessibility.units import UnitError, convert


@pytest.mark.parametrize(
    ("value", "target", "default", "expected", "original"),
    [
        ("0.85", "cm", "m", 85.0, "0.85"),
        (0.9, "cm", "m", 90.0, "0.9 m"),
        ("850 mm", "cm", None, 85.0, "850 mm"),
        ("1,1 m", "cm", None, 110.0, "1,1 m"),
        ("92cm", "cm", None, 92.0, "92cm"),
        (92, "cm", None, 92.0, None),
        ("92", "cm", None, 92.0, None),
        ("6%", "%", None, 6.0, "6%"),
        ("-6 %", "%", None, 6.0, "-6 %"),
        ("3.4°", "%", None, 5.941, "3.4°"),
        ("45 deg", "%", None, 100.0, "45 deg"),
        ("30 m", "m", None, 30.0, "30 m"),
        ("2 kgf", "N", None, 19.613, "2 kgf"),
    ],
)
def test_conversions_keep_the_original(
    value: object, target: str, default: str | None, expected: float, original: str | None
) -> None:
    converted = convert(value, target, default)
    assert converted.value == pytest.approx(expected, abs=1e-3)
    assert converted.original == original


@pytest.mark.parametrize(
    ("value", "target", "message"),
    [
        ("36 inch", "cm", "unit 'inch' is not a unit of cm"),
        ("wide", "cm", "'wide' is not a number with an optional unit"),
        ("95°", "%", "is not between 0 and 90 degrees"),
        ("5 m", "%", "unit 'm' is not a slope unit"),
        (True, "cm", "is not a quantity"),
    ],
)
def test_what_cannot_be_converted_says_why(value: object, target: str, message: str) -> None:
    with pytest.raises(UnitError, match=message):
        convert(value, target)
