"""``/collections/{collectionId}/download``: the whole collection as FlatGeobuf or GeoParquet.

The file is written to a temporary directory (see :mod:`api.downloads`), hashed for its ETag,
unlinked, and streamed from the still open handle, so neither the rows nor the file are ever
held in memory and nothing is left on disk whether or not the client reads to the end.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from api.cache_policy import max_age
from api.dependencies import CollectionDep, EngineDep, SettingsDep
from api.downloads import DOWNLOAD_FORMATS, SUFFIXES, write_download
from api.formats import negotiate
from api.responses import problem_responses
from core.errors import InvalidParameter

#: Bytes read (for the hash) and sent at a time.
BLOCK = 1 << 20
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def get_download(
    request: Request, settings: SettingsDep, engine: EngineDep, collection: CollectionDep
) -> StreamingResponse:
    """Every feature of the collection, as it is now, in one file."""
    for key, _ in request.query_params.multi_items():
        if key != "f":
            raise InvalidParameter(key, "unknown query parameter; this endpoint takes f")
    if len(request.query_params.getlist("f")) > 1:
        raise InvalidParameter("f", "given more than once")
    output = negotiate(
        request.query_params.get("f"), request.headers.get("accept"), DOWNLOAD_FORMATS
    )
    with tempfile.TemporaryDirectory(prefix="stadspuls-download-") as directory:
        path = Path(directory) / f"download{SUFFIXES[output.key]}"
        write_download(engine, collection, output, path)
        handle = path.open("rb")  # stays readable after the directory is removed
    digest = hashlib.blake2b(digest_size=16)
    for block in iter(lambda: handle.read(BLOCK), b""):
        digest.update(block)
    size = handle.tell()
    handle.seek(0)
    filename = _UNSAFE_FILENAME.sub("_", collection.id) + SUFFIXES[output.key]
    headers = {
        "ETag": f'W/"{digest.hexdigest()}"',
        "Content-Length": str(size),
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": f"public, max-age={max_age(settings, collection)}",
    }
    return StreamingResponse(_blocks(handle), media_type=output.media_type, headers=headers)


def _blocks(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        yield from iter(lambda: handle.read(BLOCK), b"")


def router() -> APIRouter:
    routes = APIRouter(tags=["Data"])
    routes.add_api_route(
        "/collections/{collectionId}/download",
        get_download,
        methods=["GET"],
        summary="The whole collection in one file (bulk download)",
        operation_id="downloadCollection",
        response_class=StreamingResponse,
        responses={
            200: {
                "description": "Every feature of the collection, with the items' properties.",
                "content": {
                    output.media_type: {"schema": {"type": "string", "format": "binary"}}
                    for output in DOWNLOAD_FORMATS
                },
            },
            **problem_responses(400, 404, 406),
        },
        openapi_extra={
            "parameters": [
                {
                    "name": "f",
                    "in": "query",
                    "required": False,
                    "description": "The file format; overrides Accept. Default flatgeobuf.",
                    "schema": {"type": "string", "enum": [f.key for f in DOWNLOAD_FORMATS]},
                }
            ]
        },
    )
    return routes
