"""The ingestion pipeline: raw record → adapter → handbook validation → batched upsert.

One :class:`Pipeline` serves both ingestion and the supplier's dry run (``validate``): the only
difference is whether batches are written. Every raw record ends either as stored rows or as a
quarantine row with all its problems; a raw record whose canonical records are not all valid is
quarantined whole, so no half of a supplier's record is published.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import Engine

from core.column_rows import RowColumns, joined
from core.copying import encode_rows
from core.errors import UnreadableInput
from core.handbook import Entity
from core.ingest.activity import record_activity
from core.ingest.blocks import LaneOutcome, RecordBlock
from core.ingest.envelope import (
    Canonical,
    Notice,
    Problem,
    RawRecord,
    ReadContext,
    RecordRejected,
    stable_id,
)
from core.ingest.quarantine import quarantine_row, store_quarantine
from core.ingest.writer import BatchWriter, relaxed_gc
from core.pilot import Adapter, EntityStore, Pilot
from core.privacy import Screen
from core.storage import UpsertCounts, fetch_columns, upsert


@dataclass
class RecordReport:
    """The problems of one rejected raw record, as the supplier report lists them."""

    origin: str
    position: int | None
    problems: list[Problem]


@dataclass
class IngestSummary:
    read: int = 0
    valid: int = 0
    quarantined: int = 0
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    reasons: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    rejected: list[RecordReport] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)  # found while storing; nothing rejected

    def reject(self, report: RecordReport, keep: bool = True) -> None:
        """Count a rejected record; ``keep`` its report for the supplier's listing."""
        self.quarantined += 1
        if keep:
            self.rejected.append(report)
        for problem in report.problems:
            self.reasons[problem.rule] += 1
            self.examples.setdefault(problem.rule, problem.message)

    def merge(self, other: IngestSummary) -> None:
        """Add ``other``'s counts and reports, e.g. of the next batch or another source."""
        self.read += other.read
        self.valid += other.valid
        self.quarantined += other.quarantined
        self.counts.add(other.counts)
        self.reasons.update(other.reasons)
        for rule, example in other.examples.items():
            self.examples.setdefault(rule, example)
        self.rejected.extend(other.rejected)
        self.notices.extend(other.notices)


Progress = Callable[[int], None]
#: At most this many batches (of ``batch_size`` records) wait for the writer, then are written
#: in one transaction.
_GROUPED_BATCHES = 8


@dataclass
class Checked:
    """One checked batch: rows per entity, and quarantine rows, ready to be written."""

    rows: dict[str, list[dict[str, Any]]]
    quarantined: list[dict[str, Any]]
    source: str = ""
    valid: int = 0  # raw records of the batch that passed
    columns: dict[str, list[RowColumns]] = field(default_factory=dict)  # rows of blocks

    @property
    def size(self) -> int:
        return self.valid + len(self.quarantined)

    def absorb(self, later: Checked) -> Checked:
        """Add a later batch of the same run, to write both in one transaction."""
        for entity, rows in later.rows.items():
            self.rows.setdefault(entity, []).extend(rows)
        for entity, blocks in later.columns.items():
            self.columns.setdefault(entity, []).extend(blocks)
        self.quarantined.extend(later.quarantined)
        self.valid += later.valid
        return self


