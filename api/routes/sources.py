"""Sources: the registry over HTTP, uploads and pushes into a source, health, quarantine.

Reading a source's description and health is open (app builders may want to know where data
comes from); everything that writes, and the quarantine (it holds suppliers' raw data), needs an
API key of the source's city admin or of a supplier the key names the source for.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Body, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from api.auth import PRIVATE, PrincipalDep
from api.dependencies import EngineDep, IntakeDep, RegistryDep, SettingsDep
from api.links import href
from api.responses import problem_responses
from api.uploads import Upload, receive_upload
from core.errors import Conflict, Forbidden, UnsupportedMediaType
from core.intake.browse import quarantined_records
from core.intake.health import source_health
from core.intake.jobs import IngestJob, create_job, new_job_folder, run_job, run_job_logged
from core.intake.replay import replay_quarantine
from core.keys import Principal
from core.settings import ApiSettings
from core.sources import (
    Source,
    add_source,
    get_source,
    list_sources,
    remove_source,
    update_source,
)

SourceIdPath = Annotated[str, PathParam(alias="sourceId", description="A source id.")]


class SourceIn(BaseModel):
    """A new source; ``city`` defaults to the city of the admin key that registers it."""

    model_config = ConfigDict(extra="forbid")

    id: str
    pilot: str
    format: str
    topic: str | None = Field(None, description="MQTT topic filter; default the convention")
    supplier: str | None = None
    city: str | None = None
    licence: str | None = Field(None, description="SPDX id; CC0-1.0 when not given")
    delivery: list[str] | None = Field(None, description="any of mqtt, file, push (all)")
    options: dict[str, str] = Field(default_factory=dict, description="adapter options")
    timezone: str | None = Field(None, description="IANA zone of naive times, e.g. Europe/Brussels")
    crs: str | None = Field(None, description="CRS of coordinates, e.g. EPSG:31370")


class SourceChanges(BaseModel):
    """The fields to change; the id and pilot of a source are fixed."""

    model_config = ConfigDict(extra="forbid")

    format: str | None = None
    topic: str | None = None
    supplier: str | None = None
    city: str | None = None
    licence: str | None = None
    delivery: list[str] | None = None
    options: dict[str, str] | None = None
    timezone: str | None = None
    crs: str | None = None


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule: str | None = Field(None, description="only records rejected under this rule id")
    ids: list[str] | None = Field(None, description="only these quarantine record ids")


def source_document(request: Request, settings: ApiSettings, source: Source) -> dict[str, Any]:
    """A source as JSON, with links to what can be done with it."""
    base = ("sources", source.id)
    return {
        "id": source.id,
        "pilot": source.pilot,
        "format": source.format,
        "topic": source.topic_filter,
        "supplier": source.supplier,
        "city": source.city,
        "licence": source.licence,
        "delivery": list(source.deliveries),
        "options": source.options,
        "timezone": source.timezone,
        "crs": source.crs,
        "created_at": source.created_at.isoformat(),
        "updated_at": source.updated_at.isoformat() if source.updated_at else None,
        "links": [
            {"href": href(request, settings, *base), "rel": "self"},
            {"href": href(request, settings, *base, "health"), "rel": "health"},
            {"href": href(request, settings, *base, "quarantine"), "rel": "quarantine"},
            {"href": href(request, settings, *base, "files"), "rel": "upload"},
        ],
    }


def router() -> APIRouter:  # noqa: C901 - one small handler per operation
    routes = APIRouter(tags=["Sources"], responses=problem_responses(400, 404))

    @routes.get("/sources", summary="List sources", operation_id="getSources")
    def sources(
        request: Request,
        settings: SettingsDep,
        engine: EngineDep,
        city: Annotated[str | None, Query(description="only this city's sources")] = None,
    ) -> JSONResponse:
        found = list_sources(engine, city)
        return JSONResponse(
            {"sources": [source_document(request, settings, source) for source in found]}
        )

    @routes.post(
        "/sources",
        summary="Register a source (city admin)",
        operation_id="createSource",
        status_code=201,
        responses=problem_responses(401, 403, 409),
    )
    def create(
        request: Request,
        settings: SettingsDep,
        engine: EngineDep,
        registry: RegistryDep,
        principal: PrincipalDep,
        body: SourceIn,
    ) -> JSONResponse:
        if not principal.is_admin:
            raise Forbidden("only a city-admin key registers sources")
        city = body.city or principal.city
        if city != principal.city:
            raise Forbidden(f"this key registers sources of {principal.city}, not of {city}")
        values = body.model_dump(exclude_none=True)
        source = add_source(engine, registry, Source(**{**values, "city": city}))
        document = source_document(request, settings, source)
        return JSONResponse(
            document, status_code=201, headers={"Location": document["links"][0]["href"]}
        )

    @routes.get("/sources/{sourceId}", summary="A source", operation_id="getSource")
    def one(
        request: Request,
        settings: SettingsDep,
        engine: EngineDep,
        source_id: SourceIdPath,
    ) -> JSONResponse:
        return JSONResponse(source_document(request, settings, get_source(engine, source_id)))

    @routes.patch(
        "/sources/{sourceId}",
        summary="Change a source (city admin)",
        operation_id="updateSource",
        responses=problem_responses(401, 403),
    )
    def change(
        request: Request,
        settings: SettingsDep,
        engine: EngineDep,
        registry: RegistryDep,
        principal: PrincipalDep,
        source_id: SourceIdPath,
        body: SourceChanges,
    ) -> JSONResponse:
        principal.require_manage(get_source(engine, source_id))
        changes = body.model_dump(exclude_unset=True)
        if changes.get("city", principal.city) != principal.city:
            raise Forbidden("a source cannot be handed to another city")
        updated = update_source(engine, registry, source_id, changes)
        return JSONResponse(source_document(request, settings, updated))

    @routes.delete(
        "/sources/{sourceId}",
        summary="Remove a source (city admin)",
        operation_id="deleteSource",
        status_code=204,
        responses=problem_responses(401, 403),
    )
    def delete(engine: EngineDep, principal: PrincipalDep, source_id: SourceIdPath) -> Response:
        principal.require_manage(get_source(engine, source_id))
        remove_source(engine, source_id)
        return Response(status_code=204)

    @routes.post(
        "/sources/{sourceId}/files",
        summary="Upload a file (multipart, part 'file'); processed in the background",
        operation_id="uploadSourceFile",
        status_code=202,
        responses=problem_responses(401, 403, 409, 413, 415),
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {"file": {"type": "string", "format": "binary"}},
                        }
                    }
                },
            }
        },
    )
    async def upload(
        request: Request,
        settings: SettingsDep,
        engine: EngineDep,
        registry: RegistryDep,
        principal: PrincipalDep,
        intake: IntakeDep,
        background: BackgroundTasks,
        source_id: SourceIdPath,
    ) -> JSONResponse:
        source = await run_in_threadpool(_delivery_target, engine, principal, source_id, "file")
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            raise UnsupportedMediaType(
                "upload the file as multipart/form-data with a part named 'file'"
            )
        job_id, received = await _receive_for_job(
            request, intake.upload_dir, intake.max_upload_bytes
        )
        job = await run_in_threadpool(
            create_job, engine, job_id, source, received.path, principal.key_id
        )
        background.add_task(run_job_logged, engine, registry, job.id)
        location = href(request, settings, "jobs", job.id)
        return JSONResponse(
            {
                "job": job.id,
                "status": job.status,
                "filename": job.filename,
                "size": job.size,
                "links": [{"href": location, "rel": "monitor"}],
            },
            status_code=202,
            headers={"Location": location},
        )

    @routes.post(
        "/sources/{sourceId}/observations",
        summary="Push a JSON batch in the source's format; processed at once",
        operation_id="pushSourceObservations",
        responses=problem_responses(401, 403, 409, 413, 415),
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {}}},
            }
        },
    )
    async def push(
        request: Request,
        settings: SettingsDep,
        engine: EngineDep,
        registry: RegistryDep,
        principal: PrincipalDep,
        intake: IntakeDep,
        source_id: SourceIdPath,
    ) -> JSONResponse:
        source = await run_in_threadpool(_delivery_target, engine, principal, source_id, "push")
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in ("application/json", "application/x-ndjson", "application/ld+json"):
            raise UnsupportedMediaType("push a JSON body (Content-Type: application/json)")
        job_id, received = await _receive_for_job(
            request, intake.upload_dir, intake.max_push_bytes, "push.json"
        )
        job = await run_in_threadpool(
            create_job, engine, job_id, source, received.path, principal.key_id
        )
        done = await run_in_threadpool(run_job, engine, registry, job.id)
        return JSONResponse(job_document(request, settings, done))

    @routes.get(
        "/sources/{sourceId}/health",
        summary="Last record, records per hour, quarantine rate, top reasons",
        operation_id="getSourceHealth",
    )
    def health(
        engine: EngineDep,
        source_id: SourceIdPath,
        hours: Annotated[int, Query(ge=1, le=24 * 31, description="window in hours")] = 24,
    ) -> JSONResponse:
        get_source(engine, source_id)
        return JSONResponse(source_health(engine, source_id, hours))

    @routes.get(
        "/sources/{sourceId}/quarantine",
        summary="The source's quarantined records (owner only)",
        operation_id="getSourceQuarantine",
        responses=problem_responses(401, 403),
    )
    def quarantine(
        request: Request,
        settings: SettingsDep,
        engine: EngineDep,
        principal: PrincipalDep,
        source_id: SourceIdPath,
        rule: Annotated[
            str | None, Query(description="only records rejected under this rule")
        ] = None,
        resolved: Annotated[bool, Query(description="include records a replay resolved")] = False,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> JSONResponse:
        principal.require_write(get_source(engine, source_id))
        page = quarantined_records(engine, source_id, rule, resolved, limit, offset)
        base = href(request, settings, "sources", source_id, "quarantine")
        links = []
        if offset + limit < page["numberMatched"]:
            query = f"?limit={limit}&offset={offset + limit}" + (f"&rule={rule}" if rule else "")
            links.append(
                {"href": base + query + ("&resolved=true" if resolved else ""), "rel": "next"}
            )
        return JSONResponse({**page, "links": links}, headers=PRIVATE)

    @routes.post(
        "/sources/{sourceId}/quarantine/replay",
        summary="Run quarantined records through the pipeline again (owner only)",
        operation_id="replaySourceQuarantine",
        responses=problem_responses(401, 403),
    )
    def replay(
        engine: EngineDep,
        registry: RegistryDep,
        principal: PrincipalDep,
        source_id: SourceIdPath,
        body: Annotated[ReplayRequest | None, Body()] = None,
    ) -> JSONResponse:
        source = get_source(engine, source_id)
        principal.require_write(source)
        wanted = body or ReplayRequest()
        result = replay_quarantine(engine, registry, source, wanted.rule, wanted.ids)
        return JSONResponse(result.as_dict())

    return routes


def _delivery_target(engine: Engine, principal: Principal, source_id: str, delivery: str) -> Source:
    """The source a key delivers into: it must be the key's to write, and take ``delivery``."""
    source = get_source(engine, source_id)
    principal.require_write(source)
    if not source.accepts(delivery):
        raise Conflict(
            f"source '{source.id}' does not take {delivery} deliveries "
            f"(it takes {', '.join(source.deliveries)})"
        )
    return source


async def _receive_for_job(
    request: Request, upload_dir: str, limit: int, raw_name: str | None = None
) -> tuple[str, Upload]:
    """A new job's id and its received file; a refused body leaves no folder behind."""
    job_id, folder = new_job_folder(Path(upload_dir))
    try:
        return job_id, await receive_upload(request, folder, limit, raw_name)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def job_document(request: Request, settings: ApiSettings, job: IngestJob) -> dict[str, Any]:
    """A job as JSON: its state, and at the end its summary and validation report."""
    return {
        "id": job.id,
        "source": job.source,
        "filename": job.filename,
        "size": job.size,
        "status": job.status,
        "records_read": job.records_read,
        "summary": job.summary,
        "report": job.report,
        "error": job.error,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "links": [{"href": href(request, settings, "jobs", job.id), "rel": "self"}],
    }
