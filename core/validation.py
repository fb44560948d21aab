"""The one validator: handbook term checks, the pilot's derivations, then the pilot's rules.

Ingestion and the supplier report (``stadspuls validate``) call the same :class:`Validator`, so
a file that validates is a file that ingests.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from core import coerce
from core.geo import inside_belgium
from core.handbook import Handbook, Rule, Term
from core.ingest.envelope import Canonical, Problem, ReadContext
from core.quick_coerce import Declined, QuickCoercer, quick_coercer

#: A pilot rule: returns a message when the record breaks the rule, else None.
RuleCheck = Callable[[Canonical], str | None]
#: A pilot derivation: fills derivable terms in place, given the referenced entity's values.
Derive = Callable[[Canonical, Mapping[str, Any] | None], None]

#: Datatypes whose values may arrive as the final Python type already (no conversion needed).
_NATIVE: dict[str, type] = {"integer": int, "number": float, "boolean": bool}

GENERIC_RULES: dict[str, str] = {
    "core.required": "a required term is missing",
    "core.datatype": "the value does not have the term's datatype",
    "core.minimum": "the value is below the term's minimum",
    "core.maximum": "the value is above the term's maximum",
    "core.codelist": "the value is not in the term's codelist",
    "core.timezone": "a time has no time zone and the source declared none",
    "core.future": "a time lies further in the future than the term allows",
    "core.crs-missing": "coordinates look projected but no CRS was declared",
    "core.crs": "the declared CRS is not supported",
    "core.outside-belgium": "the location lies outside Belgium",
    "core.reference": "the record refers to an entity that is not known",
    "core.unknown-entity": "the record is of an entity the handbook does not define",
    "core.personal-data": "the record carries personal data; it is refused and not kept",
    "core.no-data": "the record carries no data the pilot can use",
    "core.unreadable": "the file or payload cannot be read at all (kept whole in quarantine)",
    "core.invalid-json": "a message payload is not JSON",
    "core.invalid-utf8": "a message payload is not UTF-8 text (kept as base64)",
    "core.oversized": "a message payload is larger than the configured limit",
    "core.unknown-topic": "no source claims the MQTT topic of a message",
}


@dataclass(frozen=True)
class _EntityPlan:
    """What the validator needs of one entity, worked out once (validation runs per record)."""

    terms: dict[str, tuple[int, Term]]  # term id -> (position in the handbook, term)
    required: tuple[Term, ...]
    rules: tuple[tuple[Rule, RuleCheck], ...]  # the entity's cross-term rules and their code
    quick: dict[str, QuickCoercer]  # term id -> its quick coercer


#: Marks a value its quick coercer declined, in :meth:`Validator.coerce_columns`.
_DECLINED = object()

#: Distinct record shapes (entity, value keys) whose quick steps are kept; a feed repeats a few.
_STEPS_LIMIT = 4096
#: The quick steps of one shape: the keys that are terms, and their quick coercers.
_Steps = tuple[tuple[str, ...], tuple[tuple[str, QuickCoercer], ...]]


@dataclass(frozen=True)
class PilotRules:
    """What a pilot adds to the generic checks: derivations and cross-term rules by rule id."""

    derive: Derive
    checks: Mapping[str, RuleCheck]


class Validator:
    """Checks canonical records against a handbook; coerces values in place as it goes.

    ``quick`` (on by default) first tries each record's values with the terms' quick coercers
    (:mod:`core.quick_coerce`); only a record with a value they decline goes through the full
    per-value checks, which alone say what is wrong. Both give the same values and problems.
    """

    def __init__(
        self,
        handbook: Handbook,
        rules: PilotRules,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        quick: bool = True,
    ) -> None:
        missing = set(handbook.rules_by_id) - set(rules.checks)
        unknown = set(rules.checks) - set(handbook.rules_by_id)
        if missing or unknown:
            raise ValueError(f"handbook rules without code {missing}, code without rule {unknown}")
        self.handbook = handbook
        self.rules = rules
        self.clock = clock
        self.quick = quick
        self._plans = {
            entity.id: _EntityPlan(
                terms={term.id: (index, term) for index, term in enumerate(entity.terms)},
                required=tuple(term for term in entity.terms if term.required),
                rules=tuple(
                    (rule, rules.checks[rule.id])
                    for rule in handbook.rules
                    if rule.entity == entity.id
                ),
                quick={term.id: self._quick_coercer(term) for term in entity.terms},
            )
            for entity in handbook.entities
        }
        self._steps: dict[tuple[str, tuple[str, ...]], _Steps] = {}

    def _quick_coercer(self, term: Term) -> QuickCoercer:
        codes = None
        if term.datatype == "code" and term.codelist is not None:
            codes = frozenset(self.handbook.codelists_by_id[term.codelist].ids)

        def full(value: Any, context: ReadContext, now: datetime) -> Any:
            return self._coerce(term, value, context, now)

        return quick_coercer(term, codes, full)

    def validate(
        self,
        record: Canonical,
        context: ReadContext,
        referenced: Mapping[str, Any] | None = None,
    ) -> list[Problem]:
        """All problems of ``record``; an empty list means it may be stored.

        Only the terms the record carries are visited (a record fills a few of its entity's
        terms; this runs for every record ingested); problems come out in handbook order.
        """
        plan = self._plans.get(record.entity)
        if plan is None:
            return [Problem("core.unknown-entity", f"unknown entity '{record.entity}'")]
        broken: set[str] = set()
        now = self.clock()
        effective = replace(context, crs=record.crs) if record.crs else context
        if self.quick and self._quick_coerce(record, plan, effective, now):
            found: list[Problem] = []
        else:
            found = self._coerce_values(record, plan, effective, now, broken)
        if not found:
            self.rules.derive(record, referenced)
        found.extend(self._missing(record, plan.required))
        found.extend(self._cross_term(record, plan.rules, broken))
        return found

    def _quick_coerce(
        self, record: Canonical, plan: _EntityPlan, context: ReadContext, now: datetime
    ) -> bool:
        """Coerce every value with its quick coercer; False (and nothing changed) if one declines.

        The steps (which keys are terms, and their coercers) are worked out once per shape of
        record: a feed sends the same keys again and again.
        """
        values = record.values
        shape = (record.entity, tuple(values))
        steps = self._steps.get(shape)
        if steps is None:
            if len(self._steps) >= _STEPS_LIMIT:
                self._steps.clear()
            keys = tuple(key for key in shape[1] if key in plan.quick)
            steps = (keys, tuple((key, plan.quick[key]) for key in keys))
            self._steps[shape] = steps
        keys, coercers = steps
        try:
            converted = [quick(values[key], context, now) for key, quick in coercers]
        except Declined:
            return False
        values.update(zip(keys, converted, strict=True))
        return True

    def coerce_columns(
        self,
        entity: str,
        columns: Mapping[str, list[Any]],
        context: ReadContext,
        now: datetime,
    ) -> tuple[dict[str, list[Any]], list[bool]]:
        """Quick coercion of whole columns (:mod:`core.ingest.blocks`): coerced columns, and
        per record whether every value and required term passed.

        Each distinct value is coerced once, by the same quick coercer :meth:`validate` uses
        (a column repeats the same few times and codes). None stays None: an absent value. A
        record with a declined value or a missing required term is marked False; its values
        are then left unchanged, as the per-record checks must see them.
        """
        plan = self._plans[entity]
        size = len(next(iter(columns.values()), []))
        passed = [True] * size
        coerced: dict[str, list[Any]] = {}
        for key, column in columns.items():
            quick = plan.quick.get(key)
            if quick is None:  # not a term: validate() leaves it alone too
                coerced[key] = column
                continue
            coerced[key], declined = _coerce_column(quick, column, context, now)
            for index in declined:
                passed[index] = False
        for term in plan.required:
            required = coerced.get(term.id)
            if required is None or None in required:
                for index in range(size):
                    if required is None or required[index] is None:
                        passed[index] = False
        return coerced, passed

    def _coerce_values(
        self,
        record: Canonical,
        plan: _EntityPlan,
        effective: ReadContext,
        now: datetime,
        broken: set[str],
    ) -> list[Problem]:
        """Coerce each value the full way; the problems in handbook order, ``broken`` terms."""
        problems: list[tuple[int, Problem]] = []
        values = record.values
        for key, value in list(values.items()):
            known = plan.terms.get(key)
            if known is None:
                continue
            index, term = known
            if coerce.is_absent(value):
                del values[key]
                continue
            try:
                values[key] = self._coerce(term, value, effective, now)
            except coerce.CoercionError as error:
                broken.add(key)
                problem = Problem(
                    error.rule, str(error), _qualified(record.entity, term), value, error.expected
                )
                problems.append((index, problem))
        return [problem for _index, problem in sorted(problems, key=lambda pair: pair[0])]

    def _coerce(self, term: Term, value: Any, context: ReadContext, now: datetime) -> Any:
        kind = term.datatype
        converted: Any = value
        native = _NATIVE.get(kind)
        if native is not None and type(converted) is native:
            if kind == "number" and not math.isfinite(value):
                converted = _convert(term, value, context)  # raises: NaN is not a number
        else:
            converted = _convert(term, value, context)
        if kind in ("integer", "number"):
            _check_range(term, converted)
        elif kind == "code":
            converted = self._check_code(term, converted)
        elif kind == "datetime" and term.max_future_seconds is not None:
            limit = now + timedelta(seconds=term.max_future_seconds)
            if converted > limit:
                raise coerce.CoercionError(
                    "core.future",
                    f"time {converted.isoformat()} is more than {term.max_future_seconds} s "
                    "in the future",
                    f"at most {limit.isoformat()}",
                )
        elif kind == "geometry" and not inside_belgium(converted):
            x, y = converted.centroid.x, converted.centroid.y
            raise coerce.CoercionError(
                "core.outside-belgium",
                f"location ({x:.5f}, {y:.5f}) lies outside Belgium",
                "a location in Belgium (lon 2.4..6.5, lat 49.5..51.5)",
            )
        return converted

    def _check_code(self, term: Term, value: Any) -> str:
        assert term.codelist is not None
        codelist = self.handbook.codelists_by_id[term.codelist]
        text = str(value).strip()
        if text in codelist.ids:
            return text
        for code in codelist.ids:
            if code.lower() == text.lower():
                return code
        raise coerce.CoercionError(
            "core.codelist",
            f"'{value}' is not in codelist {codelist.id}",
            "one of " + ", ".join(sorted(codelist.ids)),
        )

    def _missing(self, record: Canonical, required: tuple[Term, ...]) -> list[Problem]:
        values = record.values
        problems = []
        for term in required:
            if coerce.is_absent(values.get(term.id)):
                problems.append(
                    Problem(
                        "core.required",
                        f"required term '{term.id}' is missing",
                        _qualified(record.entity, term),
                        None,
                        "a value",
                    )
                )
        return problems

    def _cross_term(
        self, record: Canonical, rules: tuple[tuple[Rule, RuleCheck], ...], broken: set[str]
    ) -> list[Problem]:
        problems = []
        for rule, check in rules:
            if broken and broken.intersection(rule.terms):
                continue
            message = check(record)
            if message is not None:
                found = {term: record.values.get(term) for term in rule.terms}
                problems.append(
                    Problem(
                        rule.id,
                        message,
                        f"{rule.entity}.{rule.terms[0]}",
                        _render(found),
                        rule.description.en,
                    )
                )
        return problems


def _coerce_column(
    quick: QuickCoercer, column: list[Any], context: ReadContext, now: datetime
) -> tuple[list[Any], list[int]]:
    """One column quick-coerced, each distinct value once; and the indices of declined values
    (left as they were). A column whose values are all their coerced selves comes back as is.
    """
    # 1, 1.0 and True are equal but not coerced alike: mixed types are keyed with theirs
    mixed = len(set(map(type, column)) - {type(None)}) > 1
    keys: list[Any] = [(type(v), v) for v in column] if mixed else column
    table: dict[Any, Any] = {}
    for found in set(keys):
        value = found[1] if mixed else found
        try:
            table[found] = None if value is None else quick(value, context, now)
        except Declined:
            table[found] = _DECLINED
    if not mixed and all(table[found] is found for found in table):
        return column, []
    converted = list(map(table.__getitem__, keys))
    declined = []
    if any(value is _DECLINED for value in table.values()):
        declined = [index for index, value in enumerate(converted) if value is _DECLINED]
        for index in declined:
            converted[index] = column[index]
    return converted, declined


def _convert(term: Term, value: Any, context: ReadContext) -> Any:
    match term.datatype:
        case "integer":
            return coerce.to_integer(value)
        case "number":
            return coerce.to_number(value)
        case "boolean":
            return coerce.to_boolean(value)
        case "datetime":
            return coerce.to_datetime(value, context.timezone)
        case "geometry":
            return coerce.to_geometry(value, context.crs)
        case _:
            return str(value).strip()


def _check_range(term: Term, value: float) -> None:
    unit = f" {term.unit}" if term.unit else ""
    if term.minimum is not None and value < term.minimum:
        raise coerce.CoercionError(
            "core.minimum",
            f"{term.id} {value:g} is below {term.minimum:g}{unit}",
            f">= {term.minimum:g}{unit}",
        )
    if term.maximum is not None and value > term.maximum:
        raise coerce.CoercionError(
            "core.maximum",
            f"{term.id} {value:g} is above {term.maximum:g}{unit}",
            f"<= {term.maximum:g}{unit}",
        )


def _qualified(entity: str, term: Term) -> str:
    return f"{entity}.{term.id}"


def _render(found: dict[str, Any]) -> str | None:
    text = ", ".join(f"{key}={value}" for key, value in found.items() if value is not None)
    return text or None
