"""DATEX II parking publications (v2 and v3) read as canonical site and observation values.

One streaming reader serves every form we meet: v2 ``d2LogicalModel`` with a
``ParkingTablePublication`` / ``ParkingStatusPublication`` payload, Gent's v2
``GenericPublication`` whose ``genericPublicationExtension`` wraps ``parkingTablePublication`` /
``parkingStatusPublication`` (and each ``parkingRecord`` around a ``parkingSite``), and v3
``d2:payload`` (optionally inside a ``messageContainer``) with ``prk:`` records. The v2 and v3
parking schemas share their element names, so records are matched on local names only: any
prefix or a default namespace reads the same (v3 ``prk:name`` and v2 ``parkingName`` both count).

Speed matters (status files of 100k records): ``iterparse`` only reports the few record-level
tags, each record is mapped by walking its direct children, then cleared and unlinked so memory
stays flat. The module is pure and lenient like the other adapters: a value it cannot convert is
kept as found for the one handbook validator to report, and ``DatexItem.problems`` only records
what the mapping would otherwise lose silently (no id/reference, a value outside the DATEX II
enumerations).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, BinaryIO, Literal

from lxml import etree

from core.ingest.envelope import DeferredText
from pilots.parking.formats import datex2_split
from pilots.parking.formats.datex2_regular import (
    FIELDS,
    RegularPiece,
    decoded,
    regular_reader,
)
from pilots.parking.formats.datex2_split import (
    SplitFailed,
    SplitPlan,
    parse_piece,
    plan_split,
    read_pieces,
)

_CHUNK = 64 * 1024
_SNIFF_LIMIT = 1024 * 1024  # the payload element always starts well within this
# remove_blank_text: indentation is never data in DATEX II; dropping it parses ~8% faster and
# keeps the quarantined raw XML compact.
_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "remove_blank_text": True,
}
# iterparse reports only these tags (records, the publication time, parking containers);
# everything else is read from within a reported record.
_MARKERS = ("parkingTable", "parkingTablePublication", "parkingStatusPublication")
_TAGS = [
    f"{{*}}{t}" for t in ("parkingRecord", "parkingRecordStatus", "publicationTime", *_MARKERS)
]
_PARKING_PUBLICATIONS = {"parkingtablepublication", "parkingstatuspublication"}
_PAYLOADS = ("payloadPublication", "payload")  # v2, v3
_KINDS: dict[bool, Literal["site", "observation"]] = {True: "site", False: "observation"}
_HEAD_RE = re.compile(
    rb"<(?:[\w.-]+:)?(?:d2LogicalModel|payloadPublication|payload|messageContainer)[\s>/]"
)
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_LXML_WHERE = re.compile(r",? line \d+, column \d+$")


def _table(text: str) -> dict[str, str]:
    """Read "canonical: datexValue ..." lines into {datexValue: canonical}."""
    pairs = (line.split(":") for line in text.strip().splitlines())
    return {value: canonical.strip() for canonical, values in pairs for value in values.split()}


# parkingSiteStatus: v2 ParkingSiteStatusEnum; v3 adds the overcrowding values.
_STATUS = _table("""
    spacesAvailable: spacesAvailable
    almostFull: almostFull fewSpacesAvailable
    full: full fullAtEntrance overcrowding overcrowdingLevel1 overcrowdingLevel2
    closed: closed
    unknown: unknown other noOvercrowding noParkingInformationAvailable""")
# parkingSiteOpeningStatus: v2 and v3 OpeningStatusEnum. openingTimesInForce only says "the
# normal opening times apply", not whether the site is open right now, hence unknown.
_OPENING = _table("""
    open: open openAllHours openWithServiceLimitation
    closed: closed closedAbnormal closedOnHoliday closedOnMaintenance temporarilyClosed
    unknown: openingTimesInForce statusUnknown unknown other""")
# Site type from parkingSiteType, urbanParkingSiteType, parkingLayout (v2/v3 ParkingLayoutEnum),
# interUrbanParkingSiteLocation and, for parkAndRide only, parkingUsageScenario.
_TYPE = _table("""
    carPark: carPark offStreetParking offStreetParkingGround multiStorey singleLevel
    carPark: automatedParkingGarage openSpace covered nested field
    undergroundCarPark: underground undergroundParking undergroundCarPark
    undergroundCarPark: undergroundAndMultiStorey undergroundAndMultistorey
    parkAndRide: parkAndRide
    onStreetZone: onStreetParking onStreet
    other: other unknown motorway nearbyMotorway layBy""")
# When several elements give a type, the most specific one wins.
_TYPE_RANK = ("parkAndRide", "undergroundCarPark", "onStreetZone", "carPark", "other")
_TYPE_ELEMENTS: tuple[str, ...] = ("parkingSiteType", "urbanParkingSiteType", "parkingLayout")
_TYPE_ELEMENTS += ("interUrbanParkingSiteLocation", "parkingUsageScenario")


class DatexFormatError(ValueError):
    """The stream is not readable DATEX II parking data (empty, truncated, not XML, not a parking
    publication). Message is one clear sentence, e.g. 'truncated XML at line 12: ...'."""


@dataclass(slots=True)
class DatexItem:
    position: int  # 1-based index of the record in the file; sites and statuses share a counter
    kind: Literal["site", "observation"]
    values: dict[str, Any]  # canonical term names
    raw: str | DeferredText  # the record's XML element serialised (for quarantine)
    problems: list[str] = field(default_factory=list)  # mapping problems in this record
    version: int = 3  # 2 or 3


def looks_like_datex2(head: bytes) -> bool:
    """True when the first few KB contain a DATEX II root (d2LogicalModel, or payload,
    payloadPublication or messageContainer next to a datex2.eu namespace)."""
    match = _HEAD_RE.search(head)
    if match is None:
        return False
    return b"d2LogicalModel" in match.group() or b"datex2.eu/schema" in head


def iter_datex2(
    stream: BinaryIO, split_above: int | None = None, *, blocks: bool = False
) -> Iterator[DatexItem | DatexBlock]:
    """Yield the records of a DATEX II parking table or status publication, lazily.

    The head is checked now, so an empty stream, non-XML or a non-parking DATEX II document
    raises DatexFormatError at once; a truncation or syntax error further on raises it during
    iteration, after the records before it were yielded (the caller decides what to keep).

    A seekable status file of at least ``split_above`` bytes is parsed in pieces on a second
    thread (:mod:`.datex2_split`); the records, their order and every error are the same.
    With ``blocks``, pieces of plain records come as :class:`DatexBlock` objects (columns).
    """
    start = stream.tell() if stream.seekable() else None
    head, version, parking_known = _sniff(stream)
    threshold = datex2_split.SPLIT_ABOVE if split_above is None else split_above
    if start is not None and _size(stream) >= threshold:
        head_bytes = b"".join(head)
        plan = plan_split(head_bytes, _PARSER_OPTIONS)
        if plan is not None:
            return _split_items(plan, head_bytes, stream, start, version, blocks)
    return _items(_Replay(head, stream), version, parking_known)


def _size(stream: BinaryIO) -> int:
    """The stream's length in bytes, leaving its position where it was."""
    here = stream.tell()
    size = stream.seek(0, 2)
    stream.seek(here)
    return size


