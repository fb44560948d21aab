"""What a ``/validate`` request asks for, and the dry run that answers it.

The parameters come from the query string or, for the HTML form, from text fields of the
multipart body; the same parameter given both ways must agree. The run is
:func:`core.ingest.files.check_file`, the dry run of ``stadspuls validate``, with one difference
of purpose: an unreadable (empty, truncated, malformed) file is a report with the rule
``core.unreadable``, not an error, because the supplier asked what is wrong with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Engine

from api.uploads import Upload
from core.errors import InvalidParameter, UnknownFormat, UnknownPilot, UnreadableInput
from core.ingest.files import FileJob, check_file, choose_adapter, record_unreadable
from core.ingest.pipeline import IngestSummary
from core.pilot import Adapter, Pilot, Registry
from core.reports.model import ValidationReport, build_report

#: Query parameters of ``POST /validate``; the ones in FORM_FIELDS may also be form fields.
QUERY_PARAMETERS = ("pilot", "format", "crs", "timezone", "source", "filename", "f")
FORM_FIELDS = ("pilot", "format", "crs", "timezone", "source")


@dataclass(frozen=True)
class ValidationOptions:
    """What the caller declares about the file, as ``stadspuls validate``'s options."""

    pilot: str
    format: str | None = None
    crs: str | None = None
    timezone: str | None = None
    source: str | None = None


def query_parameters(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The known query parameters, each at most once; empty values count as absent."""
    found: dict[str, str] = {}
    for name, value in pairs:
        if name not in QUERY_PARAMETERS:
            known = ", ".join(QUERY_PARAMETERS)
            raise InvalidParameter(name, f"unknown parameter (known: {known})")
        if name in found:
            raise InvalidParameter(name, "given more than once")
        if value.strip():
            found[name] = value.strip()
    return found


def merge_options(query: Mapping[str, str], fields: Mapping[str, str]) -> ValidationOptions:
    """Query parameters and form fields as one set; a conflict between them is an error."""
    values: dict[str, str | None] = {}
    for name in FORM_FIELDS:
        given, posted = query.get(name), fields.get(name) or None
        if given is not None and posted is not None and given != posted:
            raise InvalidParameter(name, f"the query says '{given}', the form says '{posted}'")
        values[name] = given or posted
    pilot = values.pop("pilot")
    if pilot is None:
        raise InvalidParameter("pilot", "name the pilot the data is for")
    return ValidationOptions(pilot, **values)


def run_validation(
    registry: Registry, engine: Engine | None, upload: Upload, options: ValidationOptions
) -> ValidationReport:
    """The report on the uploaded file; blocking work, so call it from a thread."""
    pilot = _pilot(registry, options.pilot)
    name = upload.path.name
    try:
        adapter = _adapter(pilot, upload, options.format)
    except UnreadableInput as error:  # too empty to tell its format
        summary = IngestSummary()
        record_unreadable(summary, name, str(error))
        return build_report(name, pilot.id, None, summary, pilot.handbook)
    job = FileJob(upload.path, options.source, options.crs, options.timezone)
    summary = check_file(pilot, adapter, job, engine)
    return build_report(name, pilot.id, adapter.format_id, summary, pilot.handbook)


def _pilot(registry: Registry, pilot_id: str) -> Pilot:
    try:
        return registry.get(pilot_id)
    except UnknownPilot as error:
        raise InvalidParameter("pilot", str(error)) from None


def _adapter(pilot: Pilot, upload: Upload, format_id: str | None) -> Adapter:
    try:
        return choose_adapter(pilot, upload.path, format_id)
    except UnknownFormat as error:
        detail = str(error).replace("pass --format", "name it with the format parameter")
        raise InvalidParameter("format", detail) from None