class Pipeline:
    """Runs raw records of one adapter through validation into storage (unless ``dry_run``)."""

    def __init__(
        self,
        pilot: Pilot,
        adapter: Adapter,
        engine: Engine | None,
        *,
        dry_run: bool = False,
        batch_size: int = 5000,
        keep_reports: bool = True,
    ) -> None:
        self.pilot = pilot
        self.adapter = adapter
        self.engine = engine
        self.dry_run = dry_run
        self.batch_size = batch_size
        self.keep_reports = keep_reports
        self._known: dict[str, dict[str, dict[str, Any]]] = {}
        self._references = {
            entity.id: _reference_terms(entity) for entity in pilot.handbook.entities
        }
        self._referenced = {term.refers_to for terms in self._references.values() for term in terms}
        self._stores = {store.entity: store for store in pilot.stores}
        privacy = pilot.handbook.privacy
        self._screen = Screen.from_handbook(privacy) if privacy is not None else None

    def run(
        self,
        records: Iterable[RawRecord | RecordBlock],
        context: ReadContext,
        progress: Progress | None = None,
    ) -> IngestSummary:
        """Check (and unless ``dry_run`` store) every record; raise UnreadableInput on damage."""
        summary, failure = self.run_until_unreadable(records, context, progress)
        if failure is not None:
            raise failure
        return summary

    def run_until_unreadable(
        self,
        records: Iterable[RawRecord | RecordBlock],
        context: ReadContext,
        progress: Progress | None = None,
    ) -> tuple[IngestSummary, UnreadableInput | None]:
        """Like :meth:`run`, but hand back the damage instead of raising it.

        The summary then covers what was read before the input broke off, which the supplier's
        validation report still lists (ingestion raises, so the file is quarantined whole).
        """
        summary = IngestSummary()
        failure: list[UnreadableInput] = []

        def guarded() -> Iterator[RawRecord | RecordBlock]:
            try:
                yield from records
            except UnreadableInput as error:  # keep what was read before the damage
                failure.append(error)

        writing = not self.dry_run and self.engine is not None
        waiting: Checked | None = None  # checked while the writer was busy

        def write(checked: Checked) -> UpsertCounts:
            return self.write(checked, summary.notices)

        with relaxed_gc(), BatchWriter(lambda counts: summary.counts.add(counts)) as writer:  # type: ignore[arg-type]
            for batch in _batches(guarded(), self.batch_size):
                checked = self._check(batch, context, summary)
                if writing:
                    # Group commit: batches checked while the writer is busy go in its next
                    # transaction together (fewer, larger writes when the database is the
                    # bottleneck), up to a bound that keeps memory flat.
                    waiting = checked if waiting is None else waiting.absorb(checked)
                    if not writer.busy() or waiting.size >= self.batch_size * _GROUPED_BATCHES:
                        writer.submit(partial(write, waiting))
                        waiting = None
                if progress is not None:
                    progress(summary.read)
            if waiting is not None:
                writer.submit(partial(write, waiting))
        return summary, failure[0] if failure else None

    def prepare(
        self, records: Iterable[RawRecord | RecordBlock], context: ReadContext
    ) -> tuple[IngestSummary, list[Checked]]:
        """Check records without writing: the summary and the batches to :meth:`write` later.

        Lets a caller overlap the checks of new records with the commit of earlier ones (the
        MQTT worker acknowledges a batch only after its commit).
        """
        summary = IngestSummary()
        with relaxed_gc():
            checked = [
                self._check(batch, context, summary)
                for batch in _batches(records, self.batch_size)
            ]
        return summary, checked

    def _check(
        self, batch: list[RawRecord] | RecordBlock, context: ReadContext, summary: IngestSummary
    ) -> Checked:
        if isinstance(batch, RecordBlock):
            return self._check_block(batch, context, summary)
        return self._check_batch(batch, context, summary)

    def _check_block(
        self, block: RecordBlock, context: ReadContext, summary: IngestSummary
    ) -> Checked:
        """A block's records: what the entity's lane accepts as columns, the rest one by one."""
        outcome = self._lane_outcome(block, context)
        accepted = outcome.accepted if outcome is not None else [False] * len(block)
        rest = [block.record(index) for index, taken in enumerate(accepted) if not taken]
        checked = self._check_batch(rest, context, summary)
        if outcome is not None and len(outcome.rows):
            count = len(outcome.rows)
            summary.read += count
            summary.valid += count
            checked.valid += count
            checked.columns.setdefault(block.entity, []).append(outcome.rows)
        return checked

    def _lane_outcome(self, block: RecordBlock, context: ReadContext) -> LaneOutcome | None:
        """The lane's verdict on a block, or None when its records go one by one: a pilot
        without a lane for the entity, records screened for personal data, quick checks
        switched off, an entity with several references, or one that others refer to (the
        per-record path remembers those for the records after them)."""
        lane = self.pilot.lanes.get(block.entity)
        references = self._references.get(block.entity, [])
        validator = self.pilot.validator
        if (
            lane is None
            or self._screen is not None
            or not validator.quick
            or len(references) > 1
            or block.entity in self._referenced
        ):
            return None
        columns, candidates = validator.coerce_columns(
            block.entity, block.columns, context, validator.clock()
        )
        for index, declined in enumerate(block.declined):
            if declined:
                candidates[index] = False
        referenced: dict[str, list[Any]] = {}
        if references:
            natives = columns.get(references[0].id, [None] * len(block))
            referenced = self._referenced_columns(
                references[0], natives, candidates, context.source
            )
        outcome = lane(columns, referenced, candidates, context.source)
        if self.engine is None or self.dry_run or not len(outcome.rows):
            return outcome
        with self.engine.connect() as conn:
            table = self.pilot.store_for(block.entity).table
            return replace(outcome, rows=encode_rows(conn, table, outcome.rows))

    def _referenced_columns(
        self, term: Any, natives: list[Any], candidates: list[bool], source: str
    ) -> dict[str, list[Any]]:
        """Per lookup column of the referenced entity, its value for each record; a record
        whose target is not known stops being a candidate (the per-record checks say so)."""
        targets = {
            native: stable_id(source, str(native)) for native in set(natives) if native is not None
        }
        entity = term.refers_to
        known = self._known.setdefault(entity, {})
        self._fetch_known({entity: {target for target in targets.values() if target not in known}})
        store = self.pilot.store_for(entity)
        by_native = {native: known.get(target) for native, target in targets.items()}
        by_native[None] = None
        found = list(map(by_native.__getitem__, natives))
        if None in found:
            for index, values in enumerate(found):
                if values is None:
                    candidates[index] = False
        columns = {}
        for name in store.lookup_columns:
            value_of = {
                native: None if values is None else values.get(name)
                for native, values in by_native.items()
            }
            columns[name] = list(map(value_of.__getitem__, natives))
        return columns

    def _check_batch(
        self, batch: list[RawRecord], context: ReadContext, summary: IngestSummary
    ) -> Checked:
        mapped = [(raw, self._map(raw, context)) for raw in batch]
        self._prefetch_references(mapped, context.source)
        rows: dict[str, list[dict[str, Any]]] = {store.entity: [] for store in self.pilot.stores}
        quarantined: list[dict[str, Any]] = []
        valid = 0
        for raw, outcome in mapped:
            summary.read += 1
            accepted: list[tuple[str, dict[str, Any]]] = []
            if _are_problems(outcome):
                problems: list[Problem] = outcome  # type: ignore[assignment]
            else:
                problems, accepted = self._validate(outcome, context)  # type: ignore[arg-type]
            if problems:
                report = RecordReport(raw.origin, raw.position, problems)
                summary.reject(report, keep=self.keep_reports)
                quarantined.append(
                    quarantine_row(self.pilot.id, self.adapter.format_id, raw, problems)
                )
                continue
            summary.valid += 1
            valid += 1
            for entity, row in accepted:
                rows[entity].append(row)
        return Checked(rows, quarantined, context.source, valid)

    def _map(self, raw: RawRecord, context: ReadContext) -> list[Canonical] | list[Problem]:
        if raw.problems:
            return list(raw.problems)
        if self._screen is not None:
            personal = self._screen.problems(raw.content)
            if personal:
                return personal
        try:
            records = self.adapter.map(raw, context)
        except RecordRejected as rejected:
            return list(rejected.problems)
        if not records:
            return [Problem("core.no-data", "the record carries no data the pilot can use")]
        return records

    def _validate(
        self, records: list[Canonical], context: ReadContext
    ) -> tuple[list[Problem], list[tuple[str, dict[str, Any]]]]:
        """Problems of one raw record's canonical records, else their rows.

        A reference may point to an earlier record of the same raw record (a Gent row is a site
        and an observation of it).
        """
        if len(records) == 1:
            return self._validate_one(records[0], context)
        problems: list[Problem] = []
        accepted: list[tuple[str, dict[str, Any], Canonical]] = []
        local: dict[str, dict[str, dict[str, Any]]] = {}
        failed = False
        for record in records:
            referenced, reference_problems = self._resolve(record, context.source, local)
            if failed:
                reference_problems = []  # its target in this raw record failed and says why
            found = self.pilot.validator.validate(record, context, referenced)
            failed = failed or bool(found) or bool(reference_problems)
            problems.extend(reference_problems + found)
            if not found and not reference_problems:
                store = self._stores[record.entity]
                row = store.to_row(context.source, record)
                accepted.append((record.entity, row, record))
                if record.entity in self._referenced:
                    local.setdefault(record.entity, {})[row[store.id_column]] = self._lookup_values(
                        store, record
                    )
        if problems:
            return problems, []
        for entity, values in local.items():  # referable from now on, by later records too
            self._known.setdefault(entity, {}).update(values)
        return [], [(entity, row) for entity, row, _record in accepted]

    def _validate_one(
        self, record: Canonical, context: ReadContext
    ) -> tuple[list[Problem], list[tuple[str, dict[str, Any]]]]:
        """:meth:`_validate` of a raw record with one canonical record (an MQTT message, a row)."""
        referenced, problems = self._resolve(record, context.source, {})
        found = self.pilot.validator.validate(record, context, referenced)
        if problems or found:
            return problems + found, []
        entity = record.entity
        store = self._stores[entity]
        row = store.to_row(context.source, record)
        if entity in self._referenced:
            self._known.setdefault(entity, {})[row[store.id_column]] = self._lookup_values(
                store, record
            )
        return [], [(entity, row)]

    def _resolve(
        self, record: Canonical, source: str, local: dict[str, dict[str, dict[str, Any]]]
    ) -> tuple[dict[str, Any] | None, list[Problem]]:
        for term in self._references.get(record.entity, ()):
            native = record.values.get(term.id)
            if native is None or term.refers_to is None:
                continue
            target = stable_id(source, str(native))
            for known in (local.get(term.refers_to, {}), self._known.get(term.refers_to, {})):
                if target in known:
                    return known[target], []
            return None, [
                Problem(
                    "core.reference",
                    f"{term.refers_to} '{native}' is not known; deliver the {term.refers_to} "
                    f"(e.g. its table or register file) before its {record.entity}s",
                    f"{record.entity}.{term.id}",
                    native,
                    f"the id of a known {term.refers_to}",
                )
            ]
        return None, []

    @staticmethod
    def _lookup_values(store: EntityStore, record: Canonical) -> dict[str, Any]:
        return {name: record.values.get(name) for name in store.lookup_columns}

    def _prefetch_references(
        self, mapped: list[tuple[RawRecord, list[Canonical] | list[Problem]]], source: str
    ) -> None:
        """Look up, in one query per entity, the referenced ids this batch needs."""
        if self.engine is None:
            return
        wanted: dict[str, set[str]] = {}
        for _raw, outcome in mapped:
            if _are_problems(outcome):
                continue
            for record in outcome:
                for term in self._references.get(record.entity, ()):  # type: ignore[union-attr]
                    native = record.values.get(term.id)  # type: ignore[union-attr]
                    if native is not None and term.refers_to is not None:
                        target = stable_id(source, str(native))
                        if target not in self._known.get(term.refers_to, {}):
                            wanted.setdefault(term.refers_to, set()).add(target)
        self._fetch_known(wanted)

    def _fetch_known(self, wanted: dict[str, set[str]]) -> None:
        """Look the ``wanted`` ids up per entity (one query each) and remember what is found."""
        wanted = {entity: ids for entity, ids in wanted.items() if ids}
        if not wanted or self.engine is None:
            return
        with self.engine.connect() as conn:
            for entity, ids in wanted.items():
                store = self.pilot.store_for(entity)
                found = fetch_columns(conn, store.table, ids, store.lookup_columns, store.id_column)
                self._known.setdefault(entity, {}).update(found)

    def write(self, checked: Checked, notices: list[Notice] | None = None) -> UpsertCounts:
        """Store one checked batch in one transaction (idempotent: safe to retry).

        What the pilot's after-store hook notices is added to ``notices`` when given.
        """
        rows, quarantined = checked.rows, checked.quarantined
        counts = UpsertCounts()
        assert self.engine is not None
        with self.engine.begin() as conn:
            for store in self.pilot.stores:
                blocks: list[list[dict[str, Any]] | RowColumns] = [rows[store.entity]]
                if checked.columns.get(store.entity):
                    blocks.append(joined(checked.columns[store.entity]))
                for entity_rows in blocks:
                    if not len(entity_rows):
                        continue
                    counts.add(
                        upsert(
                            conn,
                            store.table,
                            entity_rows,
                            store.id_column,
                            mode=store.on_conflict,
                        )
                    )
                    if self.pilot.after_store is not None:
                        found = self.pilot.after_store(conn, store.entity, entity_rows)
                        if found and notices is not None:
                            notices.extend(found)
            store_quarantine(conn, quarantined)
            if checked.source:
                record_activity(
                    conn, checked.source, datetime.now(UTC), checked.valid, len(quarantined)
                )
        return counts


def _are_problems(outcome: list[Any]) -> bool:
    return bool(outcome) and isinstance(outcome[0], Problem)


def _reference_terms(entity: Entity) -> list[Any]:
    return [term for term in entity.terms if term.datatype == "reference"]


def _batches(
    records: Iterable[RawRecord | RecordBlock], size: int
) -> Iterator[list[RawRecord] | RecordBlock]:
    """Raw records in lists of ``size``; a block is a batch of its own."""
    batch: list[RawRecord] = []
    for record in records:
        if isinstance(record, RecordBlock):
            if batch:
                yield batch
                batch = []
            yield record
            continue
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