def _split_items(
    plan: SplitPlan, head: bytes, stream: BinaryIO, start: int, version: int, blocks: bool
) -> Iterator[DatexItem | DatexBlock]:
    """The records of a file parsed in pieces; on any doubt, the sequential reader's, from
    the first record not yielded yet (it then also reports the damage where it is).

    With ``blocks``, a piece of plain records (:mod:`.datex2_regular`) comes as one
    :class:`DatexBlock` instead of one item per record.
    """
    position = 0
    regular = regular_reader(plan) if blocks else None

    def read(piece: bytes, last: bool) -> Any:
        found = regular(piece, last) if regular is not None else None
        return found if found is not None else parse_piece(plan, piece, last, _PARSER_OPTIONS)

    try:
        times, published = _head_times(plan)
        for piece in read_pieces(plan, head[len(plan.head) :], stream, read):
            root = piece
            if isinstance(piece, RegularPiece):
                block = _block(piece, plan, published, position, version)
                if block is not None:
                    position += len(block)
                    yield block
                    continue
                root = parse_piece(plan, piece.data, piece.last, _PARSER_OPTIONS)
            for element in _piece_records(root, plan, times):
                position += 1
                values, problems = _observation(element, published)
                yield DatexItem(
                    position, "observation", values, _deferred(element), problems, version
                )
    except SplitFailed:
        stream.seek(start)
        head_chunks, _version, parking_known = _sniff(stream)
        for item in _items(_Replay(head_chunks, stream), version, parking_known):
            if item.position > position:
                yield item


