"""Request bodies streamed to disk with a size limit: multipart file uploads and raw bodies.

A supplier's file can be hundreds of megabytes: it is written to disk as it arrives, never held
in memory, and the request is refused (413) as soon as it passes the limit, instead of after the
whole body was read. A ``Content-Length`` over the limit is refused before reading anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from fastapi import Request
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from core.errors import InvalidParameter, TooLarge, UnsupportedMediaType

FILE_FIELD = "file"


@dataclass
class _Part:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    field_name: str | None = None
    filename: str | None = None


class _FilePartWriter:
    """Parser callbacks that write the ``file`` part to ``target`` and ignore other parts."""

    def __init__(self, target: BinaryIO) -> None:
        self.target = target
        self.filename: str | None = None
        self.found = False
        self._part = _Part()
        self._header_field = b""
        self._header_value = b""

    def on_part_begin(self) -> None:
        self._part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._part.headers[self._header_field.lower()] = self._header_value
        self._header_field = self._header_value = b""

    def on_headers_finished(self) -> None:
        disposition = self._part.headers.get(b"content-disposition", b"")
        _kind, options = parse_options_header(disposition)
        name = options.get(b"name")
        filename = options.get(b"filename")
        self._part.field_name = name.decode("utf-8", "replace") if name else None
        self._part.filename = filename.decode("utf-8", "replace") if filename else None
        if self._part.field_name == FILE_FIELD and not self.found:
            self.found = True
            self.filename = self._part.filename

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._part.field_name == FILE_FIELD and self.filename == self._part.filename:
            self.target.write(data[start:end])

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
        }


def refuse_declared_size(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"the body of {int(declared):,} bytes exceeds the limit of {limit:,} bytes")


async def receive_file(request: Request, target: Path, limit: int) -> str | None:
    """Stream the ``file`` part of a multipart/form-data body to ``target``; its file name.

    ``limit`` bounds the whole body (the file and the form around it).
    """
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data":
        raise UnsupportedMediaType(
            "upload the file as multipart/form-data with a part named 'file'"
        )
    boundary = options.get(b"boundary")
    if not boundary:
        raise UnsupportedMediaType("the multipart/form-data body has no boundary")
    refuse_declared_size(request, limit)
    received = 0
    with target.open("wb") as out:
        writer = _FilePartWriter(out)
        parser = MultipartParser(boundary, writer.callbacks())  # type: ignore[arg-type]
        try:
            async for chunk in request.stream():
                received += len(chunk)
                if received > limit:
                    raise TooLarge(f"the upload exceeds the limit of {limit:,} bytes")
                parser.write(chunk)
            parser.finalize()
        except MultipartParseError as error:
            detail = f"the multipart body is malformed: {error}"
            raise InvalidParameter(FILE_FIELD, detail) from None
    if not writer.found:
        raise InvalidParameter(FILE_FIELD, "the form has no part named 'file'")
    return writer.filename


async def receive_body(request: Request, target: Path, limit: int) -> int:
    """Stream a raw request body to ``target``; its size in bytes."""
    refuse_declared_size(request, limit)
    received = 0
    with target.open("wb") as out:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise TooLarge(f"the body exceeds the limit of {limit:,} bytes")
            out.write(chunk)
    return received
