"""Messages (MQTT, HTTP push) into the pipeline: route by topic to a source, decode, ingest.

What cannot even reach an adapter is quarantined here with its reason: a topic no source
claims, an oversized payload, bytes that are not UTF-8, text that is not JSON. Everything else
goes through the same pipeline as files, grouped per source, so a batch of messages is stored
with one upsert per entity and a redelivered message changes nothing.

:meth:`MessageRouter.check_batch` is the dry run of the same path: the supplier's feed check
(``stadspuls validate-feed``) uses it with ``keep_reports`` and never commits, so a live feed
is judged by exactly the checks the ingest worker applies.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Engine

from core.ingest.activity import record_activity
from core.ingest.envelope import Problem, RawRecord, ReadContext
from core.ingest.fastjson import UNDECIDED as _UNDECIDED
from core.ingest.fastjson import fast_json
from core.ingest.pipeline import Checked, IngestSummary, Pipeline, RecordReport
from core.ingest.quarantine import quarantine_row, store_quarantine
from core.pilot import Registry
from core.sources import Source, source_for_topic

DEFAULT_MAX_PAYLOAD = 256 * 1024


class IncomingMessage(Protocol):
    """What the router needs of a message (the MQTT consumer's Message has more)."""

    @property
    def topic(self) -> str: ...

    @property
    def payload(self) -> bytes: ...

    @property
    def received_at(self) -> datetime: ...


@dataclass
class SourceCounters:
    accepted: int = 0
    quarantined: int = 0


@dataclass
class RouterStats:
    """Per-source counts of accepted and quarantined messages since the router started."""

    by_source: dict[str, SourceCounters] = field(default_factory=dict)
    reasons: Counter[str] = field(default_factory=Counter)

    def count(self, source: str, accepted: int = 0, quarantined: int = 0) -> None:
        counters = self.by_source.setdefault(source, SourceCounters())
        counters.accepted += accepted
        counters.quarantined += quarantined


@dataclass
class CheckedBatch:
    """A checked batch of messages, nothing written yet: what its commit would store."""

    summary: IngestSummary
    writes: list[tuple[Pipeline, Checked]]
    rejected: list[dict[str, Any]]  # quarantine rows of messages no adapter could see


class MessageRouter:
    """Turns batches of messages into stored records or quarantine rows; raises on DB errors
    so the caller does not acknowledge the batch (it will be redelivered, harmlessly).

    ``engine`` may be None for a router that only checks (:meth:`check_batch`); references are
    then resolved among the messages seen so far. ``keep_reports`` keeps every rejected
    message's problems in the batch summary, for the supplier's report.
    """

    def __init__(
        self,
        registry: Registry,
        engine: Engine | None,
        sources: Sequence[Source],
        max_payload: int = DEFAULT_MAX_PAYLOAD,
        *,
        keep_reports: bool = False,
    ) -> None:
        self.registry = registry
        self.engine = engine
        self.sources = list(sources)
        self.max_payload = max_payload
        self.keep_reports = keep_reports
        self.stats = RouterStats()
        self._pipelines: dict[str, Pipeline] = {}
        self._routes: dict[str, Source | None] = {}  # topic -> source; sensors repeat topics
        # topic -> (source, its id) for claimed topics: a Source is an ORM object, whose
        # attribute reads cost more than a tuple's
        self._routed: dict[str, tuple[Source, str]] = {}

    def handle_batch(self, messages: Sequence[IncomingMessage]) -> Callable[[], None]:
        """Check a batch and return its commit (the consumer runs it, then acknowledges)."""
        engine = self.engine
        if engine is None:
            raise RuntimeError("this message router has no database: it can only check")
        checked = self.check_batch(messages)

        def commit() -> None:
            for pipeline, part in checked.writes:
                pipeline.write(part)
            if checked.rejected:
                with engine.begin() as conn:
                    store_quarantine(conn, checked.rejected)
                    now = datetime.now(UTC)
                    counts = Counter(row["source"] for row in checked.rejected)
                    for source_id, count in counts.items():
                        if source_id != "-":  # no source claimed its topic
                            record_activity(conn, source_id, now, 0, count)

        return commit

    def check_batch(self, messages: Sequence[IncomingMessage]) -> CheckedBatch:
        """Route, decode and validate a batch without writing anything."""
        grouped: dict[str, tuple[Source, list[RawRecord]]] = {}
        total = IngestSummary()
        rejected: list[dict[str, Any]] = []
        for message in messages:
            topic, payload = message.topic, message.payload
            routed = self._routed.get(topic)
            if routed is not None and len(payload) <= self.max_payload:
                # The common case, spelled out: a claimed topic, a payload orjson decodes.
                content = fast_json(payload)
                if content is not _UNDECIDED:
                    claimed, source_id = routed
                    raw = RawRecord(source_id, topic, None, message.received_at, content)
                    grouped.setdefault(source_id, (claimed, []))[1].append(raw)
                    continue
            source = self._route(topic)
            content, problem = self._decode(message, source)
            if problem is not None:
                rejected.append(self._quarantine(message, source, problem))
                total.read += 1
                total.reject(RecordReport(message.topic, None, [problem]), keep=self.keep_reports)
                continue
            assert source is not None
            raw = RawRecord(source.id, message.topic, None, message.received_at, content)
            grouped.setdefault(source.id, (source, []))[1].append(raw)
        writes: list[tuple[Pipeline, Checked]] = []
        for source, records in grouped.values():
            pipeline = self._pipeline(source)
            summary, checked = pipeline.prepare(records, _context(source))
            writes += [(pipeline, part) for part in checked]
            self.stats.count(source.id, summary.valid, summary.quarantined)
            self.stats.reasons.update(summary.reasons)
            total.merge(summary)
        return CheckedBatch(total, writes, rejected)

    def replay(self, message: IncomingMessage) -> list[Problem]:
        """Run one kept message through again: its problems, or none when it was stored.

        A message that fails again is quarantined under the same id as before (same topic and
        payload), so the replay adds no second copy. The router must keep reports: they are
        where the new problems come from.
        """
        if not self.keep_reports:
            raise RuntimeError("replaying needs a message router made with keep_reports=True")
        source = self._route(message.topic)
        content, problem = self._decode(message, source)
        if problem is not None:
            return [problem]
        assert source is not None
        raw = RawRecord(source.id, message.topic, None, message.received_at, content)
        summary = self._pipeline(source).run([raw], _context(source))
        return summary.rejected[0].problems if summary.rejected else []

    def _route(self, topic: str) -> Source | None:
        if topic not in self._routes:
            if len(self._routes) > 100_000:
                self._routes.clear()
                self._routed.clear()
            source = source_for_topic(self.sources, topic)
            self._routes[topic] = source
            if source is not None:
                self._routed[topic] = (source, source.id)
        return self._routes[topic]

    def _decode(
        self, message: IncomingMessage, source: Source | None
    ) -> tuple[Any, Problem | None]:
        if source is None:
            return None, Problem(
                "core.unknown-topic",
                f"no source claims topic '{message.topic}'",
                None,
                message.topic,
                "a topic bound to a source",
            )
        if len(message.payload) > self.max_payload:
            return None, Problem(
                "core.oversized",
                f"payload of {len(message.payload)} bytes exceeds the limit",
                None,
                len(message.payload),
                f"at most {self.max_payload} bytes",
            )
        fast = fast_json(message.payload)
        if fast is not _UNDECIDED:
            return fast, None
        try:
            text = message.payload.decode("utf-8")
        except UnicodeDecodeError as error:
            return None, Problem("core.invalid-utf8", f"payload is not UTF-8 (byte {error.start})")
        try:
            return json.loads(text), None
        except json.JSONDecodeError as error:
            return None, Problem(
                "core.invalid-json", f"payload is not JSON: {error.msg} at position {error.pos}"
            )

    def _quarantine(
        self, message: IncomingMessage, source: Source | None, problem: Problem
    ) -> dict[str, Any]:
        payload = message.payload[: self.max_payload]  # kept as text, or as base64 if binary
        source_id = source.id if source else "-"
        raw = RawRecord(source_id, message.topic, None, message.received_at, payload)
        self.stats.count(source_id, quarantined=1)
        self.stats.reasons[problem.rule] += 1
        return quarantine_row(
            source.pilot if source else "-", source.format if source else "-", raw, [problem]
        )

    def _pipeline(self, source: Source) -> Pipeline:
        pipeline = self._pipelines.get(source.id)
        if pipeline is None:
            pilot = self.registry.get(source.pilot)
            pipeline = Pipeline(
                pilot, pilot.adapter(source.format), self.engine, keep_reports=self.keep_reports
            )
            self._pipelines[source.id] = pipeline
        return pipeline


def _context(source: Source) -> ReadContext:
    return ReadContext(
        source=source.id,
        origin="mqtt",
        received_at=datetime.now(UTC),
        crs=source.crs,
        timezone=source.timezone,
        options=dict(source.options),
    )
