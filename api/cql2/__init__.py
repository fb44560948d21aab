"""OGC Common Query Language (CQL2), text and JSON encodings, translated to SQL.

Written for Stadspuls (no third-party CQL2 library): :func:`parse_filter` turns the ``filter``
parameter into the predicate tree of :mod:`api.cql2.ast`; :func:`api.cql2.sql.to_sql` turns
that into a SQLAlchemy condition over a collection's queryables, with bound parameters only.
"""

from __future__ import annotations

from api.cql2.ast import Predicate
from api.cql2.json import parse_json_text
from api.cql2.text import parse_text
from core.errors import InvalidParameter

TEXT = "cql2-text"
JSON = "cql2-json"
LANGUAGES = (TEXT, JSON)


def parse_filter(text: str, language: str = TEXT) -> Predicate:
    """The predicate of a ``filter`` in ``filter-lang``; errors are 400s naming the parameter."""
    if language == TEXT:
        return parse_text(text)
    if language == JSON:
        return parse_json_text(text)
    raise InvalidParameter(
        "filter-lang", f"'{language}' is not supported; use {' or '.join(LANGUAGES)}"
    )
