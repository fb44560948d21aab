"""Plain status records read by the pattern give exactly what lxml and the mapping give.

Every fixture and files built around each corner of the plain form (pretty printing, CRLF,
empty elements, padded or unknown values, references, CDATA, comments, single quotes, another
order, non-ASCII and broken UTF-8, a declared encoding, truncation) are read with blocks, in
pieces of a few hundred bytes, and compared record by record with the sequential reader: a
block's columns must hold each plain record's mapped values, and every record of a block, taken
on its own, must be the very item (position, values, problems, raw XML) the sequential reader
yields. Whether the pattern really read a piece is asserted where the form is plain.
"""

from __future__ import annotations

import io
from typing import Any

import pytest

from pilots.parking.formats import datex2_split
from pilots.parking.formats.datex2 import DatexBlock, DatexFormatError, DatexItem, iter_datex2
from tests.pilots.parking.test_datex2_split import (
    FIXTURES,
    SEQUENTIAL,
    comparable,
    read,
    record,
    records,
    status,
)


@pytest.fixture(autouse=True)
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datex2_split, "PIECE_SIZE", 300)


def read_blocks(data: bytes) -> tuple[list[DatexItem], list[DatexBlock], str | None]:
    """Every record (blocks taken apart), the blocks, and the error the reader ends with."""
    items: list[DatexItem] = []
    blocks: list[DatexBlock] = []
    try:
        for found in iter_datex2(io.BytesIO(data), split_above=0, blocks=True):
            if isinstance(found, DatexBlock):
                blocks.append(found)
                items.extend(found.item(index) for index in range(len(found)))
            else:
                items.append(found)
    except DatexFormatError as error:
        return items, blocks, str(error)
    return items, blocks, None


def plain_values(block: DatexBlock, index: int) -> dict[str, Any]:
    columns = block.columns.items()
    return {term: values[index] for term, values in columns if values[index] is not None}


def assert_same_with_blocks(data: bytes) -> list[DatexBlock]:
    """Blocks agree with the sequential reader on ``data``; returns the blocks."""
    expected, expected_error = read(data, SEQUENTIAL)
    found, blocks, error = read_blocks(data)
    assert [comparable(item) for item in found] == [comparable(item) for item in expected]
    assert error == expected_error
    for block in blocks:
        for index in range(len(block)):
            item = block.item(index)
            if block.declined[index]:
                assert item.values != plain_values(block, index) or item.problems
            else:
                assert plain_values(block, index) == item.values
                assert not item.problems
    return blocks


#: Records enough that the file outgrows the reader's first 64 KB and spans many pieces.
MANY = 300


def declined(blocks: list[DatexBlock]) -> list[bool]:
    return [flag for block in blocks for flag in block.declined]


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("datex2-*.xml")))
def test_every_fixture_reads_the_same_with_blocks(name: str) -> None:
    assert_same_with_blocks((FIXTURES / name).read_bytes())


def test_plain_records_come_as_blocks_holding_their_mapped_values() -> None:
    blocks = assert_same_with_blocks(status(records(MANY)))
    assert len(blocks) > 10
    assert not any(declined(blocks))
    first = blocks[0]
    assert first.columns["site"][0] == "S0" and first.columns["vacant"][0] == 0
    assert first.columns["status"][0] == "spacesAvailable"
    assert first.columns["observed_at"][0].isoformat() == "2026-11-20T09:30:00+01:00"


def test_pretty_printed_and_crlf_records_are_plain() -> None:
    pretty = "".join(
        record(f"S{n}", n).replace("><", ">\r\n    <").replace("\n", "\r\n") for n in range(MANY)
    )
    blocks = assert_same_with_blocks(status(pretty))
    assert len(blocks) > 10 and not any(declined(blocks))


def test_a_record_without_time_takes_the_publication_time() -> None:
    body = "".join(
        record(f"S{n}", n).replace(
            "<prk:parkingStatusOriginTime>2026-11-20T09:30:00+01:00</prk:parkingStatusOriginTime>",
            "",
        )
        for n in range(MANY)
    )
    blocks = assert_same_with_blocks(status(body))
    assert blocks and blocks[0].columns["observed_at"][0].isoformat() == "2026-11-20T09:31:00+00:00"


