"""The split reader of large DATEX II status files gives exactly what the sequential one gives.

Every fixture, and files built to trip a byte-level cut (end tags inside comments and CDATA, a
publication time or a site among the records, records under two parents, truncation), is read
both ways with pieces of a few hundred bytes so that every file spans many pieces. Records,
positions, values, problems, raw XML and the error raised (with what came before it) must be
the same. Whether the split path really ran is visible in the raw content: it defers the
serialisation, the sequential reader does not.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from core.ingest.envelope import DeferredText
from pilots.parking.formats import datex2_split
from pilots.parking.formats.datex2 import DatexFormatError, DatexItem, iter_datex2

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parking"
V3 = (
    'xmlns:d2="http://datex2.eu/schema/3/d2Payload" xmlns:com="http://datex2.eu/schema/3/common" '
    'xmlns:prk="http://datex2.eu/schema/3/parking" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)
SEQUENTIAL = 10**15  # no file is this large: always the sequential reader


@pytest.fixture(autouse=True)
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datex2_split, "PIECE_SIZE", 300)


def record(site: str, vacant: int, extra: str = "") -> str:
    return (
        '<prk:parkingRecordStatus xsi:type="prk:ParkingSiteStatus">'
        f'<prk:parkingRecordReference targetClass="prk:ParkingRecord" id="{site}" version="1"/>'
        "<prk:parkingStatusOriginTime>2026-11-20T09:30:00+01:00</prk:parkingStatusOriginTime>"
        "<prk:parkingOccupancy>"
        f"<prk:parkingNumberOfVacantSpaces>{vacant}</prk:parkingNumberOfVacantSpaces>"
        f"</prk:parkingOccupancy>{extra}"
        "<prk:parkingSiteStatus>spacesAvailable</prk:parkingSiteStatus>"
        "</prk:parkingRecordStatus>\n"
    )


def status(body: str, after: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<d2:payload {V3} '
        'xsi:type="prk:ParkingStatusPublication" modelBaseVersion="3">\n'
        f"<com:publicationTime>2026-11-20T09:31:00Z</com:publicationTime>\n{body}{after}"
        "</d2:payload>\n"
    ).encode()


def records(count: int) -> str:
    return "".join(record(f"S{n}", n) for n in range(count))


def read(data: bytes, split_above: int) -> tuple[list[DatexItem], str | None]:
    """Every item the reader yields, and the error it ends with (None when it ends well)."""
    items: list[DatexItem] = []
    try:
        items.extend(iter_datex2(io.BytesIO(data), split_above=split_above))
    except DatexFormatError as error:
        return items, str(error)
    return items, None


def comparable(item: DatexItem) -> tuple[Any, ...]:
    return (item.position, item.kind, item.values, item.problems, item.version, str(item.raw))


def assert_same(data: bytes) -> list[DatexItem]:
    """Both readers agree on ``data``; returns the split reader's items."""
    expected, expected_error = read(data, SEQUENTIAL)
    found, error = read(data, 0)
    assert [comparable(item) for item in found] == [comparable(item) for item in expected]
    assert error == expected_error
    return found


def split_ran(items: list[DatexItem]) -> list[bool]:
    return [isinstance(item.raw, DeferredText) for item in items]


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("datex2-*.xml")))
def test_every_fixture_reads_the_same_both_ways(name: str) -> None:
    assert_same((FIXTURES / name).read_bytes())


def test_a_large_status_file_is_split_into_many_pieces_with_the_same_records() -> None:
    data = status(records(40))
    assert len(data) > 20 * datex2_split.PIECE_SIZE
    items = assert_same(data)
    assert len(items) == 40
    assert all(split_ran(items))
    assert items[7].values["vacant"] == 7
    assert str(items[7].raw).startswith("<prk:parkingRecordStatus")


def test_an_end_tag_inside_a_comment_or_cdata_never_cuts_a_record() -> None:
    trap = "<!-- </prk:parkingRecordStatus> -->"
    trend = "<![CDATA[</prk:parkingRecordStatus>]]>"
    cdata = f"<prk:parkingOccupancyTrend>{trend}</prk:parkingOccupancyTrend>"
    body = "".join(
        record(f"S{n}", n, trap if n % 3 == 0 else cdata if n % 3 == 1 else "")
        for n in range(30)
    )
    items = assert_same(status(body))
    assert len(items) == 30
    assert items[1].values["trend"] == "</prk:parkingRecordStatus>"


@pytest.mark.parametrize(
    ("body", "after"),
    [
        (records(20), "<com:publicationTime>2026-11-21T00:00:00Z</com:publicationTime>"),
        (records(10) + "<prk:parkingRecord id='X' version='1'/>" + records(10), ""),
        (records(10) + "<prk:group>" + records(10) + "</prk:group>", ""),
    ],
    ids=["publication-time-after-records", "site-among-statuses", "records-under-two-parents"],
)
def test_a_file_the_pieces_would_misread_falls_back_to_the_sequential_reader(
    body: str, after: str
) -> None:
    items = assert_same(status(body, after))
    ran = split_ran(items)
    assert not all(ran), "the split reader should have handed over"
    assert ran == sorted(ran, reverse=True)  # split records first, then sequential ones


def test_a_truncated_large_file_yields_what_came_before_and_the_same_error() -> None:
    data = status(records(30))[:-400]
    items, error = read(data, 0)
    assert error is not None and error.startswith("truncated XML at line")
    assert_same(data)
    assert 0 < len(items) < 30


def test_a_document_type_declaration_keeps_the_sequential_reader() -> None:
    data = status(records(20)).replace(b"?>\n", b'?>\n<!DOCTYPE d2:payload [<!ENTITY e "x">]>\n', 1)
    items = assert_same(data)
    assert not any(split_ran(items))


def test_a_small_file_is_read_sequentially() -> None:
    items, _ = read(status(records(3)), datex2_split.SPLIT_ABOVE)
    assert len(items) == 3 and not any(split_ran(items))
