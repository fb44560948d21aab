"""Decoding message payloads with orjson, with the standard library as the judge of the rest.

``json.loads`` costs a worker about as much per message as all of paho's packet handling, and
orjson does the same work in a fraction of it. The two differ only on input the standard
library either rejects too (orjson validates UTF-8 and JSON as strictly) or decodes
differently, and those cases are handed back undecided, so the caller's standard decoder (and
its precise problem messages) decides them exactly as before:

* anything orjson refuses: invalid UTF-8 or JSON, but also ``NaN``/``Infinity`` and lone
  surrogate escapes, which the standard library accepts;
* integers beyond 64 bits, which orjson reads as floats: a decoded float of that magnitude
  sends the payload to the standard decoder, which keeps such integers exact.
"""

from __future__ import annotations

from typing import Any, Final

import orjson

#: Returned when the payload must go through the standard decoder.
UNDECIDED: Final = object()
#: Floats at least this large may be integers orjson could not hold in 64 bits.
_EXACT_BELOW = float(2**63)


def fast_json(payload: bytes) -> Any:
    """The decoded payload, or :data:`UNDECIDED` when the standard decoder must decide."""
    try:
        value = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return UNDECIDED
    return value if _exact(value) else UNDECIDED


def _exact(value: Any) -> bool:
    """False when a float in ``value`` may be a rounded integer beyond 64 bits.

    Scalars are tested inline, not by a call each: a flat object is the common payload.
    """
    kind = type(value)
    if kind is dict:
        items = value.values()
    elif kind is list:
        items = value
    else:
        return kind is not float or -_EXACT_BELOW < value < _EXACT_BELOW
    for item in items:
        kind = type(item)
        if kind is float:
            if not -_EXACT_BELOW < item < _EXACT_BELOW:
                return False
        elif (kind is dict or kind is list) and not _exact(item):
            return False
    return True
