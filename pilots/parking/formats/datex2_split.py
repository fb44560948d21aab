"""Parse a large DATEX II status file in pieces on a second thread, exactly as a whole.

Why: a 100k-record status file spends about a third of its ingestion in libxml2. libxml2
releases the GIL while it parses a complete document held in memory, but not while a pull
parser is fed, so the streaming reader keeps one core busy with parsing that the checks and the
writer then wait for. Here the file is cut at record end tags into pieces of a few MB that a
worker thread reads while the caller checks the previous one: a piece of plain records by one
pattern (:mod:`.datex2_regular`), any other piece as a small document again (the original
head up to the first record, the piece, then end tags for the elements the head left open).

Cutting bytes at a tag is only safe when it is a real end tag, so nothing here is trusted:
each piece must parse as well-formed XML (a cut inside a comment, CDATA section or processing
instruction leaves it unterminated), the head must parse on its own and hold no record, and the
caller checks that the records of every piece share one parent at the head's depth (a cut under
a different parent would change the records' context). Whenever any of that fails, the caller
falls back to the sequential reader, which then also reports the damage with its line number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, BinaryIO, TypeVar

from lxml import etree

#: Files below this size are read sequentially: the split only pays off on large files.
SPLIT_ABOVE = 4 * 1024 * 1024
#: Bytes per piece: large enough that re-parsing the head is noise, small enough to overlap.
PIECE_SIZE = 2 * 1024 * 1024

Piece = TypeVar("Piece")

_RECORD_START = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)parkingRecordStatus[\s>/]")


class SplitFailed(Exception):
    """A piece did not parse; the caller reads the file sequentially instead."""


@dataclass(frozen=True)
class SplitPlan:
    """How to turn a piece of the file into a document of its own."""

    head: bytes  # everything before the first record
    closers: bytes  # end tags for the elements the head leaves open, innermost first
    end_tag: bytes  # the records' end tag as the file spells it
    depth: int  # how many elements enclose a record
    head_root: Any  # the head closed by ``closers``, parsed (what it says applies to all pieces)
    prefix: bytes = b""  # the records' namespace prefix as written, with its colon ("prk:")

    @property
    def namespaces(self) -> dict[str | None, str]:
        """The namespace prefixes in scope at the records (those of their parent element, the
        innermost element the head leaves open)."""
        parent = self.head_root
        for _ in range(self.depth - 1):
            parent = parent[-1]
        return dict(parent.nsmap)


def plan_split(head: bytes, parser_options: dict[str, Any]) -> SplitPlan | None:
    """A plan from the file's first bytes, or None when this file is read sequentially.

    ``head`` must reach past the start of the first status record. A document type declaration
    (which can define entities and defaults) always means the sequential reader.
    """
    if b"<!DOCTYPE" in head:
        return None
    match = _RECORD_START.search(head)
    if match is None:
        return None
    prefix = head[: match.start()]
    open_names = _open_elements(prefix, parser_options)
    if not open_names:
        return None
    closers = b"".join(b"</" + name + b">" for name in reversed(open_names))
    try:  # the head must stand on its own (not end inside a comment, say) and hold no record
        root = etree.fromstring(prefix + closers, etree.XMLParser(**parser_options))
    except etree.XMLSyntaxError:
        return None
    if next(root.iter("{*}parkingRecordStatus", "{*}parkingRecord"), None) is not None:
        return None
    end_tag = b"</" + match.group(1) + b"parkingRecordStatus>"
    return SplitPlan(prefix, closers, end_tag, len(open_names), root, match.group(1))


def _open_elements(prefix: bytes, parser_options: dict[str, Any]) -> list[bytes]:
    """Qualified names (as written) of the elements still open at the end of ``prefix``."""
    parser = etree.XMLPullParser(events=("start", "end"), **parser_options)
    stack: list[bytes] = []
    try:
        parser.feed(prefix)
        element: Any
        for event, element in parser.read_events():
            if event == "start":
                local = etree.QName(element).localname
                qualified = f"{element.prefix}:{local}" if element.prefix else local
                stack.append(qualified.encode())
            else:
                stack.pop()
    except (etree.XMLSyntaxError, IndexError):
        return []
    return stack


def read_pieces(
    plan: SplitPlan, rest: bytes, stream: BinaryIO, read: Callable[[bytes, bool], Piece]
) -> Iterator[Piece]:
    """Each piece as ``read(piece, last)`` makes it, in file order, one piece ahead on a thread.

    ``rest`` is what was read after the head; the remainder comes from ``stream``. A piece is
    the file's bytes from one record start to just after a record end tag (the last piece runs
    to the end of the file); :func:`parse_piece` turns one into a parsed document.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="datex2-parse") as pool:
        pending: list[Future[Piece]] = []
        try:
            for piece, last in _pieces(plan, rest, stream):
                pending.append(pool.submit(read, piece, last))
                if len(pending) > 1:
                    yield pending.pop(0).result()
            while pending:
                yield pending.pop(0).result()
        finally:
            for future in pending:
                future.cancel()


def parse_piece(
    plan: SplitPlan, piece: bytes, last: bool, parser_options: dict[str, Any]
) -> Any:
    """The root of the piece made a document again: the head, the piece, the head's end tags
    (the last piece brings the file's own). Raises SplitFailed when it does not parse."""
    document = plan.head + piece + (b"" if last else plan.closers)
    try:  # a parser per call: lxml frees the GIL only for a parser used by one thread
        return etree.fromstring(document, etree.XMLParser(**parser_options))
    except etree.XMLSyntaxError as error:
        raise SplitFailed(str(error)) from None


def _pieces(plan: SplitPlan, rest: bytes, stream: BinaryIO) -> Iterator[tuple[bytes, bool]]:
    """Pieces cut after a record end tag, and whether it is the last (the file's tail)."""
    buffer = rest
    while True:
        block = stream.read(PIECE_SIZE)
        if not block:
            break
        buffer += block
        if len(buffer) < PIECE_SIZE:
            continue
        cut = buffer.rfind(plan.end_tag)
        if cut < 0:
            continue
        cut += len(plan.end_tag)
        yield buffer[:cut], False
        buffer = buffer[cut:]
    yield buffer, True
