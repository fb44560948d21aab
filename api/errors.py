"""Every error the API sends is RFC 9457 problem details (``application/problem+json``).

Domain exceptions from :mod:`core.errors` map to status codes in one table, :data:`STATUS`;
FastAPI's request validation errors become 400 problems naming the parameter; unknown routes
and methods keep their status; anything unexpected is a 500 problem without a traceback (the
exception is logged).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.formats import NotAcceptable
from api.responses import ProblemResponse
from core.errors import (
    Conflict,
    Forbidden,
    InvalidCrs,
    InvalidParameter,
    NotAuthenticated,
    NotFound,
    StadspulsError,
    TooLarge,
    UnknownFormat,
    UnknownPilot,
    UnreadableInput,
    UnsupportedMediaType,
)
from core.sources import SourceError

logger = logging.getLogger(__name__)

#: Domain exception → HTTP status; looked up along the exception's MRO, so subclasses inherit.
STATUS: dict[type[StadspulsError], HTTPStatus] = {
    InvalidParameter: HTTPStatus.BAD_REQUEST,
    InvalidCrs: HTTPStatus.BAD_REQUEST,
    UnknownFormat: HTTPStatus.BAD_REQUEST,
    UnreadableInput: HTTPStatus.UNPROCESSABLE_ENTITY,
    NotFound: HTTPStatus.NOT_FOUND,
    NotAcceptable: HTTPStatus.NOT_ACCEPTABLE,
    UnknownPilot: HTTPStatus.NOT_FOUND,
    Conflict: HTTPStatus.CONFLICT,
    NotAuthenticated: HTTPStatus.UNAUTHORIZED,
    Forbidden: HTTPStatus.FORBIDDEN,
    TooLarge: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    UnsupportedMediaType: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    SourceError: HTTPStatus.BAD_REQUEST,
    StadspulsError: HTTPStatus.INTERNAL_SERVER_ERROR,
}


def status_of(error: StadspulsError) -> HTTPStatus:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return HTTPStatus.INTERNAL_SERVER_ERROR


def problem(
    status: int,
    detail: str,
    *,
    instance: str | None = None,
    parameter: str | None = None,
    headers: dict[str, str] | None = None,
) -> ProblemResponse:
    """A problem response; ``type`` is ``about:blank``, so ``title`` is the status phrase."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    if parameter is not None:
        body["parameter"] = parameter
    return ProblemResponse(body, status_code=status, headers=headers)


async def domain_error(request: Request, error: Exception) -> ProblemResponse:
    """The problem for a domain error, by :data:`STATUS`."""
    assert isinstance(error, StadspulsError)
    status = status_of(error)
    path = request.url.path
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        logger.error("unmapped domain error", exc_info=error)
        return problem(status, "the server could not complete the request", instance=path)
    if isinstance(error, InvalidParameter):
        return problem(status, str(error), instance=path, parameter=error.parameter)
    if isinstance(error, NotAuthenticated):
        challenge = {"WWW-Authenticate": 'Bearer realm="stadspuls", charset="UTF-8"'}
        return problem(status, str(error), instance=path, headers=challenge)
    return problem(status, str(error), instance=path)


async def _validation_error(request: Request, error: Exception) -> ProblemResponse:
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0] if error.errors() else {}
    location = [str(part) for part in first.get("loc", ())]
    parameter = location[-1] if len(location) > 1 else None
    message = str(first.get("msg", "invalid request"))
    detail = f"{parameter}: {message}" if parameter else message
    return problem(HTTPStatus.BAD_REQUEST, detail, instance=request.url.path, parameter=parameter)


async def _http_error(request: Request, error: Exception) -> ProblemResponse:
    assert isinstance(error, StarletteHTTPException)
    detail = str(error.detail)
    if detail == HTTPStatus(error.status_code).phrase:  # Starlette's own: say what happened
        if error.status_code == HTTPStatus.NOT_FOUND:
            detail = f"there is no resource at {request.url.path}"
        elif error.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
            detail = f"{request.method} is not allowed on {request.url.path}"
    return problem(
        error.status_code, detail, instance=request.url.path, headers=dict(error.headers or {})
    )


async def _unexpected_error(request: Request, error: Exception) -> ProblemResponse:
    logger.error("unexpected error", exc_info=error)
    return problem(
        HTTPStatus.INTERNAL_SERVER_ERROR,
        "the server could not complete the request",
        instance=request.url.path,
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StadspulsError, domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