@pytest.mark.parametrize(
    ("old", "new", "declines"),
    [
        ("<prk:parkingSiteStatus>spacesAvailable<", "<prk:parkingSiteStatus>weird<", True),
        ("<prk:parkingSiteStatus>spacesAvailable<", "<prk:parkingSiteStatus> full <", True),
        ("<prk:parkingSiteStatus>spacesAvailable<", "<prk:parkingSiteStatus><", True),
        ("<prk:parkingSiteStatus>spacesAvailable<", "<prk:parkingSiteStatus>_extended<", True),
        ("<prk:parkingNumberOfVacantSpaces>", "<prk:parkingNumberOfVacantSpaces> ", False),
        ("<prk:parkingNumberOfVacantSpaces>", "<prk:parkingNumberOfVacantSpaces>x", False),
        ("<prk:parkingStatusOriginTime>", "<prk:parkingStatusOriginTime> ", False),
        ("<prk:parkingStatusOriginTime>2026", "<prk:parkingStatusOriginTime>", False),
    ],
    ids=["unknown-status", "padded-status", "empty-status", "extended", "padded-count",
         "text-count", "padded-time", "bad-time"],
)
def test_values_are_mapped_as_lxml_would_or_declined_to_it(
    old: str, new: str, declines: bool
) -> None:
    body = "".join(
        record(f"S{n}", n).replace(old, new) if n % 2 else record(f"S{n}", n)
        for n in range(MANY)
    )
    blocks = assert_same_with_blocks(status(body))
    assert blocks, "the pattern should still read these pieces"
    assert any(declined(blocks)) is declines
    assert not all(declined(blocks))


def test_a_blank_reference_is_declined_and_reported_alike() -> None:
    body = "".join(record("  " if n % 2 else f"S{n}", n) for n in range(MANY))
    blocks = assert_same_with_blocks(status(body))
    assert any(declined(blocks)) and not all(declined(blocks))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('targetClass="prk:ParkingRecord"', "targetClass='prk:ParkingRecord'"),
        ("<prk:parkingSiteStatus>", "<!-- c --><prk:parkingSiteStatus>"),
        ("<prk:parkingSiteStatus>spacesAvailable", "<prk:parkingSiteStatus><![CDATA[full]]>"),
        ('id="S', 'id="&amp;S'),
        ("<prk:parkingNumberOfVacantSpaces>", "<prk:parkingNumberOfVacantSpaces>&#49;"),
        ("<prk:parkingSiteStatus>spacesAvailable", "<prk:parkingSiteStatus>spaces\rAvailable"),
        ("</prk:parkingOccupancy>", "</prk:parkingOccupancy><prk:unknown>1</prk:unknown>"),
        (
            "<prk:parkingOccupancy><prk:parkingNumberOfVacantSpaces>",
            "<prk:parkingOccupancy> </prk:parkingOccupancy><prk:parkingOccupancy>"
            "<prk:parkingNumberOfVacantSpaces>",
        ),
        ("<prk:parkingSiteStatus>spacesAvailable</prk:parkingSiteStatus>", ""),
        ('<prk:parkingRecordStatus xsi:type="prk:ParkingSiteStatus">',
         '<prk:parkingRecordStatus xmlns:p2="urn:x" xsi:type="prk:ParkingSiteStatus">'),
        ('id="S', 'id="Sä'),
    ],
    ids=["single-quotes", "comment", "cdata", "entity", "char-ref", "carriage-return",
         "unknown-child", "blank-container", "plain-after-removal", "namespace-declaration",
         "non-ascii"],
)
def test_every_other_form_reads_the_same(old: str, new: str) -> None:
    body = "".join(
        record(f"S{n}", n).replace(old, new) if n % 97 == 40 else record(f"S{n}", n)
        for n in range(MANY)
    )
    blocks = assert_same_with_blocks(status(body))
    assert blocks, "the pieces without the odd records are still read by the pattern"


def test_broken_utf8_in_a_value_is_left_to_the_parser_and_reported_alike() -> None:
    data = status(records(MANY)).replace(b'id="S250"', b'id="S\xff250"')
    expected, expected_error = read(data, SEQUENTIAL)
    found, _blocks, error = read_blocks(data)
    assert error == expected_error is not None
    assert [comparable(item) for item in found] == [comparable(item) for item in expected]


def test_a_declared_latin1_file_is_never_read_by_the_pattern() -> None:
    data = status(records(MANY)).replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')
    assert not assert_same_with_blocks(data)


def test_a_truncated_file_with_blocks_ends_with_the_same_error() -> None:
    data = status(records(MANY))[:-400]
    _items, blocks, error = read_blocks(data)
    assert error is not None and error.startswith("truncated XML at line")
    assert blocks
    assert_same_with_blocks(data)


def test_v2_records_in_the_default_namespace_are_plain() -> None:
    data = (FIXTURES / "datex2-v2-status.xml").read_bytes()
    start = data.index(b"<parkingRecordStatus")
    end = data.rindex(b"</parkingRecordStatus>") + len(b"</parkingRecordStatus>")
    many = data[:start] + data[start:end] * (MANY // 2) + data[end:]
    blocks = assert_same_with_blocks(many)
    assert len(blocks) > 10


def test_records_with_an_undeclared_prefix_are_left_to_the_parser() -> None:
    data = status(records(MANY).replace("prk:", "p:"))
    expected, expected_error = read(data, SEQUENTIAL)
    found, blocks, error = read_blocks(data)
    assert not blocks and error == expected_error
    assert [comparable(item) for item in found] == [comparable(item) for item in expected]
