"""``Annotated`` dependency aliases: what the lifespan put in ``app.state``, and parsed params."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Path, Request
from sqlalchemy import Engine

from api.catalogue import Catalogue
from core.pilot import Collection, Registry
from core.settings import ApiSettings, IntakeSettings


async def get_settings(request: Request) -> ApiSettings:
    return cast(ApiSettings, request.app.state.settings)


async def get_engine(request: Request) -> Engine:
    return cast(Engine, request.app.state.engine)


async def get_registry(request: Request) -> Registry:
    return cast(Registry, request.app.state.registry)


async def get_catalogue(request: Request) -> Catalogue:
    return cast(Catalogue, request.app.state.catalogue)


async def get_intake(request: Request) -> IntakeSettings:
    return cast(IntakeSettings, request.app.state.intake)


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
IntakeDep = Annotated[IntakeSettings, Depends(get_intake)]
EngineDep = Annotated[Engine, Depends(get_engine)]
RegistryDep = Annotated[Registry, Depends(get_registry)]
CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]


CollectionIdPath = Annotated[
    str, Path(alias="collectionId", description="The id of a collection, see /collections.")
]


async def get_collection(catalogue: CatalogueDep, collection_id: CollectionIdPath) -> Collection:
    return catalogue.get(collection_id)


CollectionDep = Annotated[Collection, Depends(get_collection)]


FeatureIdPath = Annotated[
    str, Path(alias="featureId", description="The id of a feature of the collection.")
]
