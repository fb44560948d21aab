"""DATEX II parking parser: v2 (plain and Gent's GenericPublication form) and v3 tables and
statuses, namespace-prefix variants, enumeration mappings, per-record problems and unreadable
files.

Values are compared as whole dicts, so a key that should be absent (not merely None) is checked
too: observations omit what the record does not carry.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from pilots.parking.formats import datex2_split
from pilots.parking.formats.datex2 import (
    DatexFormatError,
    DatexItem,
    iter_datex2,
    looks_like_datex2,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "parking"
CET = timezone(timedelta(hours=1))
P07 = "1a4f9c1e-0c5e-4b77-9e53-0d2b2b1f0a11"
P10 = "7b2d0e55-3f3a-4c1a-8f7e-5a0c6d9e2b22"
V3 = (
    'xmlns:d2="http://datex2.eu/schema/3/d2Payload" xmlns:com="http://datex2.eu/schema/3/common" '
    'xmlns:prk="http://datex2.eu/schema/3/parking" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)


def parse(name: str) -> list[DatexItem]:
    with (FIXTURES / name).open("rb") as stream:
        return list(iter_datex2(stream))


def parse_bytes(data: bytes) -> list[DatexItem]:
    return list(iter_datex2(io.BytesIO(data)))


Row = tuple[int, str, dict[str, Any], list[str]]


def rows(items: list[DatexItem]) -> list[Row]:
    return [(i.position, i.kind, i.values, i.problems) for i in items]


def v3_status(records: str, published: str = "2026-11-20T09:31:00Z") -> bytes:
    return (
        f'<d2:payload {V3} xsi:type="prk:ParkingStatusPublication" modelBaseVersion="3">'
        f"<com:publicationTime>{published}</com:publicationTime>{records}</d2:payload>"
    ).encode()


def v3_record(children: str, ref: str = "S1") -> str:
    return (
        '<prk:parkingRecordStatus xsi:type="prk:ParkingSiteStatus">'
        f'<prk:parkingRecordReference targetClass="prk:ParkingRecord" id="{ref}" version="1"/>'
        f"{children}</prk:parkingRecordStatus>"
    )


def v3_table(children: str) -> bytes:
    return (
        f'<d2:payload {V3} xsi:type="prk:ParkingTablePublication" modelBaseVersion="3">'
        '<prk:parkingTable id="t" version="1"><prk:parkingRecord xsi:type="prk:UrbanParkingSite" '
        f'id="S1" version="1">{children}</prk:parkingRecord></prk:parkingTable></d2:payload>'
    ).encode()


def v2_status(children: str) -> bytes:
    """A plain v2 ParkingStatusPublication (not Gent's generic wrapper)."""
    return (
        '<d2LogicalModel xmlns="http://datex2.eu/schema/2/2_0" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" modelBaseVersion="2">'
        '<payloadPublication xsi:type="ParkingStatusPublication" lang="nl">'
        "<publicationTime>2026-11-20T10:30:00+01:00</publicationTime>"
        '<parkingRecordStatus xsi:type="ParkingSiteStatus">'
        '<parkingRecordReference targetClass="ParkingRecord" id="S1" version="1"/>'
        f"{children}</parkingRecordStatus></payloadPublication></d2LogicalModel>"
    ).encode()


GENT_SITES: list[Row] = [
    (1, "site", {"id": P07, "name": "P07 Sint-Michiels", "type": "carPark",
                 "description": "Ondergrondse parking Sint-Michiels", "capacity": 445,
                 "latitude": 51.0546, "longitude": 3.7189}, []),
    (2, "site", {"id": P10, "name": "P10 Sint-Pietersplein", "type": None, "description": None,
                 "capacity": 712, "latitude": 51.0428, "longitude": 3.7266}, []),
]  # fmt: skip
GENT_STATUSES: list[Row] = [
    (1, "observation", {"site": P07, "observed_at": datetime(2026, 11, 20, 10, 29, 30, tzinfo=CET),
                        "vacant": 131, "occupancy": 70.6, "status": "spacesAvailable",
                        "opening_status": "open"}, []),
    (2, "observation", {"site": P10, "observed_at": datetime(2026, 11, 20, 10, 29, 10, tzinfo=CET),
                        "vacant": 0, "status": "full", "opening_status": "open"}, []),
]  # fmt: skip
MECHELEN_SITE: list[Row] = [
    (1, "site", {"id": "MEC-GRAANMARKT", "name": "Parking Grote Markt", "type": "carPark",
                 "description": None, "capacity": 300, "latitude": 51.028, "longitude": 4.479}, []),
]  # fmt: skip
MECHELEN_STATUS: list[Row] = [
    (1, "observation", {"site": "MEC-GRAANMARKT",
                        "observed_at": datetime(2026, 11, 20, 9, 30, tzinfo=UTC), "vacant": 45,
                        "occupied": 255, "occupancy": 85.0, "status": "almostFull",
                        "opening_status": "open"}, []),
]  # fmt: skip
LEUVEN: list[Row] = [
    (1, "site", {"id": "LEU-LADEUZE", "name": "Parking Ladeuze", "type": "undergroundCarPark",
                 "description": "Parking souterrain", "capacity": 600, "operator": "Interparking",
                 "latitude": 50.8798, "longitude": 4.7005}, []),
    (2, "site", {"id": "LEU-PR-HEVERLEE", "name": "P+R Heverlee", "type": "parkAndRide",
                 "description": None, "capacity": 350, "latitude": 50.862, "longitude": 4.681}, []),
    (3, "site", {"id": None, "name": "Zone Brusselsestraat", "type": "onStreetZone",
                 "description": None, "capacity": "ca. 40", "operator": "Parkeerbedrijf Leuven"},
     ["no parkingRecord id"]),
    (4, "site", {"id": "LEU-DAK", "name": None, "type": "other", "description": None,
                 "capacity": 80, "operator": None, "latitude": "noord", "longitude": 4.7},
     ["parkingLayout 'dakparking' is not a known DATEX II value; read as 'other'"]),
]  # fmt: skip
MC_PUBLISHED = datetime(2026, 11, 20, 9, 31, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "version", "expected"),
    [
        ("datex2-v2-table.xml", 2, GENT_SITES),
        ("datex2-v2-status.xml", 2, GENT_STATUSES),
        ("datex2-v3-table.xml", 3, MECHELEN_SITE),
        ("datex2-v3-status.xml", 3, MECHELEN_STATUS),
        ("datex2-v2-table-standard.xml", 2, LEUVEN),
        (
            "datex2-v3-status-enums.xml",
            3,
            [
                (1, "observation", {"site": "A", "vacant": 0, "trend": "increasingQuickly",
                                    "observed_at": datetime(2026, 11, 20, 9, 30, 0, 123456, UTC),
                                    "status": "full", "opening_status": "unknown"}, []),
                (2, "observation", {"site": "B", "status": "unknown", "opening_status": "closed",
                                    "observed_at": datetime(2026, 11, 20, 9, 31, tzinfo=CET)}, []),
                (3, "observation", {"site": "C", "status": "unknown", "opening_status": "unknown",
                                    "observed_at": datetime(2026, 11, 20, 9, 29, tzinfo=CET)},
                 ["parkingSiteStatus 'halfVol' is not a DATEX II value; read as 'unknown'"]),
            ],
        ),
        (
            "datex2-v3-status-no-reference.xml",
            3,
            [
                (1, "observation", {"observed_at": datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
                                    "vacant": 45}, ["no parkingRecordReference id"]),
                (2, "observation", {"observed_at": MC_PUBLISHED, "vacant": 12},
                 ["no parkingRecordReference id"]),
                (3, "observation", {"site": "MEC-VEEMARKT", "observed_at": MC_PUBLISHED,
                                    "vacant": 7}, []),
            ],
        ),
        (
            "datex2-v3-status-bad-values.xml",
            3,
            [
                (1, "observation", {"site": "MEC-GRAANMARKT", "observed_at": "gisteren rond tienen",
                                    "vacant": "veel", "occupied": "25.5", "occupancy": "NaN",
                                    "status": "unknown", "opening_status": None},
                 ["parkingSiteStatus 'bijnaVol' is not a DATEX II value; read as 'unknown'"]),
            ],
        ),
        (
            "datex2-v3-status-naive-time.xml",
            3,
            [
                (1, "observation", {"site": "MEC-GRAANMARKT", "vacant": 45,
                                    "observed_at": datetime(2026, 11, 20, 9, 30)}, []),
                (2, "observation", {"site": "MEC-VEEMARKT", "vacant": 7,
                                    "observed_at": datetime(2026, 11, 20, 9, 31)}, []),
            ],
        ),
    ],
)  # fmt: skip
def test_fixture_values(name: str, version: int, expected: list[Any]) -> None:
    items = parse(name)
    assert rows(items) == expected
    assert {item.version for item in items} == {version}


