"""The validation service for suppliers: ``GET /validate`` (the form), ``POST /validate``.

``POST /validate`` runs the dry run of ``stadspuls validate`` on an uploaded file and answers
with its report as JSON, HTML or JUnit XML (:mod:`api.reports.negotiation`). Nothing is
written: not to the data tables, not to the quarantine. The upload is streamed to a private
temporary directory (removed afterwards) under the size limit ``api_max_upload_bytes``, and the
CPU-bound check runs in the thread pool, so the event loop keeps serving other requests.
"""

from __future__ import annotations

import shutil
import tempfile
from http import HTTPStatus
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from api.dependencies import EngineDep, RegistryDep, SettingsDep
from api.reports.html import CONTENT_SECURITY_POLICY, form_page
from api.reports.negotiation import XML, choose_format, report_response
from api.reports.openapi import REPORT_SCHEMA, validate_parameters, validate_request_body
from api.responses import HTML, JSON, PROBLEM_JSON, PROBLEM_SCHEMA, problem_responses
from api.uploads import MalformedUpload, UploadTooLarge, receive_upload
from api.validation import merge_options, query_parameters, run_validation
from core.errors import InvalidParameter, UnknownFormat, UnknownPilot
from core.pilot import Registry
from core.settings import ApiSettings


async def validate(
    request: Request, settings: SettingsDep, registry: RegistryDep, engine: EngineDep
) -> Response:
    """Check a file against a pilot's handbook without storing anything; the report."""
    query = query_parameters(request.query_params.multi_items())
    chosen = choose_format(query.get("f"), request.headers.get("accept"))
    _check_early(registry, query)
    directory = Path(await run_in_threadpool(tempfile.mkdtemp, prefix="stadspuls-validate-"))
    try:
        try:
            upload = await receive_upload(
                request, directory, settings.api_max_upload_bytes, query.get("filename")
            )
        except UploadTooLarge as error:
            raise HTTPException(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, str(error)) from None
        except MalformedUpload as error:
            raise InvalidParameter(error.parameter, str(error)) from None
        options = merge_options(query, upload.fields)
        report = await run_in_threadpool(run_validation, registry, engine, upload, options)
    finally:
        await run_in_threadpool(shutil.rmtree, directory, True)
    return report_response(report, chosen, registry)


def validation_form(registry: RegistryDep) -> HTMLResponse:
    """The upload form, for people; scripts and CI post to the same URL."""
    return HTMLResponse(
        form_page(registry), headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY}
    )


def _check_early(registry: Registry, query: dict[str, str]) -> None:
    """Refuse an unknown pilot or format named in the query before reading a large body."""
    if "pilot" not in query:
        return
    try:
        pilot = registry.get(query["pilot"])
    except UnknownPilot as error:
        raise InvalidParameter("pilot", str(error)) from None
    if "format" in query:
        try:
            pilot.adapter(query["format"])
        except UnknownFormat as error:
            raise InvalidParameter("format", str(error)) from None


def _responses(limit: int) -> dict[int | str, dict[str, Any]]:
    responses = problem_responses(400)
    responses[200] = {
        "description": "The validation report (also when the file is invalid or unreadable).",
        "content": {
            JSON: {"schema": REPORT_SCHEMA},
            HTML: {"schema": {"type": "string"}},
            XML: {"schema": {"type": "string", "description": "JUnit XML"}},
        },
    }
    responses[413] = {
        "description": f"The file is larger than the limit ({limit:,} bytes on this server).",
        "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}},
    }
    return responses


def router(settings: ApiSettings) -> APIRouter:
    routes = APIRouter(tags=["Validation"])
    routes.add_api_route(
        "/validate",
        validation_form,
        methods=["GET"],
        summary="The upload form of the validation service",
        operation_id="getValidationForm",
        response_class=HTMLResponse,
        responses=problem_responses(),
    )
    routes.add_api_route(
        "/validate",
        validate,
        methods=["POST"],
        summary="Validate a file against a pilot's handbook (nothing is stored)",
        operation_id="validate",
        response_class=JSONResponse,
        responses=_responses(settings.api_max_upload_bytes),
        openapi_extra={
            "parameters": validate_parameters(),
            "requestBody": validate_request_body(settings.api_max_upload_bytes),
        },
    )
    return routes
