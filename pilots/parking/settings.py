"""Parking settings (``STADSPULS_PARKING_*``), read when the pilot is built, not at import."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ParkingSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="STADSPULS_PARKING_", env_file=".env", extra="ignore"
    )

    bay_stale_after: float = Field(
        default=3600.0,
        gt=0,
        description="seconds after which a silent bay sensor counts as unknown, not free",
    )
