"""Crowding settings (``STADSPULS_CROWDING_*``), read when the pilot is built, not at import."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CrowdingSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="STADSPULS_CROWDING_", env_file=".env", extra="ignore"
    )

    max_delay: float | None = Field(
        default=None,
        gt=0,
        description="seconds a count may arrive after its interval ends; none: no limit",
    )