def test_times_without_offset_stay_naive() -> None:
    """No zone is guessed: the validator rejects naive times, the parser only reports them."""
    first, fallback = parse("datex2-v3-status-naive-time.xml")
    assert first.values["observed_at"].tzinfo is None
    assert fallback.values["observed_at"].tzinfo is None


@pytest.mark.parametrize(
    ("variant", "reference"),
    [
        ("datex2-v2-status-prefixed.xml", "datex2-v2-status.xml"),
        ("datex2-v2-table-prefixed.xml", "datex2-v2-table.xml"),
        ("datex2-v3-status-default-ns.xml", "datex2-v3-status.xml"),
        ("datex2-v3-status-ns-prefixes.xml", "datex2-v3-status.xml"),
        ("datex2-v3-table-default-ns.xml", "datex2-v3-table.xml"),
    ],
)
def test_prefix_variants_read_the_same(variant: str, reference: str) -> None:
    """Only local names matter: default namespace, d2:/D2:, ns1:..ns4: or a messageContainer."""
    got, want = parse(variant), parse(reference)
    assert rows(got) == rows(want)
    assert [i.version for i in got] == [i.version for i in want]


def test_positions_are_shared_by_sites_and_statuses() -> None:
    """A v3 messageContainer may carry a table and a status payload: one counter for the file,
    and each status without its own time takes its own payload's publicationTime."""
    data = (
        '<mc:messageContainer xmlns:mc="http://datex2.eu/schema/3/messageContainer" '
        f'{V3} modelBaseVersion="3">'
        '<mc:payload xsi:type="prk:ParkingTablePublication" modelBaseVersion="3">'
        "<com:publicationTime>2026-11-20T07:00:00Z</com:publicationTime>"
        '<prk:parkingTable id="t" version="1">'
        '<prk:parkingRecord id="S1" version="1"/><prk:parkingRecord id="S2" version="1"/>'
        "</prk:parkingTable></mc:payload>"
        '<mc:payload xsi:type="prk:ParkingStatusPublication" modelBaseVersion="3">'
        "<com:publicationTime>2026-11-20T09:31:00Z</com:publicationTime>"
        f"{v3_record('', 'S1')}{v3_record('', 'S2')}</mc:payload></mc:messageContainer>"
    ).encode()
    items = parse_bytes(data)
    assert [(i.position, i.kind) for i in items] == [
        (1, "site"), (2, "site"), (3, "observation"), (4, "observation")
    ]  # fmt: skip
    assert [i.values.get("observed_at") for i in items[2:]] == [MC_PUBLISHED] * 2


