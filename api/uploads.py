"""A request body to a temporary file, with the size limit enforced while it streams in.

Two ways to send a file, both streamed to disk chunk by chunk, never held in memory:

* ``multipart/form-data`` (the HTML form, ``curl -F file=@data.json``): the part named ``file``
  is the file; a few short text parts may carry the parameters (``pilot``, ``format``, ...).
* any other content type: the body is the file itself (``curl --data-binary @data.json``, which
  sends ``application/x-www-form-urlencoded`` unless told otherwise, so that is a file too).

Past ``limit`` bytes of file content, reading stops and :class:`UploadTooLarge` is raised; a
``Content-Length`` that announces more than the limit allows is refused before reading at all.
A multipart body that breaks off before its closing boundary is :class:`MalformedUpload`: the
request was cut, not the supplier's file (a truncated *file* gets a report, not an error).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from core.errors import InvalidParameter, TooLarge
from core.intake.names import safe_filename

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

#: What a multipart body may carry besides the file: boundaries, part headers, short fields.
MULTIPART_ALLOWANCE = 64 * 1024
MAX_FIELD_BYTES = 1024
MAX_FIELDS = 16
FILE_FIELD = "file"


class UploadTooLarge(TooLarge):
    """The body carries more than the configured limit (413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the upload is larger than the limit of {limit:,} bytes")
        self.limit = limit


class MalformedUpload(InvalidParameter):
    """The request body is not a usable upload; ``parameter`` names the part at fault (400)."""

    def __init__(self, detail: str, parameter: str = FILE_FIELD) -> None:
        super().__init__(parameter, detail)
        self.args = (detail,)


@dataclass
class Upload:
    """The received file (``path``, under its sender's name when known) and text fields."""

    path: Path
    filename: str | None
    fields: dict[str, str] = field(default_factory=dict)


async def receive_upload(
    request: Request, directory: Path, limit: int, raw_name: str | None = None
) -> Upload:
    """Stream the body into ``directory``; raises UploadTooLarge or MalformedUpload."""
    content_type, options = parse_options_header(request.headers.get("content-type"))
    multipart = content_type == b"multipart/form-data"
    _refuse_announced_size(request, limit + (MULTIPART_ALLOWANCE if multipart else 0), limit)
    if multipart:
        boundary = options.get(b"boundary")
        if not boundary:
            raise MalformedUpload("the multipart/form-data body names no boundary")
        return await _receive_multipart(request, directory, limit, boundary)
    name = safe_filename(raw_name or _disposition_filename(request))
    path = directory / name
    with path.open("wb") as sink:
        await _copy(request, sink, limit)
    return Upload(path, name)


def _refuse_announced_size(request: Request, allowed: int, limit: int) -> None:
    announced = request.headers.get("content-length")
    if announced is not None and announced.isdigit() and int(announced) > allowed:
        raise UploadTooLarge(limit)


async def _copy(request: Request, sink: BinaryIO, limit: int) -> None:
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise UploadTooLarge(limit)
        sink.write(chunk)


def _disposition_filename(request: Request) -> str | None:
    _, options = parse_options_header(request.headers.get("content-disposition"))
    name = options.get(b"filename")
    return name.decode("utf-8", errors="replace") if name else None


async def _receive_multipart(
    request: Request, directory: Path, limit: int, boundary: bytes
) -> Upload:
    collector = _PartCollector(directory, limit)
    parser = MultipartParser(boundary, collector.callbacks())
    try:
        try:
            async for chunk in request.stream():
                collector.received += len(chunk)
                if collector.received > limit + MULTIPART_ALLOWANCE:
                    raise UploadTooLarge(limit)
                parser.write(chunk)
            parser.finalize()
        except FormParserError as error:
            raise MalformedUpload(f"the multipart/form-data body is malformed: {error}") from None
    finally:
        collector.close()
    return collector.upload()


class _PartCollector:
    """The parser's callbacks: the ``file`` part to disk, short text parts to ``fields``."""

    def __init__(self, directory: Path, limit: int) -> None:
        self.directory = directory
        self.limit = limit
        self.received = 0
        self.fields: dict[str, str] = {}
        self.file: Upload | None = None
        self.ended = False
        self._sink: BinaryIO | None = None
        self._file_size = 0
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._field: tuple[str, bytearray] | None = None

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value_data,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def upload(self) -> Upload:
        if not self.ended:
            raise MalformedUpload(
                "the multipart/form-data body ends before its closing boundary; the upload was "
                "cut off"
            )
        if self.file is None:
            raise MalformedUpload(f"the multipart/form-data body has no part named '{FILE_FIELD}'")
        self.file.fields = self.fields
        return self.file

    def close(self) -> None:
        if self._sink is not None:
            self._sink.close()
            self._sink = None

    def _part_begin(self) -> None:
        self._headers = {}
        self._header_name = self._header_value = b""

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_name.strip().lower()] = self._header_value.strip()
        self._header_name = self._header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition"))
        name = options.get(b"name", b"").decode("utf-8", errors="replace")
        if name == FILE_FIELD:
            if self.file is not None:
                raise MalformedUpload("send one file per request")
            filename = options.get(b"filename")
            safe = safe_filename(filename.decode("utf-8", errors="replace") if filename else None)
            self.file = Upload(self.directory / safe, safe)
            self._sink = self.file.path.open("wb")
            return
        if b"filename" in options:
            raise MalformedUpload(f"the file must be the part named '{FILE_FIELD}', not '{name}'")
        if len(self.fields) >= MAX_FIELDS:
            raise MalformedUpload(f"more than {MAX_FIELDS} form fields", parameter=name)
        self._field = (name, bytearray())

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._sink is not None:
            self._file_size += end - start
            if self._file_size > self.limit:
                raise UploadTooLarge(self.limit)
            self._sink.write(data[start:end])
        elif self._field is not None:
            name, value = self._field
            value += data[start:end]
            if len(value) > MAX_FIELD_BYTES:
                raise MalformedUpload(f"the form field '{name}' is too long", parameter=name)

    def _part_end(self) -> None:
        self.close()
        if self._field is not None:
            name, value = self._field
            self.fields[name] = value.decode("utf-8", errors="replace").strip()
            self._field = None

    def _end(self) -> None:
        self.ended = True