@dataclass
class DatexBlock:
    """The status records of one plain piece, their values as columns (canonical names).

    ``columns`` hold what :func:`_observation` would map each record to (None: absent);
    ``declined`` marks records whose values need it after all (an unusual enumeration value,
    an empty element): :meth:`item` parses one record alone and maps it the usual way.
    """

    first: int  # position of the first record in the file
    columns: dict[str, list[Any]]
    declined: list[bool]
    piece: RegularPiece
    plan: SplitPlan
    published: Any
    version: int

    def __len__(self) -> int:
        return len(self.declined)

    def item(self, index: int) -> DatexItem:
        """Record ``index`` parsed by lxml and mapped like any other (for checks, quarantine)."""
        position = self.first + index + 1
        try:  # the record alone, as a piece of its own
            root = parse_piece(self.plan, self.piece.record_bytes(index), False, _PARSER_OPTIONS)
        except SplitFailed as error:  # the plain form is well-formed: not expected
            raise DatexFormatError(f"malformed XML in record {position}: {error}") from None
        element = next(root.iter("{*}parkingRecordStatus"))
        values, problems = _observation(element, self.published)
        return DatexItem(
            position, "observation", values, _deferred(element), problems, self.version
        )


#: Marks a value the plain reading leaves to :func:`_observation` (the record is declined).
_DECLINE = object()


def _block(
    piece: RegularPiece, plan: SplitPlan, published: Any, first: int, version: int
) -> DatexBlock | None:
    """The block of a plain piece, or None when a captured value is not valid UTF-8 or XML
    text (the caller then parses the piece)."""
    columns: dict[str, list[Any]] = {}
    declined = [False] * len(piece)
    for name, found in zip(FIELDS, piece.columns, strict=True):
        term, read = _PLAIN[name]
        distinct = set(found)
        if distinct == {None}:  # an element no record of the piece has
            columns[term] = [None] * len(found)
            continue
        try:
            table = {raw: read(decoded(raw)) for raw in distinct}
        except UnicodeDecodeError:
            return None
        converted = list(map(table.__getitem__, found))
        if any(value is _DECLINE for value in table.values()):
            for index, value in enumerate(converted):
                if value is _DECLINE:
                    declined[index] = True
                    converted[index] = None
        columns[term] = converted
    if published is not None:
        times = columns["observed_at"]
        columns["observed_at"] = [published if t is None else t for t in times]
    return DatexBlock(first, columns, declined, piece, plan, published, version)


def _plain(read: Callable[[str], Any]) -> Callable[[str | None], Any]:
    """A reader of plain text that declines a present element it maps to nothing."""

    def plain(text: str | None) -> Any:
        if text is None:
            return None
        value = read(text)
        return _DECLINE if value is None else value

    return plain


def _head_times(plan: SplitPlan) -> tuple[int, Any]:
    """How many payload publication times the head holds, and the time records inherit."""
    times = [el for el in plan.head_root.iter("{*}publicationTime") if _payload_time(el)]
    return len(times), _time(times[-1].text) if times else None


def _piece_records(root: Any, plan: SplitPlan, head_times: int) -> list[Any]:
    """The status records of one piece, after checking the piece reads as the file would."""
    records, times = [], 0
    for element in root.iter("{*}parkingRecordStatus", "{*}parkingRecord", "{*}publicationTime"):
        name = _local(element.tag)
        if name == "parkingRecordStatus":
            records.append(element)
        elif name == "parkingRecord":
            raise SplitFailed("a site among the status records")
        elif _payload_time(element):
            times += 1
    if times != head_times:
        raise SplitFailed("a publication time among the records")
    parent = records[0].getparent() if records else None
    if parent is not None and (
        sum(1 for _ in parent.iterancestors()) + 1 != plan.depth
        or any(element.getparent() is not parent for element in records)
    ):
        raise SplitFailed("records under different parents")
    return records


