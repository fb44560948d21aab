"""API keys: who may write, for which city and which sources.

A key is shown once, when it is made: ``spk_<id>_<secret>``. The platform keeps the id and a
SHA-256 digest of the secret, never the secret. The secret is 256 random bits, so a fast digest
is enough (there is nothing to guess that a slow password hash would protect); the id makes the
lookup one primary-key read, and the comparison is constant-time.

Two roles: a **city admin** manages the sources of its city and issues supplier keys; a
**supplier** key writes only to the sources named in it. Reading published data needs no key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import sqlalchemy as sa
from sqlalchemy import Column, Engine
from sqlmodel import Field, SQLModel

from core.errors import Forbidden, NotAuthenticated, NotFound, StadspulsError
from core.sources import Source
from core.storage import table_of
from core.types import JsonColumnType, Timestamp

Role = Literal["city-admin", "supplier"]
ROLES: tuple[Role, ...] = ("city-admin", "supplier")
_PREFIX = "spk"
_KEY = re.compile(rf"^{_PREFIX}_([0-9a-f]{{12}})_([A-Za-z0-9_-]{{20,}})$")
_CITY = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class ApiKeyError(StadspulsError):
    """A key that cannot be made as asked."""


class ApiKey(SQLModel, table=True):
    """A stored key: its public id, the digest of its secret, and what it may do."""

    __tablename__ = "api_key"

    id: str = Field(primary_key=True)
    secret_hash: str
    role: str
    city: str = Field(index=True)
    sources: list[str] = Field(
        default_factory=list, sa_column=Column(JsonColumnType, nullable=False)
    )
    label: str | None = None
    created_by: str | None = None
    created_at: datetime = Field(
        default_factory=lambda: datetime.now(UTC), sa_column=Column(Timestamp, nullable=False)
    )
    revoked_at: datetime | None = Field(default=None, sa_column=Column(Timestamp, nullable=True))


@dataclass(frozen=True)
class Principal:
    """Who is writing: the key's id, role, city and (for a supplier) its sources."""

    key_id: str
    role: Role
    city: str
    sources: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return self.role == "city-admin"

    def may_manage(self, source: Source) -> bool:
        """Change or remove a source, issue keys for it: the admin of its city."""
        return self.is_admin and source.city == self.city

    def may_write(self, source: Source) -> bool:
        """Deliver data, see and replay quarantine: its city's admin or a supplier of it."""
        return self.may_manage(source) or (
            self.role == "supplier" and source.id in self.sources and source.city == self.city
        )

    def require_manage(self, source: Source) -> None:
        if not self.may_manage(source):
            raise Forbidden(f"this key may not manage source '{source.id}'")

    def require_write(self, source: Source) -> None:
        if not self.may_write(source):
            raise Forbidden(f"this key may not write to source '{source.id}'")


@dataclass(frozen=True)
class IssuedKey:
    """A key just made: ``secret`` is the full key string, shown this once."""

    key: ApiKey
    secret: str


def _table() -> sa.Table:
    return table_of(ApiKey)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_city(city: str) -> str:
    if not _CITY.match(city):
        raise ApiKeyError(f"city '{city}' must be 1-64 lower-case letters, digits or '-'")
    return city


def create_key(
    engine: Engine,
    role: str,
    city: str,
    sources: list[str] | None = None,
    label: str | None = None,
    created_by: str | None = None,
) -> IssuedKey:
    """Make a key; a supplier key names the sources (of ``city``) it may write to."""
    if role not in ROLES:
        raise ApiKeyError(f"role '{role}' is not one of {', '.join(ROLES)}")
    check_city(city)
    scope = sorted(set(sources or []))
    if role == "supplier" and not scope:
        raise ApiKeyError("a supplier key names at least one source")
    if role == "city-admin" and scope:
        raise ApiKeyError("a city-admin key covers all sources of its city; name none")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        id=key_id,
        secret_hash=_digest(secret),
        role=role,
        city=city,
        sources=scope,
        label=label,
        created_by=created_by,
    )
    with engine.begin() as conn:
        conn.execute(sa.insert(_table()), [key.model_dump()])
    return IssuedKey(key, f"{_PREFIX}_{key_id}_{secret}")


def list_keys(engine: Engine, city: str | None = None) -> list[ApiKey]:
    query = sa.select(_table()).order_by(_table().c.created_at)
    if city is not None:
        query = query.where(_table().c.city == city)
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [ApiKey.model_validate(dict(row)) for row in rows]


def get_key(engine: Engine, key_id: str) -> ApiKey:
    with engine.connect() as conn:
        row = conn.execute(sa.select(_table()).where(_table().c.id == key_id)).mappings().first()
    if row is None:
        raise NotFound(f"there is no key '{key_id}'")
    return ApiKey.model_validate(dict(row))


def revoke_key(engine: Engine, key_id: str) -> ApiKey:
    """Revoke a key from now on (kept, so what it did stays attributable)."""
    key = get_key(engine, key_id)
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        with engine.begin() as conn:
            conn.execute(
                sa.update(_table()).where(_table().c.id == key_id).values(revoked_at=key.revoked_at)
            )
    return key


def authenticate(engine: Engine, presented: str | None) -> Principal:
    """The principal of a presented key; NotAuthenticated when missing, unknown or revoked."""
    if not presented:
        raise NotAuthenticated("this request writes data and needs an API key (X-API-Key)")
    match = _KEY.match(presented.strip())
    if match is None:
        raise NotAuthenticated("the API key is not in the form spk_<id>_<secret>")
    key_id, secret = match.groups()
    with engine.connect() as conn:
        row = conn.execute(sa.select(_table()).where(_table().c.id == key_id)).mappings().first()
    if row is None or not hmac.compare_digest(row["secret_hash"], _digest(secret)):
        raise NotAuthenticated("the API key is not valid")
    if row["revoked_at"] is not None:
        raise NotAuthenticated("the API key has been revoked")
    role: Role = "city-admin" if row["role"] == "city-admin" else "supplier"
    return Principal(key_id, role, row["city"], frozenset(row["sources"] or ()))