def test_raw_is_the_serialised_record() -> None:
    site = parse("datex2-v2-table.xml")[0]
    element = etree.fromstring(site.raw)
    assert etree.QName(element).localname == "parkingRecord"
    assert element[0].get("id") == P07  # Gent's parkingSite inside the record
    status = parse("datex2-v3-status.xml")[0]
    assert status.raw.startswith("<prk:parkingRecordStatus")
    assert 'id="MEC-GRAANMARKT"' in status.raw and status.raw.endswith("</prk:parkingRecordStatus>")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("spacesAvailable", "spacesAvailable"),
        ("almostFull", "almostFull"),
        ("fewSpacesAvailable", "almostFull"),
        ("full", "full"),
        ("fullAtEntrance", "full"),
        ("overcrowding", "full"),
        ("closed", "closed"),
        ("unknown", "unknown"),
        ("other", "unknown"),
    ],
)
def test_site_status_mapping(value: str, expected: str) -> None:
    for data in (
        v2_status(f"<parkingSiteStatus>{value}</parkingSiteStatus>"),
        v3_status(v3_record(f"<prk:parkingSiteStatus>{value}</prk:parkingSiteStatus>")),
    ):
        [item] = parse_bytes(data)
        assert (item.values["status"], item.problems) == (expected, [])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("open", "open"),
        ("openAllHours", "open"),
        ("openWithServiceLimitation", "open"),
        ("closed", "closed"),
        ("closedAbnormal", "closed"),
        ("closedOnHoliday", "closed"),
        ("temporarilyClosed", "closed"),
        ("openingTimesInForce", "unknown"),
        ("statusUnknown", "unknown"),
        ("other", "unknown"),
    ],
)
def test_opening_status_mapping(value: str, expected: str) -> None:
    tag = "parkingSiteOpeningStatus"
    for data in (
        v2_status(f"<{tag}>{value}</{tag}>"),
        v3_status(v3_record(f"<prk:{tag}>{value}</prk:{tag}>")),
    ):
        [item] = parse_bytes(data)
        assert (item.values["opening_status"], item.problems) == (expected, [])


