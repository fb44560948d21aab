"""Upload jobs: progress while a file is processed, then its summary and validation report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from api.auth import PRIVATE, PrincipalDep
from api.dependencies import EngineDep, SettingsDep
from api.responses import problem_responses
from api.routes.sources import job_document
from core.intake.jobs import get_job
from core.sources import get_source

JobIdPath = Annotated[str, PathParam(alias="jobId", description="The id an upload returned.")]


def router() -> APIRouter:
    routes = APIRouter(tags=["Sources"], responses=problem_responses(401, 403, 404))

    @routes.get("/jobs/{jobId}", summary="An upload job", operation_id="getJob")
    def job(
        request: Request,
        settings: SettingsDep,
        engine: EngineDep,
        principal: PrincipalDep,
        job_id: JobIdPath,
    ) -> JSONResponse:
        found = get_job(engine, job_id)
        principal.require_write(get_source(engine, found.source))
        return JSONResponse(job_document(request, settings, found), headers=PRIVATE)

    return routes