def _deferred(element: Any) -> DeferredText:
    return DeferredText(lambda: etree.tostring(element, encoding="unicode", with_tail=False))


def _payload_time(element: Any) -> bool:
    """A publicationTime of the payload itself, not of some element nested in a record."""
    parent = element.getparent()
    return bool(parent.getparent() is None or _local(parent.tag) in _PAYLOADS)


def _local(tag: Any) -> str:
    # Same as etree.QName(tag).localname, without building an object per element; comments
    # and processing instructions (non-str tags) get "".
    return tag[tag.rfind("}") + 1 :] if isinstance(tag, str) else ""


class _Replay:
    """Hands iterparse the sniffed head again, then the rest of the stream, noting the end.

    libxml2 reports a syntax error while the chunk holding it is fed, so an error raised only
    once the stream is exhausted means the document stopped early: a truncation.
    """

    def __init__(self, head: list[bytes], stream: BinaryIO) -> None:
        self._head, self._stream, self.eof = head, stream, False

    def read(self, size: int = -1) -> bytes:
        chunk = self._head.pop(0) if self._head else self._stream.read(max(size, _CHUNK))
        self.eof = self.eof or not chunk
        return chunk

    def error(self, exc: etree.XMLSyntaxError) -> DatexFormatError:
        msg = _LXML_WHERE.sub("", str(exc.msg or exc))
        truncated = self.eof or "Premature end" in msg
        kind = "truncated XML" if truncated else "malformed XML"
        return DatexFormatError(f"{kind} at line {exc.lineno}: {msg}")


def _sniff(stream: BinaryIO) -> tuple[list[bytes], int, bool]:
    """Pull-parse the head up to the publication element: (chunks read, version, is-parking).

    A separate unfiltered parser is needed because the fast main parser only reports record
    tags and could not tell a foreign root from an empty publication until the very end.
    """
    parser = etree.XMLPullParser(events=("start",), **_PARSER_OPTIONS)
    chunks: list[bytes] = []
    replay, size, version = _Replay([], stream), 0, 0
    while size < _SNIFF_LIMIT:
        chunk = replay.read(_CHUNK)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        try:
            parser.feed(chunk)
        except etree.XMLSyntaxError as exc:
            raise replay.error(exc) from None
        for _, el in parser.read_events():
            version, publication = _classify(el, version)
            if publication is not None:
                return chunks, version, publication
    if not b"".join(chunks).strip():
        raise DatexFormatError("empty stream: there is no XML content to read")
    if version == 0:
        try:
            parser.close()
        except etree.XMLSyntaxError as exc:
            raise replay.error(exc) from None
        raise DatexFormatError("not XML: no root element found")
    return chunks, version, False  # no publication element seen in the head: judge by content


def _classify(el: Any, version: int) -> tuple[int, bool | None]:
    """Check one start tag of the head: (version, is-parking or None while undecided)."""
    name, ns = _local(el.tag), etree.QName(el).namespace or ""
    if version == 0:  # the root element
        v3_root = name in ("payload", "messageContainer") or name.endswith("Publication")
        if name != "d2LogicalModel" and not ("datex2.eu/schema" in ns and v3_root):
            raise DatexFormatError(
                f"not DATEX II: the root element is <{name}>{f' in {ns}' if ns else ''}, "
                "not d2LogicalModel, payload or messageContainer in a datex2.eu namespace"
            )
        version = 3 if "/schema/3/" in ns else 2
        if name in ("d2LogicalModel", "messageContainer"):
            return version, None
    elif name not in _PAYLOADS:
        return version, None
    declared = el.get(_XSI_TYPE) or (name if name.endswith("Publication") else "")
    declared = declared.rpartition(":")[2]
    # GenericPublication (Gent's v2 form) is judged by the extension it carries.
    if declared and declared.lower() not in {*_PARKING_PUBLICATIONS, "genericpublication"}:
        raise DatexFormatError(
            f"not a parking publication: the DATEX II payload is a {declared}, not a "
            "ParkingTablePublication or ParkingStatusPublication"
        )
    return version, declared.lower() in _PARKING_PUBLICATIONS


