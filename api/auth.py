"""Who is writing: the API key of a request, as a :class:`core.keys.Principal`.

Keys come in the ``X-API-Key`` header or as ``Authorization: Bearer <key>``. Both are declared
as security schemes, so the OpenAPI document (and /docs) shows which operations need a key.
Reading published data never asks for one.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.dependencies import EngineDep
from core.keys import Principal, authenticate

_API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, description="a Stadspuls API key")
_BEARER = HTTPBearer(auto_error=False, description="a Stadspuls API key as bearer token")


def get_principal(
    engine: EngineDep,
    api_key: Annotated[str | None, Depends(_API_KEY)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)] = None,
) -> Principal:
    presented = api_key or (bearer.credentials if bearer is not None else None)
    return authenticate(engine, presented)


PrincipalDep = Annotated[Principal, Depends(get_principal)]

#: For GET responses that need a key: no shared cache may keep them (the API's default for
#: open data is a public max-age).
PRIVATE = {"Cache-Control": "private, no-store"}
