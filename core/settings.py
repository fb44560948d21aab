"""Settings, one class per concern, read from ``STADSPULS_*`` environment variables and ``.env``.

Nothing is read at import time: callers build the settings they need (``DatabaseSettings()``)
at run time, so tests and the app factory can pass their own values.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_COMMON = SettingsConfigDict(env_prefix="STADSPULS_", env_file=".env", extra="ignore")


class DatabaseSettings(BaseSettings):
    """Where harmonised data lives. SQLite by default so the demo needs no server."""

    model_config = _COMMON

    database_url: str = "sqlite:///stadspuls.db"
    batch_size: int = Field(default=5000, ge=1, description="records per upsert batch")
    pool_size: int = Field(
        default=20,
        ge=1,
        description=(
            "PostgreSQL connections each process keeps open: at least the requests one API "
            "worker serves at once, since a connection beyond it is closed when returned and "
            "opening one (a server process, PostGIS loaded) costs more than a page"
        ),
    )
    pool_max_overflow: int = Field(
        default=10, ge=0, description="connections opened above pool_size at peaks, then closed"
    )


class ApiSettings(BaseSettings):
    """How the OGC API is served and what it publishes about itself."""

    model_config = _COMMON

    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = Field(
        default=None, description="base URL used in links; the request URL when unset"
    )
    title: str = "Stadspuls open urban data"
    default_limit: int = Field(default=10, ge=1)
    max_limit: int = Field(default=10_000, ge=1)
    licence: str = "CC0-1.0"
    api_number_matched: Literal["exact", "capped", "off"] = Field(
        default="capped",
        description=(
            "numberMatched of item pages: 'exact' always counts, 'off' never does, 'capped' "
            "counts up to api_number_matched_cap matches and leaves the number out above it"
        ),
    )
    api_number_matched_cap: int = Field(default=10_000, ge=0)
    api_max_age: int = Field(
        default=60, ge=0, description="Cache-Control max-age (s) of live data by default"
    )
    api_history_max_age: int = Field(
        default=86_400,
        ge=0,
        description="max-age (s) of item pages whose datetime ends over a day ago",
    )
    api_max_upload_bytes: int = Field(
        default=50 * 1024 * 1024,
        ge=1,
        description="largest file /validate accepts (STADSPULS_API_MAX_UPLOAD_BYTES); 413 above",
    )


class CatalogSettings(BaseSettings):
    """Who publishes the data and whom to ask about it, for the DCAT-AP catalogue (``/catalog``).

    The publisher and contact should be the city (or its data office); the defaults only keep
    the catalogue valid until they are set. Licences are SPDX ids or URIs.
    """

    model_config = _COMMON

    catalog_title_nl: str = "Stadspuls open stadsdata"
    catalog_title_en: str = "Stadspuls open urban data"
    catalog_description_nl: str = (
        "Geharmoniseerde open data van Vlaamse steden (parkeren, toegankelijkheid, drukte), "
        "gepubliceerd als OGC API - Features."
    )
    catalog_description_en: str = (
        "Harmonised open data of Flemish cities (parking, accessibility, crowding), published "
        "as OGC API - Features."
    )
    catalog_homepage: str | None = Field(
        default=None, description="the catalogue's homepage; the API's landing page when unset"
    )
    catalog_publisher_name: str = "Stadspuls"
    catalog_publisher_uri: str | None = Field(
        default=None,
        description="the publisher's URI (e.g. its OVO or KBO organisation URI); "
        "{public_url}/catalog#publisher when unset",
    )
    catalog_publisher_type: str = Field(
        default="LocalAuthority", description="code of the ADMS publisher-type vocabulary"
    )
    catalog_contact_name: str = "Stadspuls open data"
    catalog_contact_email: str | None = None
    catalog_contact_url: str | None = Field(
        default=None, description="a contact page; the catalogue's homepage when no e-mail either"
    )
    catalog_licences: dict[str, str] = Field(
        default_factory=dict,
        description="collection id -> licence (SPDX id or URI), overriding the derived licence; "
        'JSON in the environment: {"parking-sites": "CC-BY-4.0"}',
    )


class MqttSettings(BaseSettings):
    """Broker connection and ingestion batching; no URL means the embedded broker of the demo."""

    model_config = _COMMON

    mqtt_url: str | None = None
    mqtt_client_id: str | None = Field(
        default=None, description="stable client id (persistent session); stadspuls-<host>"
    )
    mqtt_share_group: str | None = Field(
        default=None, description="MQTT 5 shared-subscription group: workers split the feed"
    )
    mqtt_batch_size: int = Field(default=5000, ge=1)
    mqtt_batch_latency: float = Field(default=0.2, gt=0, description="seconds")
    mqtt_max_payload: int = Field(default=256 * 1024, ge=1, description="bytes")
    metrics_port: int | None = Field(
        default=None, description="port of the Prometheus /metrics endpoint of ingest-mqtt"
    )


class IntakeSettings(BaseSettings):
    """Data that suppliers write over HTTP: where uploads wait, and how large they may be."""

    model_config = _COMMON

    upload_dir: str = Field(
        default="stadspuls-uploads", description="folder where uploaded files are kept"
    )
    max_upload_bytes: int = Field(default=200 * 1024 * 1024, ge=1, description="per file")
    max_push_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1, description="per POST /sources/{id}/observations body"
    )
