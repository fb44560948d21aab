"""Settings of the web interface (``STADSPULS_WEB_*``), read when the app is built."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "© OpenStreetMap contributors"


class WebSettings(BaseSettings):
    """Where the base map comes from and how often live layers refresh.

    The base map is the only thing the pages load from elsewhere; an empty tile URL, or tiles
    that fail to load (no internet), leave the features on a plain background.
    """

    model_config = SettingsConfigDict(env_prefix="STADSPULS_", env_file=".env", extra="ignore")

    web_tile_url: str = Field(
        default=OSM_TILES,
        description="XYZ tile URL template ({z}/{x}/{y}, optional {s}); empty: no base map",
    )
    web_tile_attribution: str = Field(default=OSM_ATTRIBUTION)
    web_refresh_seconds: int = Field(
        default=15, ge=2, description="how often the map reloads parking sites and bays"
    )
    web_crowding_days: int = Field(
        default=3, ge=1, le=31, description="how many days the crowding time slider spans"
    )

    def tile_origin(self) -> str | None:
        """The origin the pages must be allowed to load tile images from, if any.

        A ``{s}`` subdomain placeholder becomes a ``*`` wildcard, as CSP source lists write it.
        """
        if not self.web_tile_url:
            return None
        parts = urlsplit(self.web_tile_url.replace("{s}", "*"))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None
        return f"{parts.scheme}://{parts.netloc}"
