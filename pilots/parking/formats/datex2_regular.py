"""DATEX II status records in their plain, common form, read without building an XML tree.

Why: a status file of 100k records spends about 15 µs a record in libxml2's tree and in lxml's
element objects, more than everything else ingestion does with it. Nearly every supplier writes
each record the same plain way, though: the elements in schema order, one prefix, attributes in
double quotes, text without markup. That form is a regular language, so one compiled pattern
reads a whole piece of the file (:mod:`.datex2_split`) record after record.

The pattern is a strict subset of XML on purpose. It admits only elements (no comments, CDATA,
processing instructions, entity or character references), double-quoted attribute values of
printable ASCII, and text without ``<``, ``>``, ``&``, carriage returns or control characters,
with XML's own whitespace between tags; what it matches is therefore well-formed, and its text
is exactly what a parser would report (no entities to expand, no line ends to normalise). The
prefix must be declared where the records are, and the file must be UTF-8. A piece is read this
way only when *all* of it matches (the last piece: up to the head's end tags); otherwise the
caller parses it with lxml, which reads every other form and reports every damage.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pilots.parking.formats.datex2_split import SplitPlan

_WS = rb"[ \t\n\r]"  # XML's whitespace (``\s`` would also admit form feeds, which XML forbids)
# Attribute values the records carry but the mapping ignores: printable ASCII without " & <.
_PLAIN_VALUE = rb'"[\x20\x21\x23-\x25\x27-\x3b\x3d-\x7e]*"'
# Text and captured attribute values: no markup, no references, no CR (a parser turns CR LF
# into LF), no control character but tab and line feed. Non-ASCII is checked when decoded.
_TEXT = rb"[^<>&\r\x00-\x08\x0b\x0c\x0e-\x1f]*+"
_ID = rb'"(?P<site>[^"<>&\x00-\x1f]*+)"'  # tab/LF would be normalised to spaces in an attribute

#: The captured values of a record, in this order (``None``: the element is absent).
FIELDS = ("site", "time", "vacant", "occupied", "percent", "trend", "status", "opening")
_UTF8_DECLARATION = re.compile(rb"""^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding=["']([\w.-]+)["']""")


@dataclass
class RegularPiece:
    """The records of one piece read by the pattern: their captured bytes, field by field."""

    data: bytes
    last: bool  # the file's last piece (it ends with the file's own end tags)
    columns: list[list[bytes | None]]  # per field of :data:`FIELDS`, one value per record
    pattern: re.Pattern[bytes]
    _spans: list[tuple[int, int]] | None = None

    def __len__(self) -> int:
        return len(self.columns[0])

    def record_bytes(self, index: int) -> bytes:
        """Record ``index`` as it is in the file (found again when first asked: rarely)."""
        if self._spans is None:
            self._spans = [match.span() for match in self.pattern.finditer(self.data)]
        start, end = self._spans[index]
        return self.data[start:end]


def regular_reader(plan: SplitPlan) -> Callable[[bytes, bool], RegularPiece | None] | None:
    """A reader of pieces for files planned like ``plan``, or None when none can apply."""
    if not _utf8(plan.head):
        return None
    prefix = plan.prefix[:-1].decode("ascii", "replace") if plan.prefix else None
    if prefix is not None and prefix not in plan.namespaces:
        return None  # an undeclared prefix is a namespace error the parser must report
    record = re.compile(_record_pattern(plan.prefix, "xsi" in plan.namespaces))
    tail = re.compile(_tail_pattern(plan.closers))

    def read(piece: bytes, last: bool) -> RegularPiece | None:
        # split() hands back what lies between the records and each record's groups: the
        # piece is plain when nothing but whitespace (before the first) and, in the last
        # piece, the end tags (after the last) lie outside the records.
        parts = record.split(piece)
        width = len(FIELDS) + 1
        if len(parts) < width or parts[0].strip(b" \t\n\r") or any(parts[width:-1:width]):
            return None
        end = parts[-1]
        if end and not (last and tail.fullmatch(end)):
            return None
        columns = [parts[field::width] for field in range(1, width)]
        return RegularPiece(piece, last, columns, record)

    return read


def _utf8(head: bytes) -> bool:
    """Whether the file is UTF-8: declared so, or undeclared without a UTF-16 byte order mark."""
    if head.startswith((b"\xfe\xff", b"\xff\xfe")):
        return False
    declared = _UTF8_DECLARATION.match(head)
    return declared is None or declared.group(1).lower() in (b"utf-8", b"utf8")


def _record_pattern(prefix: bytes, xsi: bool) -> bytes:
    """One parkingRecordStatus with the children the mapping reads, in DATEX II schema order."""
    p = re.escape(prefix)
    ws = _WS

    def leaf(name: bytes, group: str) -> bytes:
        tag = p + name
        return (
            rb"(?:" + ws + rb"*+<" + tag + ws + rb"*+>(?P<" + group.encode() + rb">" + _TEXT
            + rb")</" + tag + ws + rb"*+>)?"
        )

    def attribute(name: bytes, value: bytes = _PLAIN_VALUE) -> bytes:
        return ws + rb"++" + name + ws + rb"*+=" + ws + rb"*+" + value

    record_type = rb"(?:" + attribute(b"xsi:type") + rb")?" if xsi else b""
    reference = (
        ws + rb"*+<" + p + rb"parkingRecordReference"
        + rb"(?:" + attribute(b"targetClass") + rb")?" + attribute(b"id", _ID)
        + rb"(?:" + attribute(b"version") + rb")?" + ws + rb"*+"
        + rb"(?:/>|>" + ws + rb"*+</" + p + rb"parkingRecordReference" + ws + rb"*+>)"
    )
    # At least one child: a parser keeps the blank text of an otherwise empty element, which
    # the mapping would then read as the percentage itself.
    children = rb"parking(?:NumberOf(?:Vacant|Occupied)Spaces|Occupancy)"
    first_child = rb"(?=" + ws + rb"*+<" + p + children + ws + rb"*+>)"
    occupancy = (
        rb"(?:" + ws + rb"*+<" + p + rb"parkingOccupancy" + ws + rb"*+>" + first_child
        + leaf(b"parkingNumberOfVacantSpaces", "vacant")
        + leaf(b"parkingNumberOfOccupiedSpaces", "occupied")
        + leaf(b"parkingOccupancy", "percent")
        + ws + rb"*+</" + p + rb"parkingOccupancy" + ws + rb"*+>)?"
    )
    return (
        rb"<" + p + rb"parkingRecordStatus" + record_type + ws + rb"*+>"
        + reference
        + leaf(b"parkingStatusOriginTime", "time")
        + occupancy
        + leaf(b"parkingOccupancyTrend", "trend")
        + leaf(b"parkingSiteStatus", "status")
        + leaf(b"parkingSiteOpeningStatus", "opening")
        + ws + rb"*+</" + p + rb"parkingRecordStatus" + ws + rb"*+>" + ws + rb"*+"
    )


def _tail_pattern(closers: bytes) -> bytes:
    """The end of the file after the last record: the head's end tags, whitespace between."""
    names = re.findall(rb"</([^>]+)>", closers)
    closing = b"".join(_WS + rb"*+</" + re.escape(name) + _WS + rb"*+>" for name in names)
    return closing + _WS + rb"*+"


def decoded(value: bytes | None) -> Any:
    """A captured value as text (None stays None); raises UnicodeDecodeError on bad UTF-8.

    U+FFFE and U+FFFF are valid UTF-8 but not XML characters: the parser must judge those.
    """
    if value is None:
        return None
    text = value.decode("utf-8")
    if "\ufffe" in text or "\uffff" in text:
        raise UnicodeDecodeError("utf-8", value, 0, len(value), "not an XML character")
    return text
