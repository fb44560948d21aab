"""Broker accounts in the database: a name, a role and a Mosquitto hash — never a password.

The database, not the generated password file, is where accounts live: the files can then be
regenerated at any time (after a source is added, on a new broker host) without knowing any
password. A password exists in clear only in the return value of :func:`create_account` and
:func:`rotate_password`, which the CLI prints once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import Column, Engine
from sqlmodel import Field, SQLModel

from core.mqtt_access.passwords import hash_password, new_password
from core.mqtt_access.rules import BrokerAccessError, Role, check_account_name, check_role
from core.storage import table_of
from core.types import Timestamp


class BrokerAccount(SQLModel, table=True):
    __tablename__ = "broker_account"

    username: str = Field(primary_key=True)
    role: str
    password_hash: str
    created_at: datetime = Field(sa_column=Column(Timestamp, nullable=False))
    password_set_at: datetime = Field(sa_column=Column(Timestamp, nullable=False))


@dataclass(frozen=True, slots=True)
class IssuedPassword:
    """An account and its new password: show it once, then let it go."""

    username: str
    role: Role
    password: str


def _table() -> sa.Table:
    return table_of(BrokerAccount)


def create_account(engine: Engine, username: str, role: str) -> IssuedPassword:
    """Add an account with a fresh random password; an existing name is an error."""
    name, checked_role = check_account_name(username), check_role(role)
    password = new_password()
    now = datetime.now(UTC)
    row = BrokerAccount(
        username=name,
        role=checked_role,
        password_hash=hash_password(password),
        created_at=now,
        password_set_at=now,
    )
    with engine.begin() as conn:
        if conn.execute(sa.select(_table().c.username).where(_table().c.username == name)).first():
            raise BrokerAccessError(f"a broker account '{name}' exists already; rotate it instead")
        conn.execute(sa.insert(_table()), [row.model_dump()])
    return IssuedPassword(name, checked_role, password)


def rotate_password(engine: Engine, username: str) -> IssuedPassword:
    """Replace an account's password; the old one stops working once the broker reloads."""
    password = new_password()
    with engine.begin() as conn:
        role = conn.execute(
            sa.select(_table().c.role).where(_table().c.username == username)
        ).scalar_one_or_none()
        if role is None:
            raise BrokerAccessError(f"there is no broker account '{username}'")
        conn.execute(
            sa.update(_table())
            .where(_table().c.username == username)
            .values(password_hash=hash_password(password), password_set_at=datetime.now(UTC))
        )
    return IssuedPassword(username, check_role(role), password)


def list_accounts(engine: Engine) -> list[BrokerAccount]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(_table()).order_by(_table().c.username)).mappings().all()
    return [BrokerAccount.model_validate(dict(row)) for row in rows]


def remove_account(engine: Engine, username: str) -> None:
    with engine.begin() as conn:
        result = conn.execute(sa.delete(_table()).where(_table().c.username == username))
    if result.rowcount == 0:
        raise BrokerAccessError(f"there is no broker account '{username}'")