@pytest.mark.parametrize(
    ("children", "expected"),
    [
        ("<prk:urbanParkingSiteType>offStreetParking</prk:urbanParkingSiteType>", "carPark"),
        ("<prk:urbanParkingSiteType>onStreetParking</prk:urbanParkingSiteType>", "onStreetZone"),
        ("<prk:urbanParkingSiteType>other</prk:urbanParkingSiteType>", "other"),
        ("<prk:parkingLayout>multiStorey</prk:parkingLayout>", "carPark"),
        ("<prk:parkingLayout>underground</prk:parkingLayout>"
         "<prk:urbanParkingSiteType>offStreetParking</prk:urbanParkingSiteType>",
         "undergroundCarPark"),
        ("<prk:parkingSiteType>carPark</prk:parkingSiteType>", "carPark"),
        ("<prk:parkingSiteType>undergroundParking</prk:parkingSiteType>", "undergroundCarPark"),
        ("<prk:parkingUsageScenario>parkAndRide</prk:parkingUsageScenario>"
         "<prk:parkingLayout>underground</prk:parkingLayout>", "parkAndRide"),
        ("<prk:parkingUsageScenario>truckParking</prk:parkingUsageScenario>", None),
        ("", None),
    ],
)  # fmt: skip
def test_site_type_mapping(children: str, expected: str | None) -> None:
    [item] = parse_bytes(v3_table(children))
    assert (item.values["type"], item.problems) == (expected, [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("+3", 3),
        ("-1", -1),  # a count below zero is the validator's call, not the parser's
        ("12.0", "12.0"),
        ("1_000", "1_000"),
        ("١٢", "١٢"),
        ("veel", "veel"),
        ("", None),
    ],
)
def test_counts_keep_what_is_not_an_integer(text: str, expected: object) -> None:
    tag = "prk:parkingNumberOfVacantSpaces"
    record = v3_record(f"<prk:parkingOccupancy><{tag}>{text}</{tag}></prk:parkingOccupancy>")
    [item] = parse_bytes(v3_status(record))
    assert item.values["vacant"] == expected
    assert type(item.values["vacant"]) is type(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-20T09:30:00Z", datetime(2026, 11, 20, 9, 30, tzinfo=UTC)),
        ("2026-11-20T09:30:00z", datetime(2026, 11, 20, 9, 30, tzinfo=UTC)),
        ("2026-11-20T10:30:00.000+01:00", datetime(2026, 11, 20, 10, 30, tzinfo=CET)),
        ("2026-11-20T09:30:00.123456789Z", datetime(2026, 11, 20, 9, 30, 0, 123456, UTC)),
        ("2026-11-20T09:30:00", datetime(2026, 11, 20, 9, 30)),
        ("20/11/2026 09:30", "20/11/2026 09:30"),
        ("", None),
    ],
)
def test_origin_time(text: str, expected: object) -> None:
    tag = "prk:parkingStatusOriginTime"
    [item] = parse_bytes(v3_status(v3_record(f"<{tag}>{text}</{tag}>")))
    assert item.values["observed_at"] == expected
    assert getattr(item.values["observed_at"], "tzinfo", None) == getattr(expected, "tzinfo", None)


def test_name_prefers_dutch_and_falls_back_to_the_first_value() -> None:
    [item] = parse_bytes(v3_table(
        "<prk:name><com:values><com:value lang='fr'>Parking Grand-Place</com:value>"
        "<com:value lang='nl-BE'>Parking Grote Markt</com:value></com:values></prk:name>"
        "<prk:description><com:values><com:value lang='en'>Car park</com:value>"
        "<com:value lang='fr'>Parking</com:value></com:values></prk:description>"
    ))  # fmt: skip
    assert (item.values["name"], item.values["description"]) == ("Parking Grote Markt", "Car park")


def test_nested_group_statuses_do_not_leak_into_the_site_values() -> None:
    record = v3_record(
        "<prk:groupOfParkingSpacesStatus><prk:parkingOccupancy>"
        "<prk:parkingNumberOfVacantSpaces>3</prk:parkingNumberOfVacantSpaces>"
        "</prk:parkingOccupancy></prk:groupOfParkingSpacesStatus>"
    )
    [item] = parse_bytes(v3_status(record))
    assert item.values == {"site": "S1", "observed_at": MC_PUBLISHED}


