"""The two CQL2 encodings parse to the same predicates (no database)."""

from __future__ import annotations

import json

import pytest

from api.cql2 import parse_filter
from api.cql2.sql import glob_pattern
from core.errors import InvalidParameter

PAIRS = [
    ("a = 1", {"op": "=", "args": [{"property": "a"}, 1]}),
    ("a <> 'x''y'", {"op": "<>", "args": [{"property": "a"}, "x'y"]}),
    ("a < 1 AND b >= 2.5 OR NOT c = TRUE", {"op": "or", "args": [
        {"op": "and", "args": [{"op": "<", "args": [{"property": "a"}, 1]},
                               {"op": ">=", "args": [{"property": "b"}, 2.5]}]},
        {"op": "not", "args": [{"op": "=", "args": [{"property": "c"}, True]}]},
    ]}),
    ("a LIKE 'x%'", {"op": "like", "args": [{"property": "a"}, "x%"]}),
    ("a BETWEEN 1 AND 2", {"op": "between", "args": [{"property": "a"}, 1, 2]}),
    ("a IN ('x', 'y')", {"op": "in", "args": [{"property": "a"}, ["x", "y"]]}),
    ("a IS NULL", {"op": "isNull", "args": [{"property": "a"}]}),
    ("S_WITHIN(g, POINT(1 2))", {"op": "s_within", "args": [
        {"property": "g"}, {"type": "Point", "coordinates": [1, 2]}]}),
    ("S_INTERSECTS(g, BBOX(1, 2, 3, 4))", {"op": "s_intersects", "args": [
        {"property": "g"}, {"bbox": [1, 2, 3, 4]}]}),
    ("T_DURING(t, INTERVAL('2026-11-20T00:00:00Z', '..'))", {"op": "t_during", "args": [
        {"property": "t"}, {"interval": ["2026-11-20T00:00:00Z", ".."]}]}),
    ("T_AFTER(t, DATE('2026-11-20'))", {"op": "t_after", "args": [
        {"property": "t"}, {"date": "2026-11-20"}]}),
    ("T_INTERSECTS(INTERVAL(s, e), TIMESTAMP('2026-11-20T10:00:00+01:00'))",
     {"op": "t_intersects", "args": [
         {"interval": [{"property": "s"}, {"property": "e"}]},
         {"timestamp": "2026-11-20T09:00:00Z"}]}),
]


@pytest.mark.parametrize(("text", "document"), PAIRS)
def test_text_and_json_mean_the_same(text: str, document: dict[str, object]) -> None:
    assert parse_filter(text) == parse_filter(json.dumps(document), "cql2-json")


@pytest.mark.parametrize(
    ("pattern", "glob"),
    [("a%", "a*"), ("a_c", "a?c"), (r"100\%", "100%"), ("[x]*?", "[[]x][*][?]"),
     (r"a\_b", "a_b")],
)
def test_like_patterns_become_case_sensitive_globs(pattern: str, glob: str) -> None:
    assert glob_pattern(pattern) == glob


@pytest.mark.parametrize(
    "text",
    ["", "a =", "a = 1 b", "S_INTERSECTS(g)", "INTERVAL('a', 'b')",
     "T_DURING(t, INTERVAL('2026-11-21', '2026-11-20'))", "a IN ()", "NOT", "a IS 1"],
)
def test_malformed_text_is_an_invalid_filter(text: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        parse_filter(text)
    assert caught.value.parameter == "filter"
