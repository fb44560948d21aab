"""Which of the three report formats a request gets, and the response that carries it.

``f=json|html|junit`` decides; without it the ``Accept`` header does (``text/html`` → HTML,
``application/xml`` or ``text/xml`` → JUnit XML, anything else → JSON), by quality value and
then by order, like a browser (which prefers ``text/html``) expects. Invalid ``f`` is a 400.
"""

from __future__ import annotations

from enum import StrEnum

from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.reports.html import CONTENT_SECURITY_POLICY, report_page
from core.errors import InvalidParameter
from core.pilot import Registry
from core.reports.junit import junit_xml
from core.reports.model import ValidationReport

XML = "application/xml"


class ReportFormat(StrEnum):
    JSON = "json"
    HTML = "html"
    JUNIT = "junit"


_BY_MEDIA_TYPE = {
    "application/json": ReportFormat.JSON,
    "text/html": ReportFormat.HTML,
    "application/xhtml+xml": ReportFormat.HTML,
    "application/xml": ReportFormat.JUNIT,
    "text/xml": ReportFormat.JUNIT,
}


def choose_format(f: str | None, accept: str | None) -> ReportFormat:
    """The format named by ``f``, else the most preferred one ``accept`` lists, else JSON."""
    if f is not None:
        try:
            return ReportFormat(f)
        except ValueError:
            known = ", ".join(member.value for member in ReportFormat)
            raise InvalidParameter("f", f"'{f}' is not one of {known}") from None
    ranked = sorted(_media_ranges(accept or ""), key=lambda pair: -pair[1])
    for media_type, quality in ranked:
        if quality > 0 and media_type in _BY_MEDIA_TYPE:
            return _BY_MEDIA_TYPE[media_type]
    return ReportFormat.JSON


def report_response(report: ValidationReport, chosen: ReportFormat, registry: Registry) -> Response:
    """The report in ``chosen`` format; ``Vary: Accept`` since the header may have chosen it."""
    headers = {"Vary": "Accept"}
    if chosen is ReportFormat.HTML:
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return HTMLResponse(report_page(report, registry), headers=headers)
    if chosen is ReportFormat.JUNIT:
        return Response(junit_xml([report]), media_type=XML, headers=headers)
    return JSONResponse(report.as_dict(), headers=headers)


def _media_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for item in accept.split(","):
        media_type, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media_type:
            ranges.append((media_type.lower(), quality))
    return ranges