def test_an_empty_status_publication_yields_nothing() -> None:
    assert parse_bytes(v3_status("")) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("datex2-empty.xml", "empty stream: there is no XML content to read"),
        ("datex2-not-xml.xml", "malformed XML at line 1: Start tag expected, '<' not found"),
        ("datex2-not-datex.xml", "not DATEX II: the root element is <FeatureCollection> in "
                                 "http://www.opengis.net/wfs/2.0"),
        ("datex2-not-parking.xml", "not a parking publication: the DATEX II payload is a "
                                   "SituationPublication"),
    ],
)  # fmt: skip
def test_unreadable_files_fail_when_called(name: str, message: str) -> None:
    with (FIXTURES / name).open("rb") as stream, pytest.raises(DatexFormatError) as caught:
        iter_datex2(stream)  # the head is checked before the first item is asked for
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"   \n\t", "empty stream: there is no XML content to read"),
        (b'<?xml version="1.0"?>\n<d2:payload xmlns:d2="http://datex2.eu/schema/3/d2Pay',
         "truncated XML at line 2:"),
        (b"<d2LogicalModel><exchange/></d2LogicalModel>",
         "not a parking publication: the DATEX II document holds no parkingTable"),
        (b'<payload xmlns="http://example.org/not-datex"/>',
         "not DATEX II: the root element is <payload> in http://example.org/not-datex"),
        (b'{"records": []}', "malformed XML at line 1: Start tag expected"),
    ],
)  # fmt: skip
def test_unreadable_bytes(data: bytes, message: str) -> None:
    with pytest.raises(DatexFormatError) as caught:
        parse_bytes(data)
    assert str(caught.value).startswith(message)


def test_truncation_keeps_the_records_before_it() -> None:
    items: list[DatexItem] = []
    with (FIXTURES / "datex2-truncated.xml").open("rb") as stream:
        reader = iter_datex2(stream)
        with pytest.raises(DatexFormatError) as caught:
            items.extend(reader)
    assert rows(items) == GENT_STATUSES[:1]
    assert str(caught.value).startswith("truncated XML at line 20: Premature end of data")


def test_a_generic_publication_without_parking_content_is_refused() -> None:
    with pytest.raises(DatexFormatError, match="holds no parkingTable, parkingRecord"):
        parse("datex2-v2-not-parking-generic.xml")


def test_malformed_xml_after_records_is_not_called_truncated() -> None:
    data = v3_status(v3_record("") + "<prk:oops></prk:wrong>" + v3_record("") * 3)
    with pytest.raises(DatexFormatError, match=r"^malformed XML at line 1: Opening and ending"):
        parse_bytes(data)


def test_external_entities_are_not_resolved() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE d2:payload [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
        + v3_table("<prk:name>&x;</prk:name>")
    )
    [item] = parse_bytes(data)
    assert item.values["name"] is None


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.consumed = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk


@pytest.mark.parametrize(
    ("split_above", "piece_size"), [(10**15, None), (0, 64 * 1024)], ids=["sequential", "split"]
)
def test_items_come_before_the_stream_is_read_to_the_end(
    monkeypatch: pytest.MonkeyPatch, split_above: int, piece_size: int | None
) -> None:
    """Both readers stream: the split one reads at most two pieces ahead of its records."""
    if piece_size is not None:
        monkeypatch.setattr(datex2_split, "PIECE_SIZE", piece_size)
    record = v3_record("<prk:parkingOccupancy><prk:parkingNumberOfVacantSpaces>5"
                       "</prk:parkingNumberOfVacantSpaces></prk:parkingOccupancy>")  # fmt: skip
    data = v3_status(record * 20_000)
    stream = CountingStream(data)
    items = iter_datex2(stream, split_above=split_above)
    first = next(items)
    assert first.values["vacant"] == 5 and stream.consumed < len(data) // 4
    assert sum(1 for _ in items) == 19_999


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("datex2-v2-table.xml", True),
        ("datex2-v2-status-prefixed.xml", True),
        ("datex2-v3-status.xml", True),
        ("datex2-v3-status-ns-prefixes.xml", True),
        ("datex2-v3-table-default-ns.xml", True),
        ("datex2-not-datex.xml", False),
        ("datex2-not-xml.xml", False),
        ("datex2-empty.xml", False),
        ("gent-export.json", False),
    ],
)
def test_looks_like_datex2(name: str, expected: bool) -> None:
    assert looks_like_datex2((FIXTURES / name).read_bytes()[:4096]) is expected
