"""The ASGI entry point: ``uvicorn --factory api.asgi:app_factory``.

The only place the API is built from the environment (``STADSPULS_*`` and ``.env``).
"""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from core.settings import ApiSettings, DatabaseSettings


def app_factory() -> FastAPI:
    return create_app(ApiSettings(), DatabaseSettings(), freeze_gc=True)
