"""Quarantine: where every rejected raw record lands, with all its reasons, never dropped.

The id is a digest of source, origin, position and content, so re-ingesting the same file does
not quarantine the same record twice, while a changed record at the same place is kept too.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlalchemy.engine import Connection
from sqlmodel import Field, SQLModel

from core.ingest.envelope import DeferredText, Problem, RawRecord
from core.storage import table_of, upsert
from core.types import JsonColumnType, Timestamp

#: Marks raw content kept as Base64 because it is not storable text.
BASE64_PREFIX = "base64:"
#: Rule id of the privacy screen (:mod:`core.privacy`); its records are stored redacted.
PERSONAL_DATA_RULE = "core.personal-data"


class QuarantineRecord(SQLModel, table=True):
    """A raw record that did not become harmonised data, and why."""

    __tablename__ = "quarantine"

    id: str = Field(primary_key=True, max_length=64)
    pilot: str = Field(index=True)
    source: str = Field(index=True)
    format: str
    origin: str
    position: int | None = None
    received_at: datetime = Field(sa_column=Column(Timestamp, nullable=False, index=True))
    raw: str
    reasons: list[dict[str, Any]] = Field(sa_column=Column(JsonColumnType, nullable=False))
    rules: str = Field(description="space-separated rule ids, for filtering")
    resolved_at: datetime | None = Field(
        default=None, sa_column=Column(Timestamp, nullable=True),
        description="when a replay stored the record after a fix; kept for the record",
    )
    replayed_at: datetime | None = Field(
        default=None, sa_column=Column(Timestamp, nullable=True),
        description="when the record was last run through the pipeline again",
    )


def render_raw(content: Any) -> str:
    """The raw content as text: JSON for decoded objects, the text itself otherwise.

    Bytes that are not UTF-8 text, and text with NUL characters (which PostgreSQL text cannot
    hold), are kept exactly, as ``base64:`` followed by their Base64 encoding.
    """
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            return BASE64_PREFIX + base64.b64encode(content).decode("ascii")
    elif isinstance(content, str):
        text = content
    elif isinstance(content, DeferredText):
        text = str(content)
    else:
        text = json.dumps(content, ensure_ascii=False, default=str)
    if "\x00" in text:
        return BASE64_PREFIX + base64.b64encode(text.encode("utf-8")).decode("ascii")
    return text


def quarantine_row(
    pilot: str, format_id: str, raw: RawRecord, problems: list[Problem]
) -> dict[str, Any]:
    text = render_raw(raw.content)
    digest = hashlib.sha256(
        f"{raw.source}\x1f{raw.origin}\x1f{raw.position}\x1f{text}".encode()
    ).hexdigest()
    if any(problem.rule == PERSONAL_DATA_RULE for problem in problems):
        content_digest = hashlib.sha256(text.encode()).hexdigest()
        text = f"(not kept: personal data; sha256 of the content {content_digest})"
    return {
        "id": digest,
        "pilot": pilot,
        "source": raw.source,
        "format": format_id,
        "origin": raw.origin,
        "position": raw.position,
        "received_at": raw.received_at,
        "raw": text,
        "reasons": [problem.as_dict() for problem in problems],
        "rules": " ".join(sorted({problem.rule for problem in problems})),
    }


def store_quarantine(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Write quarantine rows; a row already there (same digest) is kept as it was."""
    if rows:
        upsert(conn, table_of(QuarantineRecord), rows, mode="ignore")
