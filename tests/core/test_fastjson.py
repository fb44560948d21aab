"""orjson decodes a payload only when the standard library would decode it to the same value."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from core.ingest.fastjson import UNDECIDED, fast_json

PAYLOADS = [
    b'{"site": "S0001", "observed_at": "2025-01-01T00:00:00+00:00", "vacant": 7, "capacity": 400}',
    b'[{"site": "a", "vacant": 1}, {"site": "b", "vacant": 2.5}]',
    b'{"a": {"b": [1, 2.0, -0.0, 1e-7, 1.7976931348623157e308, "\\u00e9\\ud83d\\ude00"]}}',
    b'{"a": 1, "a": 2}', b"  {}  ", b"[]", b'"text"', b"null", b"true", b"0", b"-0",
    b"18446744073709551615", b"9223372036854775807", b"-9223372036854775808",
    # integers beyond 64 bits: orjson would round them into floats
    b"123456789012345678901234567890", b'{"vacant": -9223372036854775809}',
    b'[1, [2, {"x": 99999999999999999999}]]',
    # what the standard library accepts and orjson refuses
    b"NaN", b'{"occupancy": Infinity}', b"-Infinity", b'"\\ud800"',
    # what neither accepts
    b"\xef\xbb\xbf{}", b"\xff\xfe\x00", b'"\xed\xa0\x80"', b"{not json", b"", b"[1,]", b"01",
    b'"a\x01b"', b"1 2",
]


def standard(payload: bytes) -> Any:
    try:
        return json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return UNDECIDED


def same(left: Any, right: Any) -> bool:
    """Equal values of the same types, all the way down (1 and 1.0 differ here)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(same, left, right))
    if isinstance(left, float) and math.isnan(left):
        return math.isnan(right)
    return bool(left == right)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_fast_decode_is_the_standard_decode(payload: bytes) -> None:
    fast = fast_json(payload)
    if fast is not UNDECIDED:
        assert same(fast, standard(payload))


def test_big_integers_and_what_only_the_standard_library_reads_are_left_undecided() -> None:
    for payload in (b"123456789012345678901234567890", b'{"vacant": -9223372036854775809}',
                    b"NaN", b'"\\ud800"', b"\xff\xfe\x00"):
        assert fast_json(payload) is UNDECIDED
    assert fast_json(PAYLOADS[0]) == json.loads(PAYLOADS[0])
