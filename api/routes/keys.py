"""API keys over HTTP: a city admin issues supplier keys for its sources, lists and revokes them.

The first admin key of a city is made on the command line (``stadspuls keys create``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.auth import PRIVATE, PrincipalDep
from api.dependencies import EngineDep
from api.responses import problem_responses
from core.errors import Forbidden
from core.keys import ApiKey, Principal, create_key, get_key, list_keys, revoke_key
from core.sources import get_source

KeyIdPath = Annotated[str, PathParam(alias="keyId", description="The public id of a key.")]


class KeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str = Field("supplier", description="supplier (default) or city-admin")
    sources: list[str] = Field(default_factory=list, description="what a supplier key writes to")
    label: str | None = Field(None, description="whose key this is, for the admin's list")


def key_document(key: ApiKey) -> dict[str, Any]:
    """A key without its secret (the platform does not have it)."""
    return {
        "id": key.id,
        "role": key.role,
        "city": key.city,
        "sources": key.sources,
        "label": key.label,
        "created_by": key.created_by,
        "created_at": key.created_at.isoformat(),
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


def _require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("only a city-admin key manages keys")


def router() -> APIRouter:
    routes = APIRouter(tags=["Keys"], responses=problem_responses(400, 401, 403, 404))

    @routes.post(
        "/keys", summary="Issue a key (city admin)", operation_id="createKey", status_code=201
    )
    def create(engine: EngineDep, principal: PrincipalDep, body: KeyIn) -> JSONResponse:
        _require_admin(principal)
        for source_id in body.sources:
            principal.require_manage(get_source(engine, source_id))
        issued = create_key(
            engine, body.role, principal.city, body.sources, body.label, principal.key_id
        )
        document = {**key_document(issued.key), "key": issued.secret}
        return JSONResponse(document, status_code=201)

    @routes.get("/keys", summary="The keys of the admin's city", operation_id="getKeys")
    def keys(engine: EngineDep, principal: PrincipalDep) -> JSONResponse:
        _require_admin(principal)
        listed = [key_document(key) for key in list_keys(engine, principal.city)]
        return JSONResponse({"keys": listed}, headers=PRIVATE)

    @routes.delete("/keys/{keyId}", summary="Revoke a key (city admin)", operation_id="revokeKey")
    def revoke(engine: EngineDep, principal: PrincipalDep, key_id: KeyIdPath) -> JSONResponse:
        _require_admin(principal)
        if get_key(engine, key_id).city != principal.city:
            raise Forbidden(f"key '{key_id}' belongs to another city")
        return JSONResponse(key_document(revoke_key(engine, key_id)))

    return routes