def _items(source: _Replay, version: int, parking_known: bool) -> Iterator[DatexItem]:
    position, seen_parking, published = 0, parking_known, None
    context = etree.iterparse(source, events=("end",), tag=_TAGS, **_PARSER_OPTIONS)
    try:
        for _, el in context:
            name = _local(el.tag)
            if name in ("parkingRecord", "parkingRecordStatus"):
                position += 1
                site = name == "parkingRecord"
                values, problems = _site(el) if site else _observation(el, published)
                raw = etree.tostring(el, encoding="unicode", with_tail=False)
                yield DatexItem(position, _KINDS[site], values, raw, problems, version)
                _forget(el)
            elif name == "publicationTime":  # the payload's own, not some nested element's
                if _payload_time(el):
                    published = _time(el.text)
            else:
                seen_parking = True
    except etree.XMLSyntaxError as exc:
        raise source.error(exc) from None
    if position == 0 and not seen_parking:
        raise DatexFormatError(
            "not a parking publication: the DATEX II document holds no "
            "parkingTable, parkingRecord or parkingRecordStatus"
        )


def _forget(el: Any) -> None:
    """Drop a processed record and its earlier siblings so the tree never grows."""
    el.clear(keep_tail=False)
    parent = el.getparent()
    while el.getprevious() is not None:
        del parent[0]


def _observation(el: Any, published: Any) -> tuple[dict[str, Any], list[str]]:
    """Map one parkingRecordStatus. This is the hot loop of a 100k-record status file, hence
    the per-tag cache and the few branches; only direct children and the ParkingOccupancy
    container are read, so group or space statuses nested in the record never leak in."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    nodes = list(el)
    for node in nodes:
        key, read = _STATUS_BY_TAG.get(node.tag) or _status_term(node.tag)
        if read is None:
            continue
        if key == "occupancy" and (len(node) or node.text is None):
            nodes.extend(node)  # the ParkingOccupancy container shares its percent's name
        elif key == "site":
            site = (node.get("id") or "").strip()
            if site:
                values["site"] = site
        elif type(read) is dict:  # an enumeration: map it, or note the odd value
            values[key] = read.get(node.text) or _enum(node, read, problems)
        else:
            values[key] = read(node.text)
    if "site" not in values:
        problems.append("no parkingRecordReference id")
    if "observed_at" not in values and published is not None:
        values["observed_at"] = published
    return values, problems


def _status_term(tag: Any) -> tuple[str, Any]:
    """Look a status child's tag up by local name once and remember it (bounded cache)."""
    term = _STATUS_TERMS.get(_local(tag), ("", None))
    if len(_STATUS_BY_TAG) < 1024:
        _STATUS_BY_TAG[tag] = term
    return term


def _site(record: Any) -> tuple[dict[str, Any], list[str]]:
    """Map one parkingRecord (v2/v3), or Gent's parkingRecord wrapping a parkingSite."""
    body = next((c for c in record if _local(c.tag) == "parkingSite"), record)
    site_id = (body.get("id") or record.get("id") or "").strip()
    values: dict[str, Any] = dict.fromkeys(("id", "name", "type", "description"))
    values["id"] = site_id or None
    problems = [] if site_id else ["no parkingRecord id"]
    types: list[str] = []
    for child in body:
        name = _local(child.tag)
        if name in ("parkingName", "name"):
            values["name"] = _multilingual(child)
        elif name in ("parkingDescription", "description"):
            values["description"] = _multilingual(child)
        elif name == "parkingNumberOfSpaces":
            values["capacity"] = _int(child.text)
        elif name == "parkingLocation":
            _coordinates(child, values)
        elif name == "operator":
            values["operator"] = _operator(child)
        elif name in _TYPE_ELEMENTS:
            types.extend(_site_types(name, child, problems))
    if types:
        values["type"] = min(types, key=_TYPE_RANK.index)
    return values, problems


def _site_types(name: str, el: Any, problems: list[str]) -> list[str]:
    """Canonical type candidates from one type-bearing element (usage scenarios nest)."""
    found = []
    for node in el.iter():
        text = (node.text or "").strip()
        if not text or len(node):
            continue
        if name == "parkingUsageScenario":
            found.extend(["parkAndRide"] if text == "parkAndRide" else [])
        elif text in _TYPE:
            found.append(_TYPE[text])
        else:
            problems.append(f"{name} {text!r} is not a known DATEX II value; read as 'other'")
            found.append("other")
    return found


