"""Per-term quick coercers: the common case of :meth:`core.validation.Validator._coerce`, cheaply.

Validation runs for every record ingested, and most values already arrive in their handbook
type: an integer that is an ``int`` within range, a time that is an ISO 8601 string with an
offset, a code that is in its codelist. For each term a quick coercer is built once; it either
returns exactly what ``Validator._coerce`` returns for the value, or raises :class:`Declined`.
It never judges: a declined value (absent, of another type, out of range, unknown code, a time
without zone or too far ahead...) sends the whole record through the full checks, which stay
the only source of problems and their messages. A quick coercer therefore only ever accepts a
value the full check accepts, with the same result (``tests/core/test_quick_coerce.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from core import coerce
from core.handbook import Term
from core.ingest.envelope import ReadContext


class Declined(Exception):
    """Raised by a quick coercer when the full check must decide (rare, so cheap overall)."""


#: ``(value, context, now)`` -> the coerced value; raises :class:`Declined`.
QuickCoercer = Callable[[Any, ReadContext, datetime], Any]
#: The full check of one term, ``Validator._coerce`` bound to the term; raises CoercionError.
FullCoercer = Callable[[Any, ReadContext, datetime], Any]

#: Integers beyond this are left to the full check (float() of a huge int overflows).
_FLOAT_SAFE = 2**53


def quick_coercer(term: Term, codes: frozenset[str] | None, full: FullCoercer) -> QuickCoercer:
    """The quick coercer of ``term``; ``codes`` are its codelist's ids (code terms only).

    Datatypes without a cheaper form (geometry) run ``full`` itself, declining when it raises.
    """
    match term.datatype:
        case "integer":
            return _integer(term.minimum, term.maximum)
        case "number":
            return _number(term.minimum, term.maximum)
        case "boolean":
            return _boolean
        case "datetime":
            return _datetime(term.max_future_seconds)
        case "code" if codes is not None:
            return _code(codes)
        case "string" | "uri" | "reference":
            return _text
        case _:
            return _guarded(full)


def _within(low: float | None, high: float | None) -> Callable[[float], bool]:
    """The range test of ``core.validation._check_range``, without building messages."""
    if low is None and high is None:
        return lambda value: True
    if high is None:
        return lambda value: value >= low  # type: ignore[operator]
    if low is None:
        return lambda value: value <= high
    return lambda value: low <= value <= high


def _integer(low: float | None, high: float | None) -> QuickCoercer:
    within = _within(low, high)

    def integer(value: Any, context: ReadContext, now: datetime) -> Any:
        # exactly int (a bool is an int subclass but no integer); anything else: full check
        if type(value) is int and within(value):
            return value
        raise Declined

    return integer


def _number(low: float | None, high: float | None) -> QuickCoercer:
    within = _within(low, high)

    def number(value: Any, context: ReadContext, now: datetime) -> Any:
        kind = type(value)
        if kind is float:
            if math.isfinite(value) and within(value):
                return value
        elif kind is int and -_FLOAT_SAFE <= value <= _FLOAT_SAFE:
            converted = float(value)  # what coerce.to_number makes of an int
            if within(converted):
                return converted
        raise Declined

    return number


def _boolean(value: Any, context: ReadContext, now: datetime) -> Any:
    if type(value) is bool:
        return value
    raise Declined


def _datetime(max_future_seconds: int | None) -> QuickCoercer:
    ahead = None if max_future_seconds is None else timedelta(seconds=max_future_seconds)

    def moment(value: Any, context: ReadContext, now: datetime) -> Any:
        if type(value) is not str and type(value) is not datetime:
            raise Declined
        try:
            # Without a source time zone only times with an offset pass; the others (and
            # the source's zone, which may be unknown) are the full check's to judge.
            converted = coerce.to_datetime(value, None)
        except coerce.CoercionError:
            raise Declined from None
        if ahead is not None and converted > now + ahead:
            raise Declined
        return converted

    return moment


def _code(codes: frozenset[str]) -> QuickCoercer:
    def code(value: Any, context: ReadContext, now: datetime) -> Any:
        if type(value) is str:
            text = value.strip()
            if text and text in codes:  # blank is absent, other spellings: the full check
                return text
        raise Declined

    return code


def _text(value: Any, context: ReadContext, now: datetime) -> Any:
    if type(value) is str:
        text = value.strip()
        if text:  # blank is absent: the full check drops it
            return text
    raise Declined


def _guarded(full: FullCoercer) -> QuickCoercer:
    def guarded(value: Any, context: ReadContext, now: datetime) -> Any:
        if coerce.is_absent(value):
            raise Declined
        try:
            return full(value, context, now)
        except coerce.CoercionError:
            raise Declined from None

    return guarded