def _multilingual(el: Any) -> str | None:
    """First value of a MultilingualString, Dutch preferred; plain text as a fallback."""
    first = None
    for value in el.iter("{*}value"):
        text = (value.text or "").strip()
        if text and (value.get("lang") or "").lower().startswith("nl"):
            return text
        first = first or text or None
    return first or (el.text or "").strip() or None


def _coordinates(location: Any, values: dict[str, Any]) -> None:
    for point in location.iter("{*}pointCoordinates", "{*}locationForDisplay"):
        for child in point:
            name = _local(child.tag)
            if name in ("latitude", "longitude"):
                values[name] = _float(child.text)
        return


def _operator(el: Any) -> str | None:
    """An operator's name: the organisation or contact name of its contact details."""
    for tag in ("{*}contactOrganisationName", "{*}organisationName", "{*}contactName", "{*}name"):
        for found in el.iter(tag):
            text = _multilingual(found)
            if text:
                return text
    return (el.text or "").strip() or None


def _enum(el: Any, table: dict[str, str], problems: list[str]) -> str | None:
    """The slow path of an enumeration: blank (None), padded, _extended or unknown values."""
    name = _local(el.tag)
    text = (el.text or "").strip()
    if not text:
        return None
    if text == "_extended":  # v3 extension value, carried in an attribute
        text = el.get("_extendedValue") or text
    canonical = table.get(text)
    if canonical is None:
        problems.append(f"{name} {text!r} is not a DATEX II value; read as 'unknown'")
    return canonical or "unknown"


def _int(text: str | None) -> int | float | str | None:
    """A count: plain ASCII digits are the hot path; anything else takes the careful one."""
    if text and text.isdigit() and text.isascii():  # the usual case, without the checks
        return int(text)
    return _number(text, int)


def _float(text: str | None) -> int | float | str | None:
    return _number(text, float)


def _text(text: str | None) -> str | None:
    return (text or "").strip() or None


def _number(text: str | None, cast: type[int] | type[float]) -> int | float | str | None:
    """A finite int/float as written in XML Schema, else the text as found (None when empty)."""
    raw = (text or "").strip()
    try:  # isascii/"_" keep out what Python reads but xs:int/xs:double do not ("1_0", "٣")
        number = cast(raw) if raw.isascii() and "_" not in raw else None
    except ValueError:
        number = None
    return number if number is not None and math.isfinite(number) else raw or None


@lru_cache(maxsize=4096)
def _time(text: str | None) -> datetime | str | None:
    """ISO 8601: aware with an offset, naive without one (never guess a zone), else raw.

    Cached: a status file repeats the same few observation times for site after site.
    """
    raw = (text or "").strip()
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw[:-1] + "+00:00" if raw[-1] in "zZ" else raw)
    except ValueError:
        return raw


# Status children by local name: (canonical key, reader). Last, because it names the readers.
_STATUS_TERMS: dict[str, tuple[str, Any]] = {
    "parkingRecordReference": ("site", str),
    "parkingStatusOriginTime": ("observed_at", _time),
    "parkingNumberOfVacantSpaces": ("vacant", _int),
    "parkingNumberOfOccupiedSpaces": ("occupied", _int),
    "parkingOccupancy": ("occupancy", _float),
    "parkingOccupancyTrend": ("trend", _text),
    "parkingSiteStatus": ("status", _STATUS),
    "parkingSiteOpeningStatus": ("opening_status", _OPENING),
}
_STATUS_BY_TAG: dict[Any, tuple[str, Any]] = {}

# Each captured field's canonical term and plain reading, by :data:`datex2_regular.FIELDS` name:
# the readers of :data:`_STATUS_TERMS`, declining what only :func:`_observation` handles.
_PLAIN: dict[str, tuple[str, Callable[[str | None], Any]]] = {
    "site": ("site", _plain(_text)),
    "time": ("observed_at", _plain(_time)),
    "vacant": ("vacant", _plain(_int)),
    "occupied": ("occupied", _plain(_int)),
    "percent": ("occupancy", _plain(_float)),
    "trend": ("trend", _plain(_text)),
    "status": ("status", _plain(_STATUS.get)),
    "opening": ("opening_status", _plain(_OPENING.get)),
}
